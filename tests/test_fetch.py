"""feedkb fetch against a real HTTP server on 127.0.0.1."""

import gzip
import json
import re
import threading
import time
from pathlib import Path

import brotli
import orjson
import pytest
from werkzeug import Request, Response

from feedkb.errors import StoreLockedError
from feedkb.fetch import FetchSettings
from feedkb.ingest import fetch_all
from feedkb.sources import SourceList
from feedkb.store import Store
from tests.conftest import CORPUS, rss, run, write_sources

RSSHUB = CORPUS / "rsshub-titles"


def manifest_counts() -> dict[str, int]:
    """The item count of each feed, as the corpus' MANIFEST.md states it."""
    text = (RSSHUB / "MANIFEST.md").read_text(encoding="utf-8")
    return {name: int(count) for name, count in re.findall(r"\| `([\w-]+\.xml)` \| (\d+) \|", text)}


def stored(curation: Path) -> list:
    return Store(curation).load_items()


def serve(server, path: str, body: bytes, **kwargs) -> str:
    server.expect_request(path).respond_with_data(
        body, content_type="application/rss+xml", **kwargs
    )
    return server.url_for(path)


def test_real_chinese_headlines_ingest_with_manifest_counts(curation: Path, feed_server) -> None:
    counts = manifest_counts()
    assert sum(counts.values()) == 134
    write_sources(
        curation,
        [
            {
                "id": name.removesuffix(".xml"),
                "url": serve(feed_server, f"/{name}", (RSSHUB / name).read_bytes()),
            }
            for name in counts
        ],
    )
    result = run(curation, "fetch")
    assert result.exit_code == 0, result.output
    per_source: dict[str, int] = {}
    for item in stored(curation):
        per_source[item.source] = per_source.get(item.source, 0) + 1
    assert per_source == {name.removesuffix(".xml"): n for name, n in counts.items()}
    titles = {i.title for i in stored(curation)}
    assert '"爱多纷"宣布完成亿元级Pre-A轮融资' in titles

    again = run(curation, "fetch")
    assert again.exit_code == 0
    assert len(stored(curation)) == 134
    assert "fetch: 0 new items" in again.output


def test_conditional_get_costs_a_304_next_time(curation: Path, feed_server) -> None:
    body = rss([{"title": "A", "link": "http://e.com/a", "guid": "a"}])
    seen_headers: list[dict] = []

    def handler(request: Request) -> Response:
        seen_headers.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(
            body,
            headers={"ETag": '"v1"', "Last-Modified": "Wed, 25 Nov 2026 10:00:00 GMT"},
            content_type="application/rss+xml",
        )

    feed_server.expect_request("/feed").respond_with_handler(handler)
    write_sources(curation, [{"id": "f", "url": feed_server.url_for("/feed")}])
    report_path = curation.parent / "report.json"
    assert run(curation, "fetch").exit_code == 0
    state = Store(curation).load_state("f")
    assert (state.etag, state.last_modified) == ('"v1"', "Wed, 25 Nov 2026 10:00:00 GMT")

    result = run(curation, "fetch", "--json", str(report_path))
    assert result.exit_code == 0
    assert seen_headers[1]["If-None-Match"] == '"v1"'
    assert seen_headers[1]["If-Modified-Since"] == "Wed, 25 Nov 2026 10:00:00 GMT"
    assert "feedkb/" in seen_headers[0]["User-Agent"]
    [row] = json.loads(report_path.read_text())["sources"]
    assert (row["status"], row["http_status"], row["new_items"]) == ("not-modified", 304, 0)
    assert Store(curation).load_state("f").etag == '"v1"'  # kept for the run after
    assert len(stored(curation)) == 1


