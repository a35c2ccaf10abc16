"""Search that finds: the demo site's search box in Chromium, at a phone's width and a
desktop's, checked against the knowledge base itself.

A query finds exactly the items holding it (Chinese in any segmentation, Latin names such as
GGV and Pre-A), a company's own items first; the value, source and month filters narrow the
results and count them; newest first is by date; each result shows its title, day, source and
badges as elements of their own and a snippet starting at a word. The search dialog lays out at
390 and 1400 px and has no serious accessibility problem.
"""

import json
import re
from pathlib import Path

import pytest

from feedkb.site.localtime import LocalTime
from feedkb.site.search_index import (
    ITEMS,
    ITEMS_ENTRY,
    SearchIndexError,
    archive_cards,
    verify_index,
)
from feedkb.site.search_records import SPAN, read_cards, tokens
from feedkb.sources import SourceList
from feedkb.values import VALUE_LABELS
from tests.conftest import run
from tests.sitecheck import (
    DESKTOP,
    PHONE,
    browser_on,
    layout_problems,
    serious_accessibility_violations,
)

SEARCH_JS = Path(__file__).resolve().parents[1] / "src" / "feedkb" / "site" / "search.js"
RESULT = ".fk-hit"
WORD = re.compile(r"[A-Za-z0-9]")


# --- what the knowledge base says ---------------------------------------------------------


@pytest.fixture(scope="module")
def items(demo_kb: Path) -> list[dict]:
    """The demo's visible items, as the CLI gives them, with what a member reads of each."""
    curation = demo_kb / "curation"
    found = json.loads(run(curation, "items", "--format", "json", "--visible").output)
    titles = {s.id: s.title for s in SourceList.load(curation).sources}
    time = LocalTime()
    for item in found:
        item["text"] = " ".join([item["title"], item["summary"], *item["companies"]])
        item["source_title"] = titles.get(item["source"], item["source"])
        item["labels"] = [VALUE_LABELS[v] for v in item["values"]]
        item["day"] = time.day(item["published"])
        item["month"] = time.month(item["published"])
    return found


def holding(items: list[dict], query: str) -> set[str]:
    """Titles of the items a query should find: Chinese as written, anywhere; a Latin word at
    the start of a word (Pagefind's prefix match; Pre-A is one word)."""
    found = set()
    for item in items:
        text = item["text"].lower()
        if all(
            re.search(r"(?<![a-z0-9])" + re.escape(word.lower()), text)
            if WORD.match(word)
            else word in item["text"]
            for word in query.split()
        ):
            found.add(item["title"])
    return found


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def member(demo_kb: Path):
    with browser_on(demo_kb / "site") as browser:
        yield browser


def open_search(member, width: int = DESKTOP) -> None:
    page = member.page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(member.base, wait_until="networkidle")
    if width < 960:  # the phone layout: the header's search button opens the dialog
        page.locator("label.md-header__button[for=__search]").click()
    page.locator("input.md-search__input").click()


def results(member, query: str) -> list[dict]:
    """Type ``query`` and wait for its results: each as the elements it shows."""
    page = member.page
    page.locator("input.md-search__input").fill(query)
    return shown(member)


def shown(member) -> list[dict]:
    page = member.page
    page.wait_for_function(
        "!document.querySelector('[data-feedkb-results]').hasAttribute('aria-busy')",
        timeout=20000,
    )
    return page.eval_on_selector_all(
        RESULT,
        """hits => hits.map(hit => ({
          title: hit.querySelector('.fk-hit-title')?.textContent,
          date: hit.querySelector('time.fk-hit-date')?.textContent,
          datetime: hit.querySelector('time.fk-hit-date')?.getAttribute('datetime'),
          sources: [...hit.querySelectorAll('.fk-hit-source')].map(e => e.textContent),
          badges: [...hit.querySelectorAll('.fk-badge')].map(e => e.textContent),
          snippet: hit.querySelector('.fk-hit-text')?.textContent ?? '',
          marks: [...hit.querySelectorAll('.fk-hit-text mark')].map(e => e.textContent),
          href: hit.querySelector('a').getAttribute('href'),
          metaChildren: [...hit.querySelector('.fk-hit-meta').children].map(e => e.className),
        }))""",
    )


