"""融资与并购 and 企业名录 on the demo site, in Chromium as a member uses them: a deal is a
card on a phone and a row of a full-width table on a desktop; the table sorts by date, round
and amount (in yuan, whatever the currency) and filters by round and month; the CSV holds
every deal; a company has a page with its deals and items; the directory narrows as one
types."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from feedkb.kb import build_kb
from feedkb.model import Item
from feedkb.overrides import Overrides
from feedkb.rules import load_rules
from feedkb.site.pages import SiteBuilder, SiteSettings, build_pages
from feedkb.site.pages.deals import deals_csv
from feedkb.sources import Source
from tests.conftest import REPO, run
from tests.sitecheck import DESKTOP, PHONE, browser_on

ROWS = ".fk-deals tbody tr:not([hidden])"
CELLS = "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"


@pytest.fixture(scope="module")
def member(demo_kb: Path):
    with browser_on(demo_kb / "site") as browser:
        yield browser
        assert not browser.problems, browser.problems


@pytest.fixture(scope="module")
def demo_deals(demo_kb: Path) -> list[dict]:
    """The demo's visible deal items, as `feedkb items` tells them."""
    items = json.loads(run(demo_kb / "curation", "items", "--format", "json", "--visible").output)
    return [i for i in items if "deal" in i["values"]]


def open_deals(member, width: int, path: str = "deals/") -> object:
    member.page.set_viewport_size({"width": width, "height": 900})
    member.page.goto(member.base + path)
    return member.page


def shown_rows(page) -> list[list[str]]:
    """The deals a member sees, in order: [date, company, round, amount, investors, source]."""
    return page.eval_on_selector_all(ROWS, CELLS)


def heading(page) -> str:
    return page.locator("h1").inner_text().removesuffix("¶")  # the theme's permalink sign


def sort_by(page, label: str) -> None:
    page.locator(".fk-deals th button", has_text=label).click()


def test_deals_is_a_top_level_tab_and_fa_value_a_plain_one(member) -> None:
    page = open_deals(member, DESKTOP, "")
    tabs = page.locator(".md-tabs__link")
    assert "融资与并购" in tabs.all_inner_texts()
    tabs.filter(has_text="融资与并购").click()
    page.wait_for_url(f"{member.base}deals/")
    assert heading(page) == "融资与并购"
    page.locator(".md-tabs__link", has_text="FA价值").click()
    page.wait_for_url(f"{member.base}values/deal/")


def test_new_knowledge_bases_get_the_same_tabs() -> None:
    def nav(path: Path) -> list:
        return yaml.safe_load(path.read_text(encoding="utf-8"))["nav"]

    assert nav(REPO / "mkdocs.yml") == nav(REPO / "src/feedkb/defaults/mkdocs.yml")


def test_a_deal_is_a_readable_card_on_a_phone(member) -> None:
    page = open_deals(member, PHONE)
    card = page.locator(ROWS).filter(has_text="蜂鸟快送")
    box = card.bounding_box()
    assert box["width"] > PHONE * 0.85  # the card spans the screen
    parts = {
        name: card.locator(f".fk-d-{name}").bounding_box()
        for name in ("company", "amount", "round", "date", "investors", "source")
    }
    assert all(p["x"] >= 0 and p["x"] + p["width"] <= PHONE for p in parts.values())
    # Company and amount head the card on one line; round and date under them.
    assert abs(parts["company"]["y"] - parts["amount"]["y"]) < 4
    assert abs(parts["round"]["y"] - parts["date"]["y"]) < 4
    assert parts["round"]["y"] > parts["company"]["y"]
    assert parts["source"]["y"] > parts["investors"]["y"] > parts["round"]["y"]
    text = card.inner_text()
    for shown in ("蜂鸟快送", "C轮", "6亿元", "2026-11-23", "美团龙珠（领投）", "创投日报"):
        assert shown in text, text
    labels = [
        card.locator(f".fk-d-{name}").evaluate("e => getComputedStyle(e, '::before').content")
        for name in ("investors", "source")
    ]
    assert labels == ['"投资方："', '"来源："']  # a card names what its lines are
    assert box["height"] < 200, "a card is a few lines, not a column of single characters"
    # Sorting stays at hand: the header row becomes a bar of the sortable columns.
    assert page.locator(".fk-deals th button", has_text="金额").is_visible()