def test_an_unchanged_run_reads_no_item_file(curation: Path, feed_server) -> None:
    """Feeds that answer 304, or list only what they listed last time, leave nothing to check
    against the store: such a run reads no item file, so its cost does not grow with it."""
    etag = '"v1"'
    cached = rss([{"title": "A", "link": "http://e.com/a"}])
    feed_server.expect_request("/a").respond_with_handler(
        lambda request: (
            Response(status=304)
            if request.headers.get("If-None-Match") == etag
            else Response(cached, headers={"ETag": etag}, content_type="application/rss+xml")
        )
    )
    pages = [rss([{"title": f"B{n}", "link": f"http://e.com/b{n}"} for n in (1, 2)])] * 2
    pages.append(rss([{"title": f"B{n}", "link": f"http://e.com/b{n}"} for n in (1, 2, 3)]))
    feed_server.expect_request("/b").respond_with_handler(
        lambda _request: Response(pages.pop(0), content_type="application/rss+xml")
    )
    write_sources(
        curation,
        [
            {"id": "a", "url": feed_server.url_for("/a")},
            {"id": "b", "url": feed_server.url_for("/b")},
        ],
    )
    assert run(curation, "fetch").exit_code == 0
    # Damaged item files: a run that read one would stop, naming it.
    for month in (curation / "items").glob("*.jsonl"):
        month.write_bytes(b"{damaged\n" + month.read_bytes())

    unchanged = run(curation, "fetch")
    assert unchanged.exit_code == 0, unchanged.output
    assert "fetch: 0 new items" in unchanged.output
    assert [Store(curation).load_state(s).item_count for s in "ab"] == [1, 2]

    # B3 is new to feed b: now the store must be read to check it, and the damage shows.
    changed = run(curation, "fetch")
    assert changed.exit_code == 2 and ".jsonl:1: not a valid item" in changed.stderr


def test_url_variants_and_repeated_guids_are_stored_once(curation: Path, feed_server) -> None:
    feed_a = rss(
        [
            {"title": "Same story", "link": "http://News.Example.com/a/1?utm_source=rss&id=7"},
            {"title": "Guid twice", "link": "http://news.example.com/g1", "guid": "g-1"},
            {
                "title": "Guid twice (again)",
                "link": "http://news.example.com/g1-bis",
                "guid": "g-1",
            },
        ]
    )
    feed_b = rss(
        [
            {"title": "Same story, other source", "link": "https://news.example.com/a/1/?id=7#top"},
        ]
    )
    write_sources(
        curation,
        [
            {"id": "a", "url": serve(feed_server, "/a", feed_a)},
            {"id": "b", "url": serve(feed_server, "/b", feed_b)},
        ],
    )
    assert run(curation, "fetch").exit_code == 0
    items = stored(curation)
    assert sorted(i.title for i in items) == ["Guid twice", "Same story"]
    same = next(i for i in items if i.title == "Same story")
    assert same.url == "http://news.example.com/a/1?id=7"  # canonical: host lower, no utm_*


def test_entries_linking_to_one_page_are_not_merged(curation: Path, feed_server) -> None:
    feed = rss(
        [
            {"title": f"Post {n}", "link": "http://blog.example.com/index", "guid": f"p{n}"}
            for n in range(3)
        ]
    )
    write_sources(curation, [{"id": "blog", "url": serve(feed_server, "/f", feed)}])
    run(curation, "fetch")
    assert len(stored(curation)) == 3


def test_items_accumulate_when_feed_stops_listing_them(curation: Path, feed_server) -> None:
    pages = [
        rss([{"title": f"T{n}", "link": f"http://e.com/{n}"} for n in (1, 2, 3)]),
        rss([{"title": f"T{n}", "link": f"http://e.com/{n}"} for n in (3, 4, 5)]),
    ]
    feed_server.expect_request("/f").respond_with_handler(
        lambda _request: Response(pages.pop(0), content_type="application/rss+xml")
    )
    write_sources(curation, [{"id": "f", "url": feed_server.url_for("/f")}])
    run(curation, "fetch")
    run(curation, "fetch")
    assert sorted(i.title for i in stored(curation)) == ["T1", "T2", "T3", "T4", "T5"]
    assert Store(curation).load_state("f").item_count == 5


