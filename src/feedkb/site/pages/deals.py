"""融资与并购: every deal a row a member sorts and filters, read as a table on a desktop and
as a card on a phone (one markup, the stylesheet decides); the newest deals on the index, each
month on a page of its own, all of them in a CSV."""

import csv
import io
import re
from collections import Counter

from feedkb.companies import company_key
from feedkb.deals import Amount, Deal
from feedkb.kb import Entry
from feedkb.site.feeds import permalink_url
from feedkb.site.pages.base import EMPTY, WIDE, SiteBuilder, front_matter, relative_url, url_of
from feedkb.site.render import safe_url, text
from feedkb.urls import canonical_url

INDEX = "deals/index.md"
TABLES_SCRIPT = "assets/feedkb-tables.js"
DEALS_CSV = "deals/deals.csv"
# Rows the index carries: a page of deals opens in well under a second in Chromium, however
# large the knowledge base; the months' pages and the CSV hold the rest.
DEALS_ON_INDEX = 500
# Yuan per unit of each currency: fixed, approximate rates (2025), written here so that a build
# needs no network and gives the same order every time. They order amounts; the amount shown is
# always the text the source wrote.
YUAN_PER_UNIT = {
    "CNY": 1.0,
    "USD": 7.2,
    "HKD": 0.92,
    "EUR": 7.8,
    "GBP": 9.1,
    "JPY": 0.048,
    "SGD": 5.4,
}
# Rounds in the order a company goes through them; strategic stakes, acquisitions and funds
# raised are other kinds of deal and come after, each in a group of its own.
NAMED_ROUND_RANKS = {
    "种子": 10,
    "天使": 20,
    "Pre-IPO": 900,
    "IPO": 910,
    "战略投资": 1000,
    "并购": 1100,
    "基金募资": 1200,
}
LETTERED_ROUND = re.compile(r"(?P<pre>Pre-)?(?P<letter>[A-F])(?P<plus>\+*)")
CSV_HEADER = (
    "日期",
    "公司",
    "轮次",
    "金额",
    "金额折合人民币（元，固定汇率）",
    "投资方",
    "来源",
    "标题",
    "原文链接",
    "条目链接",
)
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def build_deals(site: SiteBuilder) -> None:
    deals = [e for e in site.visible if e.deal]
    by_month = site.months_of(deals)
    months = sorted(by_month, reverse=True)
    for n, month in enumerate(months):
        older = months[n + 1] if n + 1 < len(months) else None
        newer = months[n - 1] if n > 0 else None
        build_month(site, month, by_month[month], older, newer)
    build_index(site, deals, {m: len(by_month[m]) for m in months})


def build_index(site: SiteBuilder, deals: list[Entry], month_counts: dict[str, int]) -> None:
    """The newest deals, at most DEALS_ON_INDEX of them, then every month's page."""
    newest = deals[:DEALS_ON_INDEX]
    month_links = "".join(
        f'<li><a href="{site.link(INDEX, f"deals/{m}.md")}">{m}</a>（{count} 起）</li>'
        for m, count in month_counts.items()
    )
    if newest:
        first, last = (site.time.day(e.item.published) for e in (newest[-1], newest[0]))
        intro = (
            f"<p>最近 {len(newest)} 起交易（{first} 至 {last}），最新在前。公司名链接到原文，"
            "详情链接到本站条目；外币金额按固定汇率折合人民币排序。"
            f'<a href="{csv_link(site, INDEX)}" download>下载全部 {len(deals)} 起（CSV）</a>'
            f"</p>\n\n{deal_view(site, INDEX, newest, month_counts)}\n\n"
            f'<h2 id="months">按月份</h2>\n\n<ul class="fk-months">{month_links}</ul>'
        )
    else:
        intro = EMPTY
    described = front_matter("最新融资、并购与上市：按轮次、金额、月份排序筛选，可下载 CSV", WIDE)
    site.pages[INDEX] = described + f"# 融资与并购\n\n{intro}\n\n{tables_script(site, INDEX)}\n"


