"""Hostile and broken feeds, crashes and concurrent runs: errors are clear, nothing is lost,
nothing from a local file or a script gets in."""

import gzip
import json
import os
import random
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import orjson
import pytest
from werkzeug import Request, Response

from feedkb.fetch import FetchSettings, parse_retry_after
from feedkb.ingest import fetch_all
from feedkb.sources import SourceList
from feedkb.store import Store
from tests.conftest import CORPUS, REPO, rss, run, write_sources
from tests.sitecheck import audit, browser_on, build_site, unsafe_links_on

SETTINGS = FetchSettings(timeout=2, total_timeout=4, max_bytes=2_000_000, max_redirects=4)
SECRET = "TOPSECRET-7f3a9c"
MONTHS = ("Sep", "Oct", "Nov")


def rss_items(n: int, prefix: str = "条目") -> list[dict]:
    return [
        {
            "title": f"{prefix}{i}",
            "link": f"http://e.example.com/{prefix}/{i}",
            "guid": f"{prefix}-{i}",
            "pubDate": "Mon, 23 Nov 2026 08:00:00 GMT",
        }
        for i in range(n)
    ]


def drip(_request: Request) -> Response:
    def body() -> Iterator[bytes]:
        for char in b"<rss><channel>" * 20:  # one byte a second; bounded so the test stops
            yield bytes([char])
            time.sleep(1)

    return Response(body(), content_type="application/rss+xml")


def endless(_request: Request) -> Response:
    def body() -> Iterator[bytes]:
        for _ in range(2000):  # 128 MB at most
            yield b"<item>" + b"x" * 65530

    return Response(body(), content_type="application/rss+xml")


def huge(_request: Request) -> Response:
    def body() -> Iterator[bytes]:
        for _ in range(1600):
            yield b" " * 65536

    return Response(
        body(), content_type="application/rss+xml", headers={"Content-Length": str(1600 * 65536)}
    )


GZIP_BOMB = gzip.compress(b" " * 100_000_000, compresslevel=9)  # 100 MB in about 100 KB
ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY {c} "{("&" + p + ";") * 10}">'.encode()
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + b']><rss version="2.0"><channel><title>&i;</title><item><title>&i;</title>'
    b"<link>http://e.example.com/bomb</link></item></channel></rss>"
)


def gbk_feed() -> bytes:
    return (
        '<?xml version="1.0" encoding="gbk"?><rss version="2.0"><channel><title>国标码</title>'
        "<item><title>国标码编码的融资新闻</title><link>http://e.example.com/gbk/1</link>"
        "</item></channel></rss>"
    ).encode("gbk")


def gbk_as_utf8() -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>错标</title>'
        "<item><title>声明错误的国标码新闻</title><link>http://e.example.com/gbk/2</link>"
        "</item></channel></rss>"
    ).encode("gbk")