def test_store_is_monthly_json_lines_in_stable_order(curation: Path, feed_server) -> None:
    feed = rss(
        [
            {
                "title": "Nov",
                "link": "http://e.com/n",
                "pubDate": "Tue, 24 Nov 2026 08:00:00 +0800",
            },
            {
                "title": "Oct late",
                "link": "http://e.com/o2",
                "pubDate": "Sat, 31 Oct 2026 20:00:00 GMT",
            },
            {
                "title": "Oct early",
                "link": "http://e.com/o1",
                "pubDate": "Thu, 01 Oct 2026 00:30:00 +0800",
            },  # 2026-09-30 16:30 UTC
        ]
    )
    write_sources(curation, [{"id": "f", "url": serve(feed_server, "/f", feed)}])
    run(curation, "fetch")
    files = sorted(p.name for p in (curation / "items").iterdir())
    assert files == ["2026-09.jsonl", "2026-10.jsonl", "2026-11.jsonl"]
    november = (curation / "items" / "2026-11.jsonl").read_bytes().splitlines()
    assert [orjson.loads(line)["published"] for line in november] == ["2026-11-24T00:00:00Z"]
    before = {p.name: p.read_bytes() for p in (curation / "items").iterdir()}
    run(curation, "fetch")
    assert before == {p.name: p.read_bytes() for p in (curation / "items").iterdir()}


def test_one_broken_source_never_stops_the_others(curation: Path, feed_server) -> None:
    feed_server.expect_request("/500").respond_with_data("boom", status=500)
    feed_server.expect_request("/html").respond_with_data(
        "<!DOCTYPE html><html><body>Login</body></html>", content_type="text/html"
    )
    write_sources(
        curation,
        [
            {
                "id": "good",
                "url": serve(
                    feed_server, "/good", rss([{"title": "ok", "link": "http://e.com/ok"}])
                ),
            },
            {"id": "server-error", "url": feed_server.url_for("/500")},
            {"id": "html", "url": feed_server.url_for("/html")},
            {"id": "refused", "url": "http://127.0.0.1:9/feed"},
            {"id": "missing-file", "url": "no/such/file.xml"},
        ],
    )
    report_path = curation.parent / "r.json"
    result = run(curation, "fetch", "--json", str(report_path))
    assert result.exit_code == 0
    report = json.loads(report_path.read_text())
    rows = {r["source"]: r for r in report["sources"]}
    assert rows["good"]["status"] == "ok" and rows["good"]["new_items"] == 1
    assert rows["server-error"]["error"] == "HTTP 500 INTERNAL SERVER ERROR"
    assert "HTML page, not a feed" in rows["html"]["error"]
    assert rows["refused"]["status"] == "error" and rows["refused"]["error"]
    assert "cannot read" in rows["missing-file"]["error"]
    assert report["totals"] == {
        "sources": 5,
        "new_items": 1,
        "ok": 1,
        "not-modified": 0,
        "deferred": 0,
        "error": 4,
    }
    assert "4 of 5 sources failed" in result.output
    state = Store(curation).load_state("server-error")
    assert (state.consecutive_failures, state.last_status) == (1, "500")


def test_exit_code_is_non_zero_only_when_every_source_failed(curation: Path) -> None:
    write_sources(
        curation, [{"id": "a", "url": "http://127.0.0.1:9/a"}, {"id": "b", "url": "missing.xml"}]
    )
    assert run(curation, "fetch").exit_code == 1
    assert Store(curation).load_state("a").consecutive_failures == 1


