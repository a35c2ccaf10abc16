"""企业名录: the company directory."""

from feedkb.site.pages.base import NO_SEARCH, SiteBuilder, paged
from feedkb.site.render import text

COMPANIES_PER_PAGE = 200


def build_companies(site: SiteBuilder) -> None:
    directory = site.kb.companies()
    chunks = paged(directory, COMPANIES_PER_PAGE)
    uris = [f"companies/{'index.md' if n == 1 else f'p{n}.md'}" for n in range(1, len(chunks) + 1)]
    for number, (companies, uri) in enumerate(zip(chunks, uris, strict=True), 1):
        blocks = []
        for company in companies:
            links = "".join(
                f'<li><a href="{site.permalink(uri, site.kb.entries[i])}">'
                f"{text(site.kb.entries[i].title)}</a> "
                f"<small>{site.time.day(site.kb.entries[i].item.published)}</small></li>"
                for i in company.item_ids
                if i in site.canonical
            )
            blocks.append(
                f'<section class="fk-company" id="c-{text(company.key)}">'
                f"<h2>{text(company.name)}</h2><ul>{links}</ul></section>"
            )
        site.pages[uri] = (
            NO_SEARCH + f"# 企业名录（第 {number} 页）\n\n"
            f"<p>获客与FA条目中出现的企业，共 {len(directory)} 家。</p>\n\n"
            f"{site.pager(uris, number)}\n\n" + "\n\n".join(blocks) + "\n"
        )
