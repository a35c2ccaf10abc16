"""Every document of feedparser's own test suite goes through fetch without an exception.

The documents (malformed XML, odd encodings, XSS payloads) are served over HTTP with the
response headers their ``Header:`` comment asks for, as feedparser's own tests serve them.
"""

import codecs
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug import Response

from feedkb import fastparse
from feedkb.ingest import fetch_all
from feedkb.parse import parse_feed
from feedkb.sources import SourceList
from feedkb.store import Store
from tests.conftest import CORPUS, write_sources

FEEDPARSER = CORPUS / "feedparser"
DOCUMENTS = sorted(p for p in FEEDPARSER.rglob("*") if p.suffix in (".xml", ".json"))
HEADER_RE = re.compile(r"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)
TAG_START = re.compile(r"<[a-zA-Z/!?]")


def decoded(data: bytes) -> str:
    """The document as text, by its BOM or first bytes, as upstream reads the header comment."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    for prefix, encoding in (
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00<\x00?", "utf-16-be"),
        (b"<\x00?\x00", "utf-16-le"),
    ):
        if data.startswith(prefix):
            return data.decode(encoding, errors="replace")
    return data.decode("utf-8", errors="replace")


def headers_for(path: Path) -> dict[str, str]:
    """Upstream serves only its ``http`` documents with headers (default text/xml); the
    others it parses as files, which a web server would send as application/xml."""
    if "http" not in path.name:
        return {"Content-Type": "application/xml"}
    return {"Content-Type": "text/xml", **dict(HEADER_RE.findall(decoded(path.read_bytes())))}


def response_for(path: Path) -> Response:
    return Response(path.read_bytes(), headers=headers_for(path))


def test_corpus_is_complete() -> None:
    assert len(DOCUMENTS) == 2184


@pytest.fixture(scope="module")
def corpus_run(http_server, tmp_path_factory):
    http_server.clear()
    http_server.expect_request(re.compile(r"^/corpus/.*")).respond_with_handler(
        lambda request: response_for(FEEDPARSER / request.path.removeprefix("/corpus/"))
    )
    curation = tmp_path_factory.mktemp("corpus") / "curation"
    curation.mkdir()
    write_sources(
        curation,
        [
            {
                "id": f"doc-{n}",
                "url": http_server.url_for(f"/corpus/{p.relative_to(FEEDPARSER).as_posix()}"),
            }
            for n, p in enumerate(DOCUMENTS)
        ],
    )
    report = fetch_all(curation, SourceList.load(curation).sources, concurrency=32)
    yield report, Store(curation).load_items()
    http_server.clear()


def test_every_document_is_reported_without_exception(corpus_run) -> None:
    report, items = corpus_run
    assert len(report.sources) == len(DOCUMENTS)
    failed = [r for r in report.sources if r.status == "error"]
    assert all(r.error for r in failed)
    # Nearly everything is a readable feed; what fails is broken on purpose (empty or
    # truncated documents, CDF channels). The JSON Feed is read by feedkb, not feedparser 6.
    names = sorted(DOCUMENTS[int(r.source.removeprefix("doc-"))].name for r in failed)
    assert len(failed) <= 11, names
    assert "example.json" not in names
    entries = sum(r.entries for r in report.sources)
    assert entries > 1200
    # Stored once per story: documents that share an entry guid URL are one story.
    assert entries - 50 < len(items) <= entries


def test_nothing_hostile_reaches_stored_text_or_links(corpus_run) -> None:
    _report, items = corpus_run
    for item in items:
        # Plain text may hold a "<" ("A<B", "<>"), never the start of a tag.
        assert not TAG_START.search(item.summary) and not TAG_START.search(item.title)
        assert item.url == "" or item.url.startswith(("http://", "https://"))


def test_declared_encodings_come_out_as_unicode(corpus_run) -> None:
    _report, items = corpus_run
    by_doc = {p.relative_to(FEEDPARSER).as_posix(): f"doc-{n}" for n, p in enumerate(DOCUMENTS)}
    summaries = {i.source: i.summary for i in items}
    assert summaries[by_doc["encoding/euc-kr-item.xml"]] == "\ub144"  # declared EUC-KR
    assert summaries[by_doc["encoding/http_text_xml_charset_2.xml"]] == "This is a £“test.”"
    assert summaries[by_doc["encoding/demoronize-1.xml"]] == "don\u2019t"


def test_the_fast_parser_reads_what_feedparser_reads() -> None:
    """Every document feedparser-rs is given (feedparser's test documents, real RSSHub
    feeds) comes out item for item, field for field, as feedparser reads it."""
    documents = [*DOCUMENTS, *sorted((CORPUS / "rsshub-titles").glob("*.xml"))]
    now = datetime(2026, 11, 26, tzinfo=UTC)
    taken = 0
    for path in documents:
        body = path.read_bytes()
        headers = {name.lower(): value for name, value in headers_for(path).items()}
        if fastparse.read(body, headers) is None:
            continue
        taken += 1
        fast = parse_feed(body, "s", now, headers)
        slow = parse_feed(body, "s", now, headers, fast=False)
        assert (fast.title, fast.items) == (slow.title, slow.items), path
    assert taken > 600  # a third of the documents: the plain ones