def test_compressed_responses_are_decoded(curation: Path, feed_server) -> None:
    body = rss([{"title": "压缩", "link": "http://e.com/z"}])
    serve(feed_server, "/gz", gzip.compress(body), headers={"Content-Encoding": "gzip"})
    serve(feed_server, "/br", brotli.compress(body), headers={"Content-Encoding": "br"})
    write_sources(
        curation,
        [
            {"id": "gz", "url": feed_server.url_for("/gz")},
            {"id": "br", "url": feed_server.url_for("/br")},
        ],
    )
    run(curation, "fetch")
    state = {s: Store(curation).load_state(s) for s in ("gz", "br")}
    assert all(s.last_error is None for s in state.values())
    assert [i.title for i in stored(curation)] == ["压缩"]  # same story through both


def test_size_cap_redirect_limit_and_permanent_redirect(curation: Path, feed_server) -> None:
    feed_server.expect_request("/big").respond_with_data(b"<rss>" + b"x" * 5000)
    feed_server.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    feed_server.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new"}
    )
    serve(feed_server, "/new", rss([{"title": "moved", "link": "http://e.com/m"}]))
    write_sources(
        curation,
        [
            {"id": "big", "url": feed_server.url_for("/big")},
            {"id": "loop", "url": feed_server.url_for("/loop")},
            {"id": "old", "url": feed_server.url_for("/old")},
        ],
    )
    sources = SourceList.load(curation).sources
    report = fetch_all(curation, sources, settings=FetchSettings(max_bytes=1000, max_redirects=3))
    rows = {r.source: r for r in report.sources}
    assert "larger than 1,000 bytes" in rows["big"].error
    assert "more than 3 redirects" in rows["loop"].error
    assert rows["old"].status == "ok" and rows["old"].moved_to == feed_server.url_for("/new")
    listing = json.loads(run(curation, "sources", "list", "--format", "json").output)
    assert listing[2]["state"]["moved_to"] == feed_server.url_for("/new")


def test_fetch_only_named_sources(curation: Path, feed_server) -> None:
    write_sources(
        curation,
        [
            {
                "id": "a",
                "url": serve(feed_server, "/a", rss([{"title": "A", "link": "http://e/a"}])),
            },
            {
                "id": "b",
                "url": serve(feed_server, "/b", rss([{"title": "B", "link": "http://e/b"}])),
                "enabled": False,
            },
        ],
    )
    assert run(curation, "fetch").exit_code == 0
    assert [i.title for i in stored(curation)] == ["A"]  # disabled b skipped
    assert run(curation, "fetch", "--source", "b").exit_code == 0
    assert sorted(i.title for i in stored(curation)) == ["A", "B"]
    unknown = run(curation, "fetch", "--source", "nope")
    assert unknown.exit_code == 2 and "unknown source id(s): nope" in unknown.stderr


def test_a_second_run_waits_for_the_lock(curation: Path, feed_server) -> None:
    write_sources(curation, [{"id": "a", "url": serve(feed_server, "/a", rss([]))}])
    store = Store(curation)
    waited = threading.Event()

    def hold_lock() -> None:
        with store.locked():
            time.sleep(0.5)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    time.sleep(0.1)
    report = fetch_all(curation, SourceList.load(curation).sources, on_wait=waited.set)
    holder.join()
    assert waited.is_set() and report.sources[0].status == "ok"


def test_lock_timeout_is_a_clear_error(curation: Path) -> None:
    with (
        Store(curation).locked(),
        pytest.raises(StoreLockedError, match="still holds"),
        Store(curation).locked(timeout=0.1),
    ):
        pass


def test_fetch_budgets_from_the_command_line(curation: Path, feed_server) -> None:
    feed_server.expect_request("/big").respond_with_data(b"<rss>" + b"x" * 50_000)
    write_sources(curation, [{"id": "big", "url": feed_server.url_for("/big")}])
    result = run(curation, "fetch", "--max-mb", "0.02", "--timeout", "5")
    assert result.exit_code == 1  # its only source failed
    assert Store(curation).load_state("big").last_error.startswith("response larger than 20,971")