def serve_raw(behaviour: str) -> int:
    """A TCP server on 127.0.0.1 that resets every connection or never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            if behaviour == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.recv(1024)
                conn.close()
            else:
                held.append(conn)  # accept, read nothing, say nothing

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


@pytest.fixture(scope="module")
def hostile(http_server, tmp_path_factory):
    """Every kind of bad feed on one server, fetched in one run with tight budgets."""
    http_server.clear()
    secret_file = tmp_path_factory.mktemp("secret") / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret_file}">]>'
        '<rss version="2.0"><channel><title>xxe</title><item><title>外部实体&x;</title>'
        "<description>&x;</description><link>http://e.example.com/xxe</link></item>"
        "</channel></rss>"
    ).encode()
    plain = {
        "good": rss(rss_items(5, "好")),
        "empty": b"",
        "html": b"<!DOCTYPE html><html><body>login</body></html>",
        "gbk": gbk_feed(),
        "bad-utf8": rss([{"title": "ok"}]).replace(b"ok", b"\xff\xfe\xc3\x28 broken"),
        "entity-bomb": ENTITY_BOMB,
        "xxe": xxe,
        "dupes": rss(
            [
                {"title": f"重复{i}", "guid": "same-guid", "link": f"http://e.example.com/d{i}"}
                for i in range(3)
            ]
        ),
        "missing": rss([{"description": "只有正文"}, {"title": "只有标题"}, {}]),
        "dates": rss(
            [
                {
                    "title": "未来",
                    "link": "http://e.example.com/t1",
                    "pubDate": "Sat, 01 Jan 2099 00:00:00 GMT",
                },
                {
                    "title": "纪元",
                    "link": "http://e.example.com/t2",
                    "pubDate": "Thu, 01 Jan 1970 00:00:00 GMT",
                },
                {
                    "title": "乱码日期",
                    "link": "http://e.example.com/t3",
                    "pubDate": "next tuesday-ish",
                },
            ]
        ),
    }
    for name, body in plain.items():
        http_server.expect_request(f"/{name}").respond_with_data(
            body, content_type="application/rss+xml"
        )
    http_server.expect_request("/gbk-wrong").respond_with_data(
        gbk_as_utf8(), content_type="application/rss+xml; charset=utf-8"
    )
    http_server.expect_request("/drip").respond_with_handler(drip)
    http_server.expect_request("/endless").respond_with_handler(endless)
    http_server.expect_request("/huge").respond_with_handler(huge)
    http_server.expect_request("/gzip-bomb").respond_with_data(
        GZIP_BOMB, content_type="application/rss+xml", headers={"Content-Encoding": "gzip"}
    )
    http_server.expect_request("/loop").respond_with_data("", 302, {"Location": "/loop"})
    http_server.expect_request("/to-file").respond_with_data(
        "", 302, {"Location": f"file://{secret_file}"}
    )
    http_server.expect_request("/moved").respond_with_data("", 301, {"Location": "/good"})
    http_server.expect_request("/moved-308").respond_with_data("", 308, {"Location": "/good"})
    for status in (404, 410, 500):
        http_server.expect_request(f"/s{status}").respond_with_data("no", status)
    http_server.expect_request("/s503").respond_with_data("busy", 503, {"Retry-After": "3600"})
    later = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    http_server.expect_request("/s429").respond_with_data("slow down", 429, {"Retry-After": later})
    paths = [
        *plain,
        "gbk-wrong",
        "drip",
        "endless",
        "huge",
        "gzip-bomb",
        "loop",
        "to-file",
        "moved",
        "moved-308",
        "s404",
        "s410",
        "s500",
        "s503",
        "s429",
    ]
    curation = tmp_path_factory.mktemp("hostile") / "curation"
    curation.mkdir()
    sources = [{"id": p, "url": http_server.url_for(f"/{p}")} for p in paths]
    sources += [
        {"id": "reset", "url": f"http://127.0.0.1:{serve_raw('reset')}/feed"},
        {"id": "hang", "url": f"http://127.0.0.1:{serve_raw('hang')}/feed"},
    ]
    write_sources(curation, sources)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    report = fetch_all(
        curation, SourceList.load(curation).sources, concurrency=32, settings=SETTINGS
    )
    seconds = time.monotonic() - start
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    yield {
        "curation": curation,
        "rows": {r.source: r for r in report.sources},
        "seconds": seconds,
        "grown_mb": grown_mb,
        "secret": secret_file,
        "report": report,
    }
    http_server.clear()


def test_run_finishes_within_budget_and_memory_stays_bounded(hostile) -> None:
    assert hostile["seconds"] < SETTINGS.total_timeout + 8
    assert hostile["grown_mb"] < 300  # the 100 MB bodies and the gzip bomb were never held


@pytest.mark.parametrize(
    ("source", "status", "message"),
    [
        ("drip", "error", "gave up after 4 s"),
        ("endless", "error", "larger than 2,000,000 bytes"),
        ("huge", "error", "larger than 2,000,000 bytes"),
        ("gzip-bomb", "error", "larger than 2,000,000 bytes"),
        ("loop", "error", "more than 4 redirects"),
        ("to-file", "error", "redirected to an unsupported URL"),
        ("s404", "error", "HTTP 404"),
        ("s410", "error", "HTTP 410"),
        ("s500", "error", "HTTP 500"),
        ("s503", "error", "HTTP 503 SERVICE UNAVAILABLE; retry after"),
        ("s429", "error", "HTTP 429 TOO MANY REQUESTS; retry after"),
        ("html", "error", "HTML page, not a feed"),
        ("empty", "error", "empty response"),
        ("reset", "error", ""),
        ("hang", "error", "timed out"),
        ("good", "ok", None),
        ("moved", "ok", None),
        ("moved-308", "ok", None),
        ("gbk", "ok", None),
        ("gbk-wrong", "ok", None),
        ("bad-utf8", "ok", None),
        ("entity-bomb", "ok", None),
        ("xxe", "ok", None),
        ("dupes", "ok", None),
        ("missing", "ok", None),
        ("dates", "ok", None),
    ],
)
def test_each_bad_feed_gets_a_clear_result(hostile, source, status, message) -> None:
    row = hostile["rows"][source]
    assert row.status == status, (source, row)
    if message is not None:
        assert row.error and message in row.error, (source, row.error)


def titles_by_source(curation: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in Store(curation).load_items():
        found.setdefault(item.source, []).append(item.title)
    return found


def test_sane_results_for_odd_but_readable_feeds(hostile) -> None:
    titles = titles_by_source(hostile["curation"])
    assert sorted(titles["good"]) == [f"好{i}" for i in range(5)]
    assert titles["gbk"] == ["国标码编码的融资新闻"]
    assert titles["gbk-wrong"] == ["声明错误的国标码新闻"]  # wrong charset, read as GBK
    assert len(titles["dupes"]) == 1  # one guid, one story
    assert len(titles["missing"]) == 3 and "只有正文" in titles["missing"]
    assert all(len(t) < 100 for t in titles["entity-bomb"])  # not expanded
    assert "moved" not in titles  # the same stories as "good", stored once
    dates = {
        i.title: i.published for i in Store(hostile["curation"]).load_items() if i.source == "dates"
    }
    for title in ("未来", "纪元", "乱码日期"):  # implausible dates fall back to first seen
        assert dates[title][:4] == str(datetime.now(UTC).year)


def test_local_file_contents_never_reach_the_store(hostile) -> None:
    for path in (hostile["curation"] / "items").glob("*.jsonl"):
        assert SECRET not in path.read_text(encoding="utf-8")


def test_permanent_redirects_and_health_are_recorded(hostile) -> None:
    curation = hostile["curation"]
    listing = {
        s["id"]: s["state"]
        for s in json.loads(run(curation, "sources", "list", "--format", "json").output)
    }
    assert listing["moved"]["moved_to"].endswith("/good")
    assert listing["moved-308"]["moved_to"].endswith("/good")
    assert listing["s410"]["failing"] is True  # gone: failing at once
    assert listing["s500"]["failing"] is False  # one failure is not yet a pattern
    assert "failing" in run(curation, "sources", "list").output


def test_retry_after_is_respected_and_failures_accumulate(hostile, http_server) -> None:
    curation = hostile["curation"]
    chosen = [s for s in SourceList.load(curation).sources if s.id in ("s503", "s429", "s500")]
    for _ in range(2):
        report = fetch_all(curation, chosen, settings=SETTINGS)
    rows = {r.source: r for r in report.sources}
    assert rows["s503"].status == "deferred" and "Retry-After" in rows["s503"].warnings[0]
    assert rows["s429"].status == "deferred"
    assert rows["s500"].status == "error"
    store = Store(curation)
    assert store.load_state("s500").failing  # three failures in a row
    assert store.load_state("s503").consecutive_failures == 1  # deferring is not failing


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == "2026-11-26T08:02:00Z"
    assert parse_retry_after("Thu, 26 Nov 2026 10:00:00 GMT", now) == "2026-11-26T10:00:00Z"
    assert parse_retry_after("99999999", now) == "2026-12-03T08:00:00Z"  # capped at a week
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None


# --- crashes and concurrent runs ----------------------------------------------------------


@pytest.fixture
def big_feeds(tmp_path: Path) -> Path:
    """Twenty local feeds of 150 items: enough work for a fetch to be killed in the middle."""
    curation = tmp_path / "curation"
    curation.mkdir()
    sources = []
    for n in range(20):
        feed = tmp_path / f"feed{n}.xml"
        items = [
            {
                "title": f"源{n}条目{i}",
                "link": f"http://e.example.com/{n}/{i}",
                "description": "<p>" + "正文" * 400 + "</p>",
                "pubDate": f"Mon, {1 + i % 28:02d} {MONTHS[i % 3]} 2026 08:00:00 GMT",
            }
            for i in range(150)
        ]
        feed.write_bytes(rss(items))
        sources.append({"id": f"f{n}", "url": str(feed)})
    write_sources(curation, sources)
    return curation


def check_store(curation: Path) -> int:
    """The store loads line by line, with no partial line and no item twice."""
    ids: list[str] = []
    for path in sorted((curation / "items").glob("*.jsonl")):
        data = path.read_bytes()
        assert not data or data.endswith(b"\n"), f"{path} ends mid-line"
        ids += [orjson.loads(line)["id"] for line in data.splitlines()]
    assert len(ids) == len(set(ids)), "an item is stored twice"
    return len(ids)


def test_sigkill_at_random_moments_never_corrupts_the_store(big_feeds: Path) -> None:
    rng = random.Random(1)
    command = [sys.executable, "-m", "feedkb", "--curation", str(big_feeds), "fetch"]
    for _ in range(12):
        # A session of its own: every process the run starts (parse workers, the resource
        # tracker) is in it, and none may outlive the killed parent.
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        time.sleep(rng.uniform(0.3, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert survivors(process.pid) == [], "processes of the killed run outlived it"
        check_store(big_feeds)
        Store(big_feeds).load_items()  # loads, whatever moment it died at
    assert subprocess.run(command, capture_output=True).returncode == 0
    assert check_store(big_feeds) == 20 * 150


def survivors(session: int, patience: float = 10.0) -> list[str]:
    """The command lines of processes still in this session once they had time to leave."""
    deadline = time.monotonic() + patience
    while True:
        alive = [
            command
            for stat in Path("/proc").glob("[0-9]*/stat")
            if _session_of(stat) == session and (command := _command_of(stat.parent))
        ]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def _session_of(stat: Path) -> int | None:
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:  # ended while we looked
        return None
    return int(fields[3])


def _command_of(process: Path) -> str | None:
    try:
        return process.joinpath("cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:  # ended while we looked (ESRCH, ENOENT)
        return None


def test_a_second_run_waits_for_the_first(big_feeds: Path) -> None:
    command = [sys.executable, "-m", "feedkb", "--curation", str(big_feeds), "fetch"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with Store(big_feeds).locked():  # a first run holds the store
        second = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
        )
        time.sleep(2)
        assert second.poll() is None  # still waiting
    _out, stderr = second.communicate(timeout=300)
    assert second.returncode == 0
    assert "another feedkb run holds the store; waiting" in stderr
    assert check_store(big_feeds) == 20 * 150


# --- script injection, end to end ----------------------------------------------------------

FEEDPARSER_CORPUS = CORPUS / "feedparser"
CORPUS_XSS = [
    *sorted((FEEDPARSER_CORPUS / "wellformed" / "sanitize").glob("*.xml")),
    FEEDPARSER_CORPUS / "json" / "example.json",
]


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory):
    """feedparser's XSS documents, fetched and built into a site."""
    root = tmp_path_factory.mktemp("xss")
    curation = root / "curation"
    curation.mkdir()
    shutil.copy(REPO / "curation" / "rules.yaml", curation / "rules.yaml")
    write_sources(
        curation, [{"id": f"x{n}", "url": str(path)} for n, path in enumerate(CORPUS_XSS)]
    )
    report = fetch_all(curation, SourceList.load(curation).sources, concurrency=32)
    assert sum(r.new_items for r in report.sources) > 300
    build_site(curation, root / "site")
    return root / "site"