def test_the_table_uses_a_desktop_width_and_rows_stay_on_one_line(member) -> None:
    page = open_deals(member, DESKTOP)
    table = page.locator("table.fk-deals").bounding_box()
    assert table["width"] > DESKTOP * 0.75  # no sidebars beside it: a third no longer empty
    row = page.locator(ROWS).filter(has_text="蜂鸟快送")
    tops = {round(c.bounding_box()["y"]) for c in row.locator("td").all()}
    assert len(tops) == 1, "a table's row: every cell side by side"
    source = row.locator(".fk-d-source")
    assert source.bounding_box()["height"] < 30, "来源 fits its column on one line"


def test_sorting_by_amount_orders_by_value_in_yuan(member) -> None:
    page = open_deals(member, DESKTOP)
    sort_by(page, "金额")
    amounts = [row[3] for row in shown_rows(page)]
    assert amounts.index("百亿级") == 0  # 100亿元 is the largest
    assert amounts.index("$300M≈21.6亿元") < amounts.index("15亿元")  # $300M ≈ 21.6亿元
    assert amounts.index("8亿元") < amounts.index("6亿元") < amounts.index("5000万元")
    assert amounts.index("5亿元") < amounts.index("$45M≈3.2亿元") < amounts.index("3亿元")
    disclosed = [a for a in amounts if a != "未披露"]
    assert amounts[: len(disclosed)] == disclosed, "undisclosed amounts come last"
    sort_by(page, "金额")  # again: smallest first, undisclosed still last
    amounts = [row[3] for row in shown_rows(page)]
    assert amounts[0] in ("数百万元",) and amounts[-1] == "未披露"
    assert amounts.index("5000万元") < amounts.index("6亿元")


def test_sorting_by_date(member) -> None:
    page = open_deals(member, DESKTOP)
    newest_first = [row[0] for row in shown_rows(page)]
    assert newest_first == sorted(newest_first, reverse=True)
    sort_by(page, "日期")
    oldest_first = [row[0] for row in shown_rows(page)]
    assert oldest_first == sorted(newest_first)
    assert page.locator("th", has_text="日期").get_attribute("aria-sort") == "ascending"


def test_sorting_by_round_follows_a_companys_life(member) -> None:
    page = open_deals(member, DESKTOP)
    sort_by(page, "轮次")
    sort_by(page, "轮次")  # the second click: earliest first
    rounds = [row[2] for row in shown_rows(page)]
    life = ["种子轮", "天使轮", "Pre-A轮", "A轮", "A+轮", "B轮", "B+轮", "C轮", "D轮"]
    life += ["Pre-IPO", "IPO", "战略投资", "并购", "基金募资", "未披露"]
    assert [r for r in dict.fromkeys(rounds)] == [r for r in life if r in rounds]
    for kind in ("并购", "基金募资"):  # each kind of deal in one block
        at = [n for n, r in enumerate(rounds) if r == kind]
        assert at == list(range(at[0], at[-1] + 1))


def test_filtering_by_round_and_month(member, demo_deals) -> None:
    page = open_deals(member, DESKTOP)
    page.select_option('[data-fk-filter="r"]', label="B轮")
    rows = shown_rows(page)
    b_rounds = [d for d in demo_deals if (d["deal"] or {}).get("round") == "B"]
    assert len(rows) == len(b_rounds) > 1 and {r[2] for r in rows} == {"B轮"}
    assert page.locator(".fk-deal-count").inner_text() == f"显示 {len(rows)} / 41 起"
    page.select_option('[data-fk-filter="m"]', "2026-10")
    rows = shown_rows(page)
    assert rows and all(r[0].startswith("2026-10") and r[2] == "B轮" for r in rows)
    page.select_option('[data-fk-filter="r"]', label="全部")
    rows = shown_rows(page)
    assert len(rows) > 10 and all(r[0].startswith("2026-10") for r in rows)
    sort_by(page, "金额")  # sorting keeps the filter
    assert shown_rows(page) != rows and sorted(shown_rows(page)) == sorted(rows)


def test_a_month_page_and_its_neighbours(member) -> None:
    page = open_deals(member, PHONE, "deals/2026-10/")
    assert heading(page) == "融资与并购 · 2026-10"
    assert all(r[0].startswith("2026-10") for r in shown_rows(page))
    page.locator('a[rel="next"]').click()
    page.wait_for_url(f"{member.base}deals/2026-11/")


