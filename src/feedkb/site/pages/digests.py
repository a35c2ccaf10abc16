"""周报: the weekly digests, each linked to the week before and the week after."""

from feedkb.digest import Digest, build_digest, parse_week, week_of
from feedkb.site.pages.base import EMPTY, SiteBuilder, front_matter
from feedkb.values import VALUE_LABELS

INDEX = "digests/index.md"


def digest_uri(week: str) -> str:
    return f"digests/{week}.md"


def week_label(week: str) -> str:
    """2026-W48 as members read it: 2026年第48周."""
    year, number = parse_week(week)
    return f"{year}年第{number}周"


def digest_weeks(site: SiteBuilder) -> list[str]:
    """The weeks that have a digest, newest first."""
    return sorted({week_of(e.item.published, site.time.day) for e in site.visible}, reverse=True)


def build_digests(site: SiteBuilder) -> None:
    weeks = digest_weeks(site)
    index = []
    for n, week in enumerate(weeks):
        uri = digest_uri(week)
        digest = build_digest(
            site.kb, week, site.settings.digest_per_value, site.visible, site.time.day
        )
        older = weeks[n + 1] if n + 1 < len(weeks) else None
        newer = weeks[n - 1] if n > 0 else None
        site.pages[uri] = digest_page(site, uri, digest, older, newer)
        index.append(
            f'<li><a href="{site.link(INDEX, uri)}">{week_label(week)}</a>'
            f"（{digest.start} 至 {digest.end}）</li>"
        )
    listing = f'<ul class="fk-months">{"".join(index)}</ul>' if index else EMPTY
    site.pages[INDEX] = (
        front_matter("每周各类价值的精选条目。")
        + f"# 周报\n\n<p>每周各类价值的精选条目。</p>\n\n{listing}\n"
    )


def digest_page(
    site: SiteBuilder, uri: str, digest: Digest, older: str | None, newer: str | None
) -> str:
    label = week_label(digest.week)
    sections = "\n\n".join(
        f'<h2 id="{slug}">{VALUE_LABELS[slug]}</h2>\n\n{site.cards(uri, entries)}'
        for slug, entries in digest.sections.items()
    )
    counts = "、".join(
        f"{VALUE_LABELS[slug]} {len(entries)} 条"
        for slug, entries in digest.sections.items()
        if entries
    )
    description = f"{label}（{digest.start} 至 {digest.end}）精选：{counts}。"
    return (
        front_matter(description) + f"# 周报 · {label}\n\n<p>{digest.start} 至 {digest.end}</p>\n\n"
        f"{week_nav(site, uri, older, newer, '其他周报')}\n\n{sections}\n\n"
        f"{week_nav(site, uri, older, newer, '其他周报（页尾）')}\n"
    )


def week_nav(site: SiteBuilder, uri: str, older: str | None, newer: str | None, name: str) -> str:
    """Links to the digests before and after this one; a week without items has none, so
    the link goes to the nearest week that has."""
    links = []
    if older:
        links.append(
            f'<a class="fk-week-prev" href="{site.link(uri, digest_uri(older))}" rel="prev">'
            f"← 上一周 · {week_label(older)}</a>"
        )
    if newer:
        links.append(
            f'<a class="fk-week-next" href="{site.link(uri, digest_uri(newer))}" rel="next">'
            f"下一周 · {week_label(newer)} →</a>"
        )
    return f'<nav class="fk-week-nav" aria-label="{name}">{"".join(links)}</nav>' if links else ""
