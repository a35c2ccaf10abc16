"""The home page tells the week, and the site speaks Chinese to members: in Chromium on the
demo site at a phone's width (390 px) and a desktop's (1400 px), and on a small knowledge base
with a value that has no items."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from feedkb.rules import DEFAULT_RULES, load_rules
from feedkb.site.pages.digests import week_label
from feedkb.values import VALUE_LABELS
from tests.conftest import rss, write_sources
from tests.sitecheck import (
    DESKTOP,
    PHONE,
    browser_on,
    build_site,
    layout_problems,
    serious_accessibility_violations,
)
from tests.test_members_site import page_types

SITE_NAME = "行业知识库"  # site_name in the demo's mkdocs.yml
WEEK_HEADLINES = 3  # per value, on the home page
NEWEST = 5  # highlights_per_value in the demo's mkdocs.yml
# The most cards the home page shows, however many items there are: the week's few per
# value, the latest deals, the pinned and the newest of each value.
MOST_HOME_CARDS = WEEK_HEADLINES * len(VALUE_LABELS) + 5 + NEWEST + NEWEST * len(VALUE_LABELS)
REGEX_SIGNS = re.compile(r"[\\^$*+?()\[\]{}|]")
# A word of English; FA (of the label FA价值) is the Chinese industry's own.
LATIN_WORD = re.compile(r"(?!FA价值|FA与)[A-Za-z]{2,}")


# --- a knowledge base with a value that has no items ----------------------------------------
# First in the module: its browser must close before the demo's opens (one per thread).

NEWS_ONLY = [
    ("国务院常务会议部署推进服务消费提质扩容", "会议指出，要扩大服务消费。"),
    ("10月社会消费品零售总额同比增长4.8%", "国家统计局数据显示，其中餐饮收入增长6.2%。"),
]


@pytest.fixture(scope="module")
def sparse_site(tmp_path_factory) -> Path:
    """A knowledge base of a few news items: nothing of 资源价值, nothing pinned."""
    root = tmp_path_factory.mktemp("sparse")
    feed = root / "news.xml"
    feed.write_bytes(
        rss(
            [
                {
                    "title": title,
                    "description": summary,
                    "link": f"https://news.example.com/{n}",
                    "pubDate": f"Mon, {16 + n} Nov 2026 08:00:00 GMT",
                }
                for n, (title, summary) in enumerate(NEWS_ONLY)
            ]
        )
    )
    curation = root / "curation"
    curation.mkdir()
    write_sources(curation, [{"id": "news", "title": "新闻来源", "url": str(feed)}])
    # In a process of its own: the browser of this module's other tests runs an event loop.
    fetch = [sys.executable, "-m", "feedkb", "--curation", str(curation), "fetch"]
    subprocess.run(fetch, check=True, capture_output=True, timeout=120)
    site = root / "site"
    build_site(curation, site)
    return site


def test_sections_with_nothing_say_so(sparse_site: Path) -> None:
    with browser_on(sparse_site) as browser:
        page, base = browser.page, browser.base
        page.set_viewport_size({"width": PHONE, "height": 900})
        page.goto(base)
        for panel in ("resource", "pinned"):
            assert page.locator(f".fk-panel--{panel} .fk-empty").inner_text() == "暂无条目"
        resource_week = page.locator(".fk-week-group").nth(list(VALUE_LABELS).index("resource"))
        assert resource_week.locator(".fk-week-value").inner_text() == "资源价值"
        assert resource_week.locator(".fk-empty").inner_text() == "暂无条目"
        assert layout_problems(page) == []
        assert serious_accessibility_violations(page) == []
        page.goto(base + "values/resource/")
        assert page.locator(".fk-empty").all_inner_texts() == ["暂无条目", "暂无条目"]
        page.goto(base + "digests/")
        follow(page, page.locator(".fk-months a").first, "周报 · ")
        assert page.locator("h2#resource + .fk-empty").inner_text() == "暂无条目"
        assert page.locator("h2#news ~ .fk-item").count() > 0
        assert not browser.problems, browser.problems


# --- the demo site -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def member(demo_kb: Path):
    with browser_on(demo_kb / "site") as browser:
        yield browser


def boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {x: Math.round(r.left), y: Math.round(r.top), width: r.width}; })",
    )


def follow(page, link, heading: str) -> None:
    """Click ``link`` and wait for the page whose title holds ``heading``: the theme swaps
    pages in place, after the address changes."""
    link.click()
    page.locator("h1", has_text=heading).wait_for()


def texts(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.innerText.trim())")


# --- the home page ----------------------------------------------------------------------


def test_home_fills_a_desktop_with_tiles_in_a_row_and_cards_in_columns(member) -> None:
    member.page.set_viewport_size({"width": DESKTOP, "height": 900})
    member.page.goto(member.base)
    tiles = boxes(member.page, ".fk-tile")
    assert len(tiles) == len(VALUE_LABELS) + 1  # one per value, and the deals
    assert len({t["y"] for t in tiles}) == 1, tiles  # one row
    columns = {p["x"] for p in boxes(member.page, ".fk-home > .fk-panel")}
    assert len(columns) == 3, columns
    # The week's values side by side.
    assert len({g["x"] for g in boxes(member.page, ".fk-week-group")}) == len(VALUE_LABELS)
    assert layout_problems(member.page) == []
    assert not member.problems, member.problems


def test_home_is_one_column_on_a_phone(member) -> None:
    member.page.set_viewport_size({"width": PHONE, "height": 900})
    member.page.goto(member.base)
    panels = boxes(member.page, ".fk-home > .fk-panel, .fk-week-group")
    assert len({p["x"] for p in boxes(member.page, ".fk-home > .fk-panel")}) == 1
    assert all(p["width"] > PHONE * 0.75 for p in panels), panels
    assert len({t["y"] for t in boxes(member.page, ".fk-tile")}) > 1  # tiles wrap, unsqueezed
    assert layout_problems(member.page) == []


def test_home_tells_the_latest_week_with_its_digests_headlines(member) -> None:
    page = member.page
    page.goto(member.base + "digests/")
    newest_week = page.locator(".fk-months a").first.inner_text()  # 2026年第48周
    page.goto(member.base)
    week = page.locator(".fk-panel--week")
    assert newest_week in week.locator("h2").inner_text()
    on_home = page.eval_on_selector_all(
        ".fk-week-group",
        "groups => Object.fromEntries(groups.map(g => [g.querySelector('.fk-week-value')"
        ".innerText, [...g.querySelectorAll('.fk-title')].map(t => t.innerText.trim())]))",
    )
    assert list(on_home) == list(VALUE_LABELS.values())
    follow(page, week.get_by_role("link", name="阅读完整周报"), newest_week)
    for slug, label in VALUE_LABELS.items():
        in_digest = texts(page, f"h2#{slug} ~ .fk-item .fk-title")  # sections run in order
        following = texts(page, f"h2#{slug} ~ h2 ~ .fk-item .fk-title")
        section = in_digest[: len(in_digest) - len(following)]
        assert on_home[label] == section[:WEEK_HEADLINES], label
    assert any(on_home.values())


def test_home_says_when_it_was_updated_and_stays_bounded(member) -> None:
    member.page.goto(member.base)
    updated = member.page.locator(".fk-updated").inner_text()
    assert re.search(r"最近更新：\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", updated), updated
    assert 0 < member.page.locator(".fk-item").count() <= MOST_HOME_CARDS


def test_home_tiles_count_and_lead_to_their_pages(member) -> None:
    page = member.page
    for slug, label in VALUE_LABELS.items():
        page.goto(member.base)
        tile = page.locator(".fk-tile", has_text=label)
        count = int(tile.locator(".fk-tile__count").inner_text())
        follow(page, tile, label)
        assert page.url == f"{member.base}values/{slug}/"
        months = texts(page, ".fk-months li")  # 2026-11（62 条）
        assert count == sum(int(re.search(r"（(\d+) 条）", m).group(1)) for m in months), label
    page.goto(member.base)
    follow(page, page.locator(".fk-tile", has_text="融资与并购"), "融资与并购")
    assert page.url == f"{member.base}deals/"
    page.goto(member.base)
    deals = page.locator(".fk-panel--latest-deals")
    assert deals.locator(".fk-deal-card").count() > 0
    follow(page, deals.get_by_role("link", name="全部融资与并购"), "融资与并购")
    assert page.url == f"{member.base}deals/"


# --- in Chinese, in words a member reads ---------------------------------------------------


def test_badge_tooltips_say_which_words_matched_never_a_regex(member) -> None:
    rules = load_rules(DEFAULT_RULES.parent)  # the demo's rules
    plain_terms = {t.text for tag in rules.tags.values() for t in tag.terms if t.regex is None}
    tips = set()
    for path in page_types(member.site).values():
        member.page.goto(member.base + path)
        tips.update(
            member.page.eval_on_selector_all(".fk-badge[title]", "b => b.map(e => e.title)")
        )
    assert len(tips) > 50
    for tip in tips:
        assert re.search(r"得分 [\d.]+，门槛 [\d.]+$", tip), tip
        assert not REGEX_SIGNS.search(tip) and "source" not in tip and ":" not in tip, tip
        matched = re.search(r"命中词：([^；]+)", tip)
        words = re.findall(r"([^、]+)（(?:标题|摘要)）", matched.group(1)) if matched else []
        for word in words:  # the rule's own word, or what a member reads in its place
            assert word in plain_terms | {"规则匹配", "问号", "冒号", "感叹号"}, tip
            assert re.search(r"\w", word), tip
        outside_terms = re.sub(r"命中词：[^；]+", "", tip)
        assert not LATIN_WORD.search(outside_terms), tip
    assert any("规则匹配" in t for t in tips)  # the demo's regexes, in words
    assert any("来源常发此类内容" in t for t in tips)  # and its sources' hints


# Everything the site's frame says: labels, placeholders, the headings' link titles, the footer.
INTERFACE_TEXT = """() => [
  ...[...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label')),
  ...[...document.querySelectorAll('[placeholder]')].map(e => e.getAttribute('placeholder')),
  ...[...document.querySelectorAll('.headerlink, [title="永久链接"]')].map(e => e.title),
  document.querySelector('.md-footer').innerText,
  document.querySelector('.md-header').innerText,
  document.querySelector('h1').innerText,
]"""


def test_the_sites_frame_speaks_chinese_and_never_names_the_theme(member) -> None:
    found = {}
    for kind, path in {**page_types(member.site), "not found": "404.html"}.items():
        member.page.goto(member.base + path)
        english = [t for t in member.page.evaluate(INTERFACE_TEXT) if LATIN_WORD.search(t)]
        if english:
            found[kind] = english
    assert not found, found
    member.page.goto(member.base)
    footer = member.page.locator(".md-footer").inner_text()
    assert SITE_NAME in footer and "Material" not in footer and "Made with" not in footer


def test_weekly_digests_link_the_week_before_and_after(member) -> None:
    page = member.page
    weeks = sorted(p.parent.name for p in member.site.glob("digests/20*/index.html"))
    assert len(weeks) >= 3
    page.goto(f"{member.base}digests/{weeks[1]}/")
    follow(page, page.locator(".fk-week-prev").first, week_label(weeks[0]))
    assert page.url == f"{member.base}digests/{weeks[0]}/"
    assert page.locator(".fk-week-prev").count() == 0  # the first week has none before it
    follow(page, page.locator(".fk-week-next").first, week_label(weeks[1]))
    assert page.url == f"{member.base}digests/{weeks[1]}/"
    page.goto(f"{member.base}digests/{weeks[-1]}/")
    assert page.locator(".fk-week-next").count() == 0
    assert "上一周" in page.locator(".fk-week-prev").first.inner_text()


def test_every_page_type_has_a_title_and_description_to_share(member) -> None:
    rules = load_rules(DEFAULT_RULES.parent)
    shared = {}
    for kind, path in page_types(member.site).items():
        member.page.goto(member.base + path)
        shared[kind] = {
            name: member.page.get_attribute(f'meta[property="{name}"]', "content")
            for name in ("og:title", "og:description", "og:type", "og:url", "og:locale")
        }
        assert member.page.get_attribute('meta[name="twitter:card"]', "content"), kind
    for kind, tags in shared.items():
        assert tags["og:title"] and tags["og:description"] and tags["og:url"], (kind, tags)
        assert tags["og:locale"] == "zh_CN" and tags["og:type"] == "website", (kind, tags)
    assert shared["home"]["og:title"] == SITE_NAME
    assert shared["value"]["og:title"] == "资讯价值"
    assert shared["value"]["og:description"] == rules.tags["news"].description
    assert "2026年第" in shared["digest"]["og:description"]