def count_shown(member) -> int:
    meta = member.page.locator("[data-feedkb-meta]").inner_text()
    m = re.match(r"(\d+) 个符合条件的结果", meta)
    return int(m[1]) if m else 0


def all_results(member) -> list[dict]:
    """Every result, pressing 显示更多 until none is left."""
    page = member.page
    while page.locator("[data-feedkb-more]").is_visible():
        before = page.locator(RESULT).count()
        page.locator("[data-feedkb-more]").click()
        page.wait_for_function(f"document.querySelectorAll('.fk-hit').length > {before}")
    return shown_all(member)


def shown_all(member) -> list[dict]:
    return member.page.eval_on_selector_all(
        RESULT,
        """hits => hits.map(hit => ({
          title: hit.querySelector('.fk-hit-title').textContent,
          date: hit.querySelector('time.fk-hit-date')?.textContent,
          badges: [...hit.querySelectorAll('.fk-badge')].map(e => e.textContent),
        }))""",
    )


def open_filters(member) -> None:
    page = member.page
    button = page.locator("[data-feedkb-filter-toggle]")
    if button.get_attribute("aria-expanded") != "true":
        button.click()
    page.wait_for_function(
        "document.querySelectorAll('[data-feedkb-filter=value] option').length > 1"
    )


def choose(member, key: str, value: str) -> list[dict]:
    member.page.locator(f"[data-feedkb-filter={key}]").select_option(value)
    shown(member)
    return all_results(member)


# --- finding ------------------------------------------------------------------------------

# Each of these once found nothing, or the wrong items: the browser cut the query into other
# words than the index held (储能, 南方电网, 深蓝储能), or a name was split at its hyphen.
QUERIES = [
    "蜂鸟快送",
    "储能",
    "深蓝储能",
    "南方电网",
    "机器人",
    "融资",
    "储",
    "云杉数科 收购",
    "GGV",
    "Pre-A",
    "Nova Robotics",
    "TikTok",
    "2026",
]


def test_a_query_finds_exactly_the_items_holding_it(member, items) -> None:
    open_search(member)
    found = {}
    for query in QUERIES:
        results(member, query)
        got = {r["title"] for r in all_results(member)}
        expected = holding(items, query)
        if got != expected:
            found[query] = {"missing": sorted(expected - got), "extra": sorted(got - expected)}
        assert expected, f"the demo has no item for {query}"
    assert not found, found
    assert not member.problems, member.problems


def test_the_item_a_company_query_names_comes_first(member, items) -> None:
    open_search(member)
    first = results(member, "蜂鸟快送")[0]
    assert "蜂鸟快送" in first["title"], first
    # Every deal company of the demo: found, and the items with the name in their title come
    # before those that only mention it.
    wrong = {}
    companies = sorted(
        {i["deal"]["company"] for i in items if i.get("deal") and i["deal"]["company"]}
    )
    assert len(companies) > 10
    for company in companies:
        titles = [r["title"] for r in results(member, company)]
        named = [company in t for t in titles]
        if not named or (any(named) and named != sorted(named, reverse=True)):
            wrong[company] = titles[:5]
    assert not wrong, wrong


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("GGV", "跨境电商服务商小熊出海获千万美元Pre-A轮融资"),
        ("Nova Robotics", "Nova Robotics raises $45M Series B to scale warehouse robots"),
        ("lumen ai", "Lumen AI lands $6M seed round for enterprise agents"),
    ],
)
def test_a_latin_name_finds_its_item_first(member, query: str, title: str) -> None:
    open_search(member)
    assert results(member, query)[0]["title"] == title


def test_pre_a_is_not_pre_ipo(member, items) -> None:
    open_search(member)
    titles = [r["title"] for r in results(member, "Pre-A")]
    assert titles and all("Pre-A" in t for t in titles), titles
    assert any("Pre-IPO" in i["title"] for i in items)  # in the demo, and not found


# --- filters, counts and order ------------------------------------------------------------


