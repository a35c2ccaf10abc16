"""周报: the weekly digests."""

from feedkb.digest import build_digest, week_of
from feedkb.site.pages.base import NO_SEARCH, SiteBuilder
from feedkb.values import VALUE_LABELS


def build_digests(site: SiteBuilder) -> None:
    weeks = sorted({week_of(e.item.published) for e in site.visible}, reverse=True)
    index = ["# 周报", "", "<p>每周各类价值的精选条目。</p>", "", '<ul class="fk-months">']
    for week in weeks:
        uri = f"digests/{week}.md"
        digest = build_digest(site.kb, week, site.settings.digest_per_value, site.visible)
        sections = [
            f'<h2 id="{slug}">{VALUE_LABELS[slug]}</h2>\n\n{site.cards(uri, entries)}'
            for slug, entries in digest.sections.items()
            if entries
        ]
        site.pages[uri] = (
            NO_SEARCH + f"# 周报 {week}\n\n<p>{digest.start} 至 {digest.end}"
            "</p>\n\n" + "\n\n".join(sections) + "\n"
        )
        index.append(
            f'<li><a href="{site.link("digests/index.md", uri)}">{week}</a>'
            f"（{digest.start} 至 {digest.end}）</li>"
        )
    site.pages["digests/index.md"] = NO_SEARCH + "\n".join([*index, "</ul>", ""])
