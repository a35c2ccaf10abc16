"""The archive: the canonical place of every item, by month."""

from feedkb.site.pages.base import NO_SEARCH, SiteBuilder, page_name, paged
from feedkb.site.render import anchor, entry_card, text


def build_archive(site: SiteBuilder) -> None:
    """The canonical place of every item: its month, oldest first, so pages stay put."""
    months = sorted(site.by_month, reverse=True)
    index = ["# 归档", "", '<ul class="fk-months">']
    for month in months:
        chronological = sorted(site.by_month[month], key=lambda e: (e.item.published, e.id))
        chunks = paged(chronological, site.settings.items_per_page)
        uris = [f"archive/{page_name(month, n)}" for n in range(1, len(chunks) + 1)]
        for entries, uri in zip(chunks, uris, strict=True):
            for entry in entries:
                site.canonical[entry.id] = uri
        for number, (entries, uri) in enumerate(zip(chunks, uris, strict=True), 1):
            site.tocs[uri] = [(anchor(e), text(e.title)) for e in entries]
            cards = "\n\n".join(
                entry_card(
                    e, site.kb.rules, site.kb.source_title, "", True, site.kb.entries, site.time
                )
                for e in entries
            )
            site.pages[uri] = (
                f"# {month} 归档（第 {number} 页）\n\n"
                f"{site.pager(uris, number)}\n\n{cards}\n\n"
                f"{site.pager(uris, number)}\n"
            )
        index.append(
            f'<li><a href="{site.link("archive/index.md", uris[0])}">{month}</a>'
            f"（{len(chronological)} 条）</li>"
        )
    site.pages["archive/index.md"] = NO_SEARCH + "\n".join([*index, "</ul>", ""])