def test_the_value_filter_keeps_only_items_with_that_badge(member, items) -> None:
    open_search(member)
    results(member, "融资")
    everything = count_shown(member)
    open_filters(member)
    counted = member.page.locator("[data-feedkb-filter=value] option", has_text="FA价值")
    assert re.fullmatch(r"FA价值（\d+）", counted.inner_text())
    promised = int(re.search(r"（(\d+)）", counted.inner_text())[1])
    got = choose(member, "value", "FA价值")
    expected = {i["title"] for i in items if i["title"] in holding(items, "融资")}
    expected = {
        t for t in expected if "FA价值" in next(i["labels"] for i in items if i["title"] == t)
    }
    assert len(got) == promised == len(expected) < everything
    assert all("FA价值" in r["badges"] for r in got), got
    assert {r["title"] for r in got} == expected


def test_the_month_and_source_filters_narrow_by_the_sites_calendar(member, items) -> None:
    open_search(member)
    results(member, "融资")
    open_filters(member)
    months = member.page.eval_on_selector_all(
        "[data-feedkb-filter=month] option", "os => os.map(o => o.value).filter(Boolean)"
    )
    assert months == sorted({i["month"] for i in items}, reverse=True)
    month = months[-1]
    got = choose(member, "month", month)
    expected = {i["title"] for i in items if i["month"] == month} & holding(items, "融资")
    assert got and {r["title"] for r in got} == expected
    assert all(r["date"].startswith(month) for r in got)
    # Then a source on top: both hold.
    source = "创投日报"
    got = choose(member, "source", source)
    expected = {
        i["title"] for i in items if i["month"] == month and i["source_title"] == source
    } & holding(items, "融资")
    assert got and {r["title"] for r in got} == expected


def test_filters_alone_list_items_newest_first(member, items) -> None:
    open_search(member)
    open_filters(member)
    got = choose(member, "value", "资源价值")
    expected = [i for i in items if "资源价值" in i["labels"]]
    assert len(got) == len(expected)
    assert [r["date"] for r in got] == sorted((r["date"] for r in got), reverse=True)


def test_newest_first_orders_by_date(member, items) -> None:
    open_search(member)
    relevance = all_results(member) if results(member, "融资") else []
    member.page.locator("[data-feedkb-sort]").select_option("newest")
    shown(member)
    newest = all_results(member)
    dates = [r["date"] for r in newest]
    assert len(dates) > 10
    assert dates == sorted(dates, reverse=True)
    assert sorted(r["title"] for r in newest) == sorted(r["title"] for r in relevance)
    assert [r["title"] for r in newest] != [r["title"] for r in relevance]


# --- what a result shows ------------------------------------------------------------------


def test_each_result_shows_title_date_source_and_badges_apart(member, items) -> None:
    open_search(member)
    by_title = {i["title"]: i for i in items}
    got = results(member, "融资")
    assert len(got) == min(20, count_shown(member)) > 10
    for r in got:
        item = by_title[r["title"]]
        assert r["date"] == r["datetime"] == item["day"]
        assert r["sources"] == [item["source_title"]]
        assert sorted(r["badges"]) == sorted(item["labels"])
        assert r["metaChildren"][:2] == ["fk-hit-date", "fk-hit-source"]
        assert all(c.startswith("fk-badge") for c in r["metaChildren"][2:])
        assert r["href"].endswith(f"#item-{item['id']}")
        assert "融资" in r["marks"]


def starts_at_a_word(text: str, snippet: str) -> bool:
    body = snippet.removeprefix("…").removesuffix("…")
    at = text.find(body)
    if at <= 0:
        return at == 0
    before, first = text[at - 1], text[at]
    if WORD.match(before) and WORD.match(first):
        return False  # inside a Latin word
    if before in "-‐‑–" and at > 1 and WORD.match(text[at - 2]):
        return False  # after a hyphen joining two words (Pre-A)
    return not first.isspace() and first not in "，。、；：,.;:!?！？"


def test_a_snippet_starts_at_a_word(member, items) -> None:
    open_search(member)
    by_title = {i["title"]: i for i in items}
    checked = 0
    for query in ["Horizon", "raise", "seed round", "Pre-A", "融资", "TikTok"]:
        for r in results(member, query):
            summary = by_title[r["title"]]["summary"]
            assert r["snippet"], r
            assert starts_at_a_word(summary, r["snippet"]), (query, r["snippet"])
            checked += r["snippet"].startswith("…")
    assert checked  # some snippets were cut at the front, and cut at a word