def test_the_csv_holds_every_deal_and_opens_as_utf8(member, demo_deals) -> None:
    page = open_deals(member, DESKTOP)
    with page.expect_download() as download:
        page.locator("a[download]", has_text="CSV").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "a byte order mark, for Excel to read Chinese"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(demo_deals) == 41
    assert {r["标题"] for r in rows} == {d["title"] for d in demo_deals}
    fengniao = next(r for r in rows if r["公司"] == "蜂鸟快送")
    assert (fengniao["日期"], fengniao["轮次"], fengniao["金额"]) == ("2026-11-23", "C轮", "6亿元")
    assert fengniao["金额折合人民币（元，固定汇率）"] == "600000000"
    assert fengniao["投资方"] == "美团龙珠（领投）、腾讯投资"
    assert fengniao["来源"] == "创投日报"
    assert fengniao["原文链接"].startswith("https://vc.example.com/")
    assert re.search(r"/archive/2026-11[^#]*/#item-[0-9a-f]{16}$", fengniao["条目链接"])
    greenfield = next(r for r in rows if r["公司"] == "Greenfield Energy")
    assert greenfield["金额"] == "$300M"
    assert greenfield["金额折合人民币（元，固定汇率）"] == "2160000000"  # at 7.2 yuan a dollar


def test_a_company_page_lists_its_deals_and_items(member) -> None:
    page = open_deals(member, DESKTOP, "companies/")
    page.locator(".fk-directory a", has_text="星河智驾").click()
    page.wait_for_url(re.compile(r"/companies/[0-9a-f]{12}/$"))
    assert heading(page) == "星河智驾"
    deals = page.eval_on_selector_all(".fk-deals tbody tr", CELLS)
    assert [(d[0], d[2], d[3]) for d in deals] == [
        ("2026-11-04", "B轮", "5亿元"),
        ("2026-10-05", "A+轮", "3亿元"),
    ]
    timeline = page.locator(".fk-timeline li")
    assert timeline.count() == 2
    days = [t.inner_text() for t in page.locator(".fk-timeline time").all()]
    assert days == sorted(days, reverse=True)
    original = timeline.first.locator("a").first.get_attribute("href")
    assert original.startswith("https://")
    timeline.first.locator("a", has_text="详情").click()
    page.wait_for_url(re.compile(r"/archive/.*#item-[0-9a-f]{16}$"))


def test_a_deal_links_to_its_companys_page(member) -> None:
    page = open_deals(member, PHONE)
    row = page.locator(ROWS).filter(has_text="星河智驾").first
    row.locator("a", has_text="企业页").click()
    page.wait_for_url(re.compile(r"/companies/[0-9a-f]{12}/$"))
    assert heading(page) == "星河智驾"


def test_the_directory_is_one_compact_page_that_narrows_as_one_types(member) -> None:
    page = open_deals(member, PHONE, "companies/")
    assert heading(page) == "企业名录"
    assert page.locator(".fk-pager").count() == 0
    tiles = page.locator(".fk-directory li:not([hidden])")
    total = tiles.count()
    assert total > 40
    # Two tiles side by side on a phone: compact, not one heading per line.
    first, second = (tiles.nth(n).bounding_box() for n in (0, 1))
    assert abs(first["y"] - second["y"]) < 4 and second["x"] > first["x"]
    page.locator("[data-fk-find]").fill("科技")
    names = tiles.locator("a").all_text_contents()
    assert 1 < len(names) < total and all("科技" in n for n in names)
    assert page.locator(".fk-find-count").inner_text() == f"找到 {len(names)} 家"
    page.locator("[data-fk-find]").fill("lumen")  # Latin names, whatever the case
    expect(tiles.locator("a")).to_have_text(["Lumen AI"])
    page.locator("[data-fk-find]").fill("")
    assert tiles.count() == total


# --- the CSV, on a knowledge base built for it ------------------------------------------


def test_a_headline_never_becomes_a_spreadsheet_formula(tmp_path: Path) -> None:
    """A cell starting with = + - @ runs as a formula in Excel: a feed's text is kept text."""
    titles = [
        '=HYPERLINK("https://evil.example.com","星河科技完成2亿元A轮融资")',
        "@SUM(1+1) 云图智能获5000万元天使轮融资",
    ]
    items = [
        Item(
            id=f"{n:016x}",
            source="s",
            title=title,
            url=f"https://e.example.com/{n}",
            guid="",
            published="2026-11-02T08:00:00Z",
            first_seen="2026-11-02T08:00:00Z",
        )
        for n, title in enumerate(titles)
    ]
    kb = build_kb(
        items,
        {"s": Source(id="s", title="-来源", url="https://e.example.com/feed")},
        load_rules(REPO / "curation"),
        Overrides(tmp_path / "overrides.yaml", {}, {}),
    )
    site = SiteBuilder(kb, {}, SiteSettings(50, 5, 8, True))
    build_pages(site)
    rows = list(csv.reader(io.StringIO(deals_csv(site, "https://kb.example.com/"))))[1:]
    assert len(rows) == len(titles)
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row
    assert {row[7] for row in rows} == {"'" + t for t in titles}
    assert {row[6] for row in rows} == {"'-来源"}
