"""The site: built by the real ProperDocs from the real corpus, read as files and in Chromium."""

import html
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import feedparser
import pytest

from feedkb.values import VALUE_SLUGS
from tests.conftest import REPO, rss, run
from tests.sitecheck import (
    audit,
    browser_on,
    build_site,
    serious_accessibility_violations,
    unsafe_links_on,
)

DATA = REPO / "tests" / "data"
HOSTILE_TITLES = [
    "<script>alert('t1')</script>脚本标题",
    "<img src=x onerror=alert('t2')>图片标题",
    "[点我领奖](javascript:alert('t3')) 链接标题",
    "{{ config.site_name }} {% include 'x' %} 模板标题",
    "# 一级标题 | 表格 | 列 |",
    "\"><svg onload=alert('t6')>属性标题",
    "**粗体** _斜体_ `代码` 标题",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """A curation folder with the dev-set feeds and a hostile feed, fetched, overridden and
    built with `properdocs build --strict` in a subprocess."""
    root = tmp_path_factory.mktemp("site")
    curation = root / "curation"
    curation.mkdir()
    shutil.copy(REPO / "curation" / "rules.yaml", curation / "rules.yaml")
    hostile = root / "hostile.xml"
    hostile.write_bytes(
        rss(
            [
                {
                    "title": title,
                    "link": link,
                    "guid": f"hostile-{n}",
                    "description": "<iframe src='javascript:alert(1)'></iframe>"
                    "<p onclick='x()'>正文</p>",
                    "pubDate": "Mon, 23 Nov 2026 08:00:00 GMT",
                }
                for n, (title, link) in enumerate(
                    zip(
                        HOSTILE_TITLES,
                        [
                            "javascript:alert('l0')",
                            "data:text/html,<script>1</script>",
                            *[f"https://hostile.example.com/{n}" for n in range(5)],
                        ],
                        strict=True,
                    )
                )
            ]
        )
    )
    sources = (
        (DATA / "devset-sources.yaml").read_text(encoding="utf-8").replace("@REPO@", str(REPO))
    )
    sources += f"  - id: hostile\n    title: 恶意来源\n    url: {hostile}\n"
    (curation / "sources.yaml").write_text(sources, encoding="utf-8")
    assert run(curation, "fetch").exit_code == 0
    items = json.loads(run(curation, "items", "--format", "json").stdout)
    hidden = next(i for i in items if i["title"].startswith("拆解瑞幸的门店模型"))
    pinned = next(i for i in items if i["title"].startswith("深蓝储能宣布完成"))
    run(curation, "override", hidden["id"], "--hide")
    run(curation, "override", pinned["id"], "--pin", "--note", "编辑推荐：储能赛道")
    docs_before = sorted(p.relative_to(REPO) for p in (REPO / "docs").rglob("*"))
    site = root / "out"
    build_site(curation, site)
    assert sorted(p.relative_to(REPO) for p in (REPO / "docs").rglob("*")) == docs_before
    visible = json.loads(run(curation, "items", "--format", "json", "--visible").output)
    return {
        "site": site,
        "curation": curation,
        "items": items,
        "visible": visible,
        "hidden": hidden,
        "pinned": pinned,
    }


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_pages_are_generated_not_written_to_docs(built) -> None:
    site = built["site"]
    for page in [
        "index.html",
        "deals/index.html",
        "companies/index.html",
        "sources/index.html",
        "digests/index.html",
        "archive/index.html",
        *[f"values/{slug}/index.html" for slug in VALUE_SLUGS],
    ]:
        assert (site / page).is_file(), page
    assert (site / "values" / "deal" / "2026-11" / "index.html").is_file()  # monthly archive
    assert (site / "digests" / "2026-W47" / "index.html").is_file()
    assert (site / "sources" / "demo-vc" / "index.html").is_file()


def test_page_count_follows_months_and_values_not_items(built) -> None:
    months = {i["published"][:7] for i in built["visible"]}
    pages = html_pages(built["site"])
    assert len(pages) < len(built["visible"]) / 2
    assert len(pages) <= len(months) * (len(VALUE_SLUGS) + 2) * 2 + 40 + len(
        {i["source"] for i in built["items"]}
    )


def test_every_visible_item_has_one_anchor_and_one_search_place(built) -> None:
    site = built["site"]
    anchors = Counter()
    for page in html_pages(site):
        anchors.update(re.findall(r'id="item-([0-9a-f]{16})"', page.read_text(encoding="utf-8")))
    assert set(anchors) == {i["id"] for i in built["visible"]}
    assert set(anchors.values()) == {1}
    # Search (Pagefind) indexes the archive pages only, one sub-result per item heading.
    indexed = {
        p.parent.relative_to(site).as_posix()
        for p in html_pages(site)
        if "data-pagefind-body" in p.read_text(encoding="utf-8")
    }
    archive = {p.parent.relative_to(site).as_posix() for p in site.glob("archive/*/index.html")}
    assert indexed == archive
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == len(archive)


def test_hidden_items_appear_nowhere(built) -> None:
    site, hidden = built["site"], built["hidden"]
    needles = [hidden["id"], hidden["title"]]
    for path in [*html_pages(site), *site.rglob("*.xml"), site / "search/search_index.json"]:
        text = path.read_text(encoding="utf-8")
        assert not any(n in text for n in needles), path


def test_pinned_item_and_note_lead_the_home_page(built) -> None:
    home = (built["site"] / "index.html").read_text(encoding="utf-8")
    pinned_section = home[home.index('id="pinned"') :]
    first_title = re.search(r'class="fk-title"><a [^>]*>([^<]+)</a>', pinned_section).group(1)
    assert first_title == built["pinned"]["title"]
    assert "编辑推荐：储能赛道" in pinned_section[: pinned_section.index("</section>")]


def test_feeds_parse_cleanly_and_are_linked_from_pages(built) -> None:
    site = built["site"]
    for name in ["all", *VALUE_SLUGS]:
        parsed = feedparser.parse((site / "feeds" / f"{name}.xml").read_bytes())
        assert parsed.bozo == 0, (name, parsed.get("bozo_exception"))
        assert parsed.entries, name
        assert all(e.link.startswith(("https://", "http://")) for e in parsed.entries)
    deal_feed = feedparser.parse((site / "feeds" / "deal.xml").read_bytes())
    assert all("deal" in {t.term for t in e.tags} for e in deal_feed.entries)
    page = (site / "values" / "news" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" title="行业知识库 · 资讯价值"' in page


def test_nothing_from_a_feed_becomes_markup(built) -> None:
    site = built["site"]
    assert audit(site) == {}
    archive = "".join(p.read_text(encoding="utf-8") for p in (site / "archive").rglob("*.html"))
    shown = html.unescape(archive)
    stored = [i["title"] for i in built["items"] if i["source"] == "hostile"]
    assert len(stored) == len(HOSTILE_TITLES)
    assert any("{{ config.site_name }}" in t for t in stored)
    for title in stored:  # what survived text cleaning is shown as the text it is
        assert title in shown, title


def test_digest_command(built) -> None:
    curation = built["curation"]
    markdown = run(curation, "digest", "--week", "2026-W47").output
    assert markdown.startswith("# 周报 2026-W47") and "## FA价值" in markdown
    text = run(curation, "digest", "--week", "2026-W47", "--format", "text").output
    assert "【FA价值】" in text
    for line in text.splitlines()[1:]:
        if line and not line.startswith("【"):
            assert re.match(r"^\d+\. .+ https?://\S+$", line), line
            assert not re.search(r"\]\(|^#|\*\*", line), line
    bad = run(curation, "digest", "--week", "last week")
    assert bad.exit_code == 2 and "is not an ISO week" in bad.stderr


# --- in a real browser -------------------------------------------------------------------

SITE_OF: dict[str, Path] = {}


@pytest.fixture(scope="module")
def browser_page(built):
    with browser_on(built["site"]) as browser:
        SITE_OF[browser.base] = built["site"]
        yield browser.page, browser.base, browser.problems


def test_chinese_search_finds_matching_items(browser_page) -> None:
    page, base, problems = browser_page
    page.goto(base, wait_until="networkidle")  # the search worker has its index
    search = page.locator("input.md-search__input")
    search.click()
    search.fill("融资")
    search.press("End")  # the theme searches on key events; fill() alone sends none
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15000)
    texts = results.all_inner_texts()
    assert any("融资" in t for t in texts), texts[:5]
    assert not problems, problems


def test_value_tabs_navigate(browser_page) -> None:
    page, base, problems = browser_page
    page.goto(base)
    for label, path in [
        ("智库价值", "values/think-tank/"),
        ("资源价值", "values/resource/"),
        ("来源", "sources/"),
    ]:
        page.locator(".md-tabs__link", has_text=label).first.click()
        page.wait_for_url(f"{base}{path}", timeout=10000)
        assert page.locator("h1").first.inner_text().startswith(label)
    assert not problems, problems


def test_deal_row_links_to_the_original(browser_page) -> None:
    page, base, problems = browser_page
    page.goto(f"{base}deals/")
    link = page.locator("table.fk-deals tbody tr td:nth-child(2) a").first
    assert link.get_attribute("href").startswith("https://vc.example.com/")
    permalink = page.locator("table.fk-deals tbody tr td:last-child a").first
    fragment = permalink.get_attribute("href").split("#")[1]
    permalink.click()
    page.wait_for_url(re.compile(f"/archive/.*#{fragment}$"), timeout=10000)
    assert page.locator(f"#{fragment}").is_visible()
    assert not problems, problems


def test_hostile_items_run_no_script(browser_page) -> None:
    page, base, problems = browser_page
    site = SITE_OF[base]
    for path in sorted(site.glob("archive/2026-11*/index.html")):
        page.goto(base + path.parent.relative_to(site).as_posix() + "/")
        page.wait_for_timeout(200)
        assert not unsafe_links_on(page)
    assert not problems, problems


def test_no_serious_accessibility_violations(browser_page) -> None:
    page, base, _problems = browser_page
    for path in ["", "deals/", "values/news/"]:
        page.goto(f"{base}{path}")
        serious = serious_accessibility_violations(page)
        assert not serious, (path, serious)


def test_serve_rebuilds_when_curation_changes(built, tmp_path) -> None:
    """`feedkb serve` watches the curation folder: hiding an item takes it off the site."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    curation = tmp_path / "curation"
    shutil.copytree(built["curation"], curation)
    target = next(i for i in built["visible"] if i["source"] == "demo-vc")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "feedkb",
            "--curation",
            str(curation),
            "serve",
            "-f",
            str(REPO / "mkdocs.yml"),
            "-a",
            f"127.0.0.1:{port}",
        ],
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def home(deadline: float) -> str:
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
                    return reply.read().decode()
            except OSError:
                time.sleep(0.5)
        raise AssertionError("mkdocs serve did not answer")

    try:
        marker = f"#item-{target['id']}"  # its permalink, in the home page's highlights
        assert marker in home(time.monotonic() + 120)
        assert run(curation, "override", target["id"], "--hide").exit_code == 0
        deadline = time.monotonic() + 120
        while marker in home(deadline):
            time.sleep(1)
            assert time.monotonic() < deadline, "the site was not rebuilt"
    finally:
        server.terminate()
        server.wait(timeout=30)