def test_a_result_link_opens_the_item_on_its_archive_page(member) -> None:
    open_search(member)
    results(member, "蜂鸟快送")
    member.page.locator(RESULT).first.locator("a").click()
    member.page.wait_for_url(re.compile(r"/archive/.*#item-[0-9a-f]{16}$"), timeout=10000)
    fragment = member.page.url.split("#")[1]
    assert "蜂鸟快送" in member.page.locator(f"#{fragment}").inner_text()
    assert not member.problems, member.problems


# --- layout and accessibility with the dialog open ----------------------------------------


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_the_search_dialog_lays_out_and_is_accessible(member, width: int) -> None:
    open_search(member, width)
    results(member, "Pre-A 融资")
    open_filters(member)
    choose(member, "value", "FA价值")
    page = member.page
    assert page.locator(RESULT).first.is_visible()
    for select in page.locator("[data-feedkb-filter], [data-feedkb-sort]").all():
        assert select.is_visible()
    assert not layout_problems(page)
    assert not serious_accessibility_violations(page)
    assert not member.problems, member.problems


# --- the index, without a browser ---------------------------------------------------------


def test_chinese_runs_become_tokens_of_span_characters() -> None:
    assert tokens("深蓝储能宣布Pre-A轮") == " 深蓝 蓝储 储能 能宣 宣布 布 Pre-A 轮 "
    assert int(re.search(r"var SPAN = (\d+);", SEARCH_JS.read_text())[1]) == SPAN


def test_search_js_knows_the_value_labels_in_order() -> None:
    pairs = re.findall(r'\["([^"]+)", "([a-z-]+)"\]', SEARCH_JS.read_text(encoding="utf-8"))
    assert pairs == [(label, slug) for slug, label in VALUE_LABELS.items()]


def test_cards_are_read_with_pagefinds_rules_per_item(demo_kb: Path, items) -> None:
    pages = archive_cards(demo_kb / "site")
    cards = [c for cs in pages.values() for c in cs]
    assert len(cards) == len(items)
    by_id = {i["id"]: i for i in items}
    for card in cards:
        item = by_id[card.id]
        assert card.title == item["title"]
        assert card.text == item["summary"]
        assert card.day == item["day"]
        assert card.filters == {
            "month": [item["month"]],
            "source": [item["source_title"]],
            **({"value": item["labels"]} if item["labels"] else {}),
        }
        assert card.page.startswith("archive/") and card.page.endswith("/")
    html = (
        '<section data-feedkb-record="x" data-pagefind-meta="company:甲, 乙"><h2>T</h2></section>'
    )
    (card,) = read_cards(html, "archive/x/")
    assert card.meta == {"company": "甲, 乙"} and card.title == "T" and card.text == ""


def test_every_item_is_placed_once_and_shown_by_its_number(demo_kb: Path, items) -> None:
    bundle = demo_kb / "site" / "pagefind"
    entry = json.loads((bundle / ITEMS_ENTRY).read_text(encoding="utf-8"))
    folder = bundle / ITEMS / entry["build"]
    layout = json.loads((folder / "pages.json").read_text(encoding="utf-8"))["pages"]
    numbers = [
        n for page in layout.values() for first, k in page[0] for n in range(first, first + k)
    ]
    assert sorted(numbers) == list(range(len(items))) == list(range(entry["items"]))
    for page in layout.values():
        assert len(page[2]) == len(page[3]) == sum(k for _, k in page[0])
        assert all(0 < w < n for w, n in zip(page[3], page[2], strict=True))
    shown = [
        doc
        for b in range(-(-entry["items"] // entry["bucket"]))
        for doc in json.loads((folder / f"b{b}.json").read_text(encoding="utf-8"))
    ]
    assert [d["d"] for d in shown] == sorted(d["d"] for d in shown)  # oldest first
    assert {d["t"] for d in shown} == {i["title"] for i in items}


def test_a_missing_result_file_is_caught_and_named(demo_kb: Path, tmp_path: Path) -> None:
    import shutil

    bundle = tmp_path / "pagefind"
    shutil.copytree(demo_kb / "site" / "pagefind", bundle)
    assert verify_index(bundle, items=True) > 0
    entry = json.loads((bundle / ITEMS_ENTRY).read_text(encoding="utf-8"))
    victim = bundle / ITEMS / entry["build"] / "b3.json"
    victim.unlink()
    with pytest.raises(SearchIndexError, match=r"b3\.json"):
        verify_index(bundle)
