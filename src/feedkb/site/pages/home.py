"""The home page."""

from feedkb.site.pages.base import NO_SEARCH, SiteBuilder
from feedkb.values import VALUE_LABELS


def build_home(site: SiteBuilder) -> None:
    uri = "index.md"
    counts = {slug: sum(slug in e.values for e in site.visible) for slug in VALUE_LABELS}
    updated = max((s.last_success for s in site.states.values() if s.last_success), default=None)
    shown_time = site.time.minute(updated) if updated else "尚未抓取"
    lines = [
        "# 行业知识库",
        "",
        f'<p class="fk-updated">共 {len(site.visible)} 条 · 最近更新：{shown_time}</p>',
        "",
        '<ul class="fk-counts">',
    ]
    lines += [
        f'<li><a href="{site.link(uri, f"values/{slug}/index.md")}">'
        f"{label}</a> {counts[slug]} 条</li>"
        for slug, label in VALUE_LABELS.items()
    ]
    lines += ["</ul>", ""]
    for slug, label in VALUE_LABELS.items():
        chosen = [e for e in site.visible if slug in e.values]
        chosen.sort(key=lambda e: not e.pinned)  # stable: pinned first, then newest
        lines += [
            f'<h2 id="{slug}">{label}</h2>',
            "",
            site.cards(uri, chosen[: site.settings.highlights_per_value]),
            "",
            f'<p><a href="{site.link(uri, f"values/{slug}/index.md")}">更多{label} →</a></p>',
            "",
        ]
    site.pages[uri] = NO_SEARCH + "\n".join(lines)
