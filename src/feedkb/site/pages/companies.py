"""企业名录: a compact directory a member narrows by typing, and a page for every company named
in two items or more: its deals, its lead items and its timeline."""

from feedkb.kb import Company, Entry
from feedkb.site.pages.base import WIDE, SiteBuilder, front_matter, paged
from feedkb.site.pages.deals import deal_table, tables_script
from feedkb.site.render import text, title_link

DIRECTORY = "companies/index.md"
# A directory longer than this is paginated; the filter narrows the page it is on.
COMPANIES_PER_PAGE = 1000
# A company page lists this many of its newest items: a page stays small however often a
# company is in the news.
COMPANY_ITEMS = 200


def build_companies(site: SiteBuilder) -> None:
    directory = by_coverage(site, site.companies)
    for company in directory:
        if company.key in site.company_pages:
            build_company_page(site, company)
    chunks = paged(directory, COMPANIES_PER_PAGE)
    uris = [DIRECTORY if n == 1 else f"companies/p{n}.md" for n in range(1, len(chunks) + 1)]
    with_pages = len(site.company_pages)
    for number, (companies, uri) in enumerate(zip(chunks, uris, strict=True), 1):
        title = "企业名录" if number == 1 else f"企业名录（第 {number} 页）"
        scope = "本页" if len(chunks) > 1 else ""
        tiles = "".join(directory_tile(site, uri, c) for c in companies)
        site.pages[uri] = (
            front_matter(f"{len(directory)} 家获客与FA条目中出现的企业", WIDE) + f"# {title}\n\n"
            f"<p>获客与FA条目中出现的企业，共 {len(directory)} 家，报道多的在前；"
            f"{with_pages} 家有两条以上报道，各有企业页。</p>\n\n"
            f"{site.pager(uris, number)}\n\n"
            '<div class="fk-find"><label>筛选企业 <input type="search" data-fk-find '
            f'placeholder="输入{scope}企业名" autocomplete="off"></label>'
            f'<output class="fk-find-count">共 {len(companies)} 家</output></div>\n\n'
            f'<ul class="fk-directory">{tiles}</ul>\n\n'
            f"{site.pager(uris, number)}\n\n{tables_script(site, uri)}\n"
        )


def by_coverage(site: SiteBuilder, companies: list[Company]) -> list[Company]:
    """The most-covered companies first, and among as covered, the most recently named."""
    latest = sorted(companies, key=lambda c: latest_item(site, c).item.published, reverse=True)
    return sorted(latest, key=lambda c: -len(c.item_ids))


def latest_item(site: SiteBuilder, company: Company) -> Entry:
    return site.kb.entries[company.item_ids[0]]  # ids come newest first


def directory_tile(site: SiteBuilder, uri: str, company: Company) -> str:
    """A company's name, linking to its page, or to its one item when it has no page; how
    many items name it and when the latest was published."""
    latest = latest_item(site, company)
    page = site.company_pages.get(company.key)
    href = site.link(uri, page) if page else site.permalink(uri, latest)
    return (
        f'<li><a href="{href}">{text(company.name)}</a>'
        f"<small>{len(company.item_ids)} 条 · {site.time.day(latest.item.published)}</small></li>"
    )


def build_company_page(site: SiteBuilder, company: Company) -> None:
    uri = site.company_pages[company.key]
    entries = [site.kb.entries[i] for i in company.item_ids[:COMPANY_ITEMS]]
    deals = [e for e in entries if e.deal]
    leads = [e for e in entries if "lead" in e.values]
    facts = [f"{len(company.item_ids)} 条报道"]
    facts += [f"{len(deals)} 起融资与并购"] if deals else []
    facts += [f"{len(leads)} 条获客线索"] if leads else []
    facts.append(f"最近 {site.time.day(entries[0].item.published)}")
    sections = [
        f'<p class="fk-company-facts">{" · ".join(facts)} · '
        f'<a href="{site.link(uri, DIRECTORY)}">企业名录</a></p>'
    ]
    if deals:
        sections.append(f'<h2 id="deals">融资与并购</h2>\n\n{deal_table(site, uri, deals)}')
    if leads:
        shown = leads[: site.settings.items_per_page]
        sections.append(f'<h2 id="leads">获客线索</h2>\n\n{site.cards(uri, shown)}')
    more = (
        f"<p>仅列出最近 {COMPANY_ITEMS} 条。</p>" if len(company.item_ids) > COMPANY_ITEMS else ""
    )
    sections.append(f'<h2 id="timeline">时间线</h2>\n\n{timeline(site, uri, entries)}{more}')
    described = front_matter(f"{company.name}的融资、获客线索与报道时间线", WIDE)
    site.pages[uri] = described + f"# {text(company.name)}\n\n" + "\n\n".join(sections) + "\n"


def timeline(site: SiteBuilder, uri: str, entries: list[Entry]) -> str:
    """Every item, newest first: the day, the headline to the original, the source, a link to
    the item on this site."""
    rows = "".join(
        f'<li><time datetime="{text(e.item.published)}">{site.time.day(e.item.published)}</time>'
        f"<span>{title_link(e)}"
        f'<small>{text(site.kb.source_title(e))} · <a href="{site.permalink(uri, e)}">详情</a>'
        "</small></span></li>"
        for e in entries
    )
    return f'<ol class="fk-timeline">{rows}</ol>'