def build_month(
    site: SiteBuilder, month: str, deals: list[Entry], older: str | None, newer: str | None
) -> None:
    """A month's deals, all of them, with links to the months before and after."""
    uri = f"deals/{month}.md"
    links = [
        f'<a href="{site.link(uri, f"deals/{m}.md")}" rel="{rel}">{before}{m}{after}</a>'
        for m, rel, before, after in ((older, "prev", "← ", ""), (newer, "next", "", " →"))
        if m
    ]
    neighbours = (
        f'<nav class="fk-pager" aria-label="月份">{" · ".join(links)}</nav>' if links else ""
    )
    site.pages[uri] = (
        front_matter(f"{month} 的 {len(deals)} 起融资与并购", WIDE) + f"# 融资与并购 · {month}\n\n"
        f"<p>{month} 共 {len(deals)} 起，最新在前。"
        f'<a href="{site.link(uri, INDEX)}">最近交易</a> · '
        f'<a href="{csv_link(site, uri)}" download>下载全部交易（CSV）</a></p>\n\n'
        f"{deal_view(site, uri, deals)}\n\n"
        f"{neighbours}\n\n"
        f"{tables_script(site, uri)}\n"
    )


def csv_link(site: SiteBuilder, uri: str) -> str:
    return relative_url(DEALS_CSV, url_of(uri, site.settings.use_directory_urls))


def tables_script(site: SiteBuilder, uri: str) -> str:
    """The script that sorts and filters; the theme runs it again after each page it swaps in,
    and it takes care to listen once."""
    src = relative_url(TABLES_SCRIPT, url_of(uri, site.settings.use_directory_urls))
    return f'<script src="{src}"></script>'


def deal_view(
    site: SiteBuilder, uri: str, entries: list[Entry], month_totals: dict[str, int] | None = None
) -> str:
    """The deals table with its controls: sorting by date, round and amount, a filter by round,
    one by month when ``month_totals`` (deals per month on the whole site) is given and the
    rows span several, and how many rows are shown."""
    ranks = {round_rank(e.deal.round): e.deal.round for e in entries if e.deal}
    round_options = "".join(
        f'<option value="{rank}">{text(round_label(ranks[rank]))}</option>'
        for rank in sorted(r for r in ranks if r is not None)
    )
    if None in ranks:
        round_options += '<option value="none">未披露</option>'
    controls = [
        '<label>轮次 <select data-fk-filter="r"><option value="">全部</option>'
        f"{round_options}</select></label>"
    ]
    shown = Counter(site.time.month(e.item.published) for e in entries)
    if month_totals and len(shown) > 1:
        options = "".join(
            f'<option value="{m}">{m}{"（部分）" if shown[m] < month_totals[m] else ""}</option>'
            for m in sorted(shown, reverse=True)
        )
        controls.append(
            '<label>月份 <select data-fk-filter="m"><option value="">全部</option>'
            f"{options}</select></label>"
        )
    controls.append(f'<output class="fk-deal-count">共 {len(entries)} 起</output>')
    return (
        f'<div class="fk-deal-view"><div class="fk-deal-tools">{"".join(controls)}</div>'
        f"{deal_table(site, uri, entries, sortable=True)}</div>"
    )


def deal_table(site: SiteBuilder, uri: str, entries: list[Entry], sortable: bool = False) -> str:
    """Deals as a table: one row per deal, each cell named by its class, so that the stylesheet
    lays a row out as a table's row or as a card."""
    rows = "".join(deal_row(site, uri, e) for e in entries)
    headers = [("日期", "date"), ("公司", ""), ("轮次", "round"), ("金额", "amount")]
    headers += [("投资方", ""), ("来源", "")]
    cells = "".join(
        f'<th scope="col" aria-sort="{"descending" if key == "date" else "none"}">'
        f'<button type="button" data-fk-sort="{key}">{label}</button></th>'
        if sortable and key
        else f'<th scope="col">{label}</th>'
        for label, key in headers
    )
    kind = "fk-deals fk-sortable" if sortable else "fk-deals"
    return f'<table class="{kind}"><thead><tr>{cells}</tr></thead><tbody>{rows}</tbody></table>'


def deal_row(site: SiteBuilder, uri: str, entry: Entry) -> str:
    """One deal; its data- attributes are what the script sorts and filters by: the month, the
    round's rank and the amount in yuan (absent when the text gives none)."""
    deal = entry.deal
    assert deal is not None, "only deals are listed"
    rank = round_rank(deal.round)
    yuan = in_yuan(deal.amount)
    keys = f' data-m="{site.time.month(entry.item.published)}"'
    keys += f' data-r="{rank}"' if rank is not None else ""
    keys += f' data-a="{yuan:.0f}"' if yuan is not None else ""
    return (
        f'<tr{keys}><td class="fk-d-date"><time datetime="{text(entry.item.published)}">'
        f"{site.time.day(entry.item.published)}</time></td>"
        f'<td class="fk-d-company">{company_cell(site, uri, entry, deal)}</td>'
        f'<td class="fk-d-round">{text(round_label(deal.round)) if deal.round else "未披露"}</td>'
        f'<td class="fk-d-amount">{amount_cell(deal.amount, yuan)}</td>'
        f'<td class="fk-d-investors">{text(investor_list(deal))}</td>'
        f'<td class="fk-d-source">{text(site.kb.source_title(entry))} · '
        f'<a href="{site.permalink(uri, entry)}" title="{text(entry.title)}">详情</a></td></tr>'
    )


