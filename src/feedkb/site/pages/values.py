"""One section per value, split by month."""

from feedkb.site.pages.base import EMPTY, SiteBuilder, front_matter, page_name, paged
from feedkb.site.render import text
from feedkb.values import VALUE_LABELS


def build_values(site: SiteBuilder) -> None:
    for slug in VALUE_LABELS:
        build_value(site, slug)


def build_value(site: SiteBuilder, slug: str) -> None:
    label = VALUE_LABELS[slug]
    description = site.kb.rules.tags[slug].description if slug in site.kb.rules.tags else ""
    chosen = [e for e in site.visible if slug in e.values]
    by_month = site.months_of(chosen)
    month_links = []
    for month in sorted(by_month, reverse=True):
        chunks = paged(by_month[month], site.settings.items_per_page)
        uris = [f"values/{slug}/{page_name(month, n)}" for n in range(1, len(chunks) + 1)]
        for number, (entries, uri) in enumerate(zip(chunks, uris, strict=True), 1):
            site.pages[uri] = (
                front_matter(f"{label}，{month} 的条目。{description}")
                + f"# {label} · {month}（第 {number} 页）\n\n"
                f"{site.pager(uris, number)}\n\n{site.cards(uri, entries)}"
                f"\n\n{site.pager(uris, number)}\n"
            )
        month_links.append((month, uris[0], len(by_month[month])))
    uri = f"values/{slug}/index.md"
    newest = chosen[: site.settings.items_per_page]
    months = "".join(
        f'<li><a href="{site.link(uri, m_uri)}">{month}</a>（{count} 条）</li>'
        for month, m_uri, count in month_links
    )
    feed = site.link(uri, f"feeds/{slug}.xml").removesuffix("/")
    site.pages[uri] = (
        front_matter(description or label) + f"# {label}\n\n<p>{text(description)}</p>\n\n"
        f'<p><a href="{feed}">用阅读器订阅{label}</a></p>\n\n'
        f"<h2>最新</h2>\n\n{site.cards(uri, newest)}\n\n"
        "<h2>按月归档</h2>\n\n"
        + (f'<ul class="fk-months">{months}</ul>' if months else EMPTY)
        + "\n"
    )
