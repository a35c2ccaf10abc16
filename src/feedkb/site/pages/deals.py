"""融资与并购: the deals, by month."""

from feedkb.kb import Entry
from feedkb.site.pages.base import NO_SEARCH, SiteBuilder
from feedkb.site.render import safe_url, text


def build_deals(site: SiteBuilder) -> None:
    deals = [e for e in site.visible if e.deal]
    by_month = site.months_of(deals)
    months = sorted(by_month, reverse=True)
    index = [
        "# 融资与并购",
        "",
        "<p>按月份分组，最新在前。公司名链接到原文，# 链接到本站条目。</p>",
        "",
    ]
    for n, month in enumerate(months):
        uri = f"deals/{month}.md"
        table = deal_table(site, uri, by_month[month])
        site.pages[uri] = NO_SEARCH + f"# 融资与并购 · {month}\n\n{table}\n"
        if n < 2:  # the index shows the two latest months in full
            index += [
                f'<h2 id="m-{month}">{month}</h2>',
                "",
                deal_table(site, "deals/index.md", by_month[month]),
                "",
            ]
    index += ["<h2>全部月份</h2>", "", '<ul class="fk-months">']
    index += [
        f'<li><a href="{site.link("deals/index.md", f"deals/{m}.md")}">{m}</a>'
        f"（{len(by_month[m])} 起）</li>"
        for m in months
    ]
    site.pages["deals/index.md"] = NO_SEARCH + "\n".join([*index, "</ul>", ""])


def deal_table(site: SiteBuilder, uri: str, entries: list[Entry]) -> str:
    rows = []
    for e in entries:
        deal = e.deal
        amount = deal.amount.text if deal and deal.amount else "未披露"
        investors = "、".join(
            (deal.investors.get("lead", []) if deal else [])
            + (deal.investors.get("others", []) if deal else [])
        )
        company = deal.company if deal and deal.company else e.title[:20]
        url = safe_url(e.item.url)
        company_cell = (
            f'<a href="{url}" rel="noopener nofollow">{text(company)}</a>' if url else text(company)
        )
        rows.append(
            f"<tr><td>{site.time.day(e.item.published)}</td><td>{company_cell}</td>"
            f"<td>{text(deal.round or '—') if deal else '—'}</td><td>{text(amount)}</td>"
            f"<td>{text(investors) or '—'}</td>"
            f"<td>{text(site.kb.source_title(e))} "
            f'<a href="{site.permalink(uri, e)}" title="{text(e.title)}">#</a></td></tr>'
        )
    return (
        '<table class="fk-deals"><thead><tr><th scope="col">日期</th>'
        '<th scope="col">公司</th><th scope="col">轮次</th><th scope="col">金额</th>'
        '<th scope="col">投资方</th><th scope="col">来源</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