def test_xss_corpus_builds_into_a_site_with_no_injected_markup(xss_site) -> None:
    assert audit(xss_site) == {}


def test_xss_corpus_runs_no_script_in_chromium(xss_site) -> None:
    with browser_on(xss_site) as browser:
        for path in [xss_site / "index.html", *sorted(xss_site.glob("archive/*/index.html"))]:
            url = browser.base + path.parent.relative_to(xss_site).as_posix() + "/"
            browser.page.goto(url.replace("/./", "/"), wait_until="networkidle")
            assert not unsafe_links_on(browser.page), url
        assert not browser.problems, browser.problems


def test_a_feed_that_makes_the_parser_backtrack_is_given_up(tmp_path: Path) -> None:
    """feedparser's author-email regex is quadratic: 80 KB take it 20 s. The parse is given up
    at the budget and its worker ended; the other sources are stored."""
    curation = tmp_path / "curation"
    curation.mkdir()
    redos = tmp_path / "redos.xml"
    redos.write_bytes(
        b'<rss version="2.0"><channel><title>x</title><item><title>t</title>'
        b"<author>" + b"a" * 80_000 + b"</author></item></channel></rss>"
    )
    feeds = []
    for n in range(9):  # enough sources for the parser processes
        feed = tmp_path / f"ok{n}.xml"
        feed.write_bytes(rss(rss_items(3, f"正常{n}-")))
        feeds.append({"id": f"ok{n}", "url": str(feed)})
    write_sources(curation, [{"id": "redos", "url": str(redos)}, *feeds])
    settings = FetchSettings(parse_timeout=2)
    start = time.monotonic()
    report = fetch_all(curation, SourceList.load(curation).sources, settings=settings)
    assert time.monotonic() - start < 15
    rows = {r.source: r for r in report.sources}
    assert "parsing took longer than 2 s" in rows["redos"].error
    stored = {i.source for i in Store(curation).load_items()}
    assert stored == {f"ok{n}" for n in range(9)}  # parses cut short were tried again