def company_cell(site: SiteBuilder, uri: str, entry: Entry, deal: Deal) -> str:
    """The company, linking to the original article, and to its page here when it has one; a
    deal that names no company shows its headline."""
    name = (
        text(deal.company)
        if deal.company
        else f'<span class="fk-d-title">{text(entry.title)}</span>'
    )
    url = safe_url(entry.item.url)
    cell = f'<a href="{url}" rel="noopener nofollow">{name}</a>' if url else name
    page = site.company_pages.get(company_key(deal.company)) if deal.company else None
    if page and page != uri:
        cell += f' <a class="fk-d-page" href="{site.link(uri, page)}">企业页</a>'
    return cell


def amount_cell(amount: Amount | None, yuan: float | None) -> str:
    if amount is None:
        return "未披露"
    shown = text(amount.text)
    if yuan is not None and amount.currency != "CNY":
        shown += f"<small>≈{yuan_text(yuan)}</small>"
    return shown


def investor_list(deal: Deal) -> str:
    """Lead investors first, marked, then the others."""
    leads = [f"{name}（领投）" for name in deal.investors.get("lead", [])]
    return "、".join(leads + deal.investors.get("others", []))


def round_rank(name: str | None) -> int | None:
    """A round's place in a company's life: 种子 < 天使 < Pre-A < A < A+ < Pre-B < B ... <
    Pre-IPO < IPO, then 战略投资, 并购 and 基金募资; None for a round not told."""
    if name in NAMED_ROUND_RANKS:
        return NAMED_ROUND_RANKS[name]
    found = LETTERED_ROUND.fullmatch(name or "")
    if not found:
        return None
    base = 100 * (ord(found.group("letter")) - ord("A") + 1)
    return base - 50 if found.group("pre") else base + len(found.group("plus"))


def round_label(name: str) -> str:
    """ "B" → "B轮", "天使" → "天使轮"; kinds of deal that are no round stay as they are."""
    lettered = LETTERED_ROUND.fullmatch(name) or name in ("种子", "天使")
    return name + ("轮" if lettered else "")


def in_yuan(amount: Amount | None) -> float | None:
    if amount is None or amount.value is None or amount.currency not in YUAN_PER_UNIT:
        return None
    return amount.value * YUAN_PER_UNIT[amount.currency]


def yuan_text(yuan: float) -> str:
    """3.24e8 → "3.2亿元", 7.2e7 → "7200万元"."""
    if yuan >= 1e8:
        return f"{yuan / 1e8:.1f}".removesuffix(".0") + "亿元"
    return f"{yuan / 1e4:.0f}万元"


def deals_csv(site: SiteBuilder, site_url: str) -> str:
    """Every deal on the site, newest first, as CSV for a spreadsheet: UTF-8 with a byte order
    mark (Excel reads Chinese right only with one) and Excel's line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(map(as_text, deal_record(site, site_url, e)) for e in site.visible if e.deal)
    return "\ufeff" + out.getvalue()


def deal_record(site: SiteBuilder, site_url: str, entry: Entry) -> list[str]:
    """A deal's line of the CSV, in CSV_HEADER's order."""
    deal = entry.deal
    assert deal is not None, "only deals are listed"
    yuan = in_yuan(deal.amount)
    page_url = url_of(site.canonical[entry.id], site.settings.use_directory_urls)
    return [
        site.time.day(entry.item.published),
        deal.company or "",
        round_label(deal.round) if deal.round else "",
        deal.amount.text if deal.amount else "",
        f"{yuan:.0f}" if yuan is not None else "",
        investor_list(deal),
        site.kb.source_title(entry),
        entry.title,
        canonical_url(entry.item.url),
        permalink_url(site_url, page_url, entry),
    ]


def as_text(value: str) -> str:
    """A feed's text as a spreadsheet shows it, never as a formula it would run."""
    return "'" + value if value.startswith(FORMULA_START) else value
