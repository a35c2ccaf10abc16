"""The fast path of parsing: feedparser-rs (Rust, 8x faster) for the plain documents it reads
exactly as feedparser does, checked before and after it runs; anything else is feedparser's.

feedparser-rs differs from feedparser at the edges: legacy encodings, cp1252 characters,
HTML entities undeclared in XML, xml:base and xml:lang, XHTML content, extension elements,
dates in rare formats. A document with any of these goes to feedparser, so the fast path loses
nothing (``tests/test_corpus_feedparser.py`` compares the two over feedparser's own test
documents). What it returns looks like feedparser's result for the fields feedkb reads.
"""

import re
from typing import Any
from urllib.parse import urljoin

import feedparser_rs

UTF8 = {"utf-8", "utf8"}
CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([^\"']+)", re.IGNORECASE)
# Element names outside comments and CDATA sections (whose text may hold anything).
ELEMENT = re.compile(
    rb"<!\[CDATA\[[^\]]*(?:\](?!\]>)[^\]]*)*\]\]>|<!--[^-]*(?:-(?!->)[^-]*)*-->|<([\w:.-]+)"
)
RSS_ELEMENTS = frozenset(
    b"rss channel title link description item guid pubDate category author language "
    b"lastBuildDate copyright generator docs ttl managingEditor webMaster image url width height "
    b"comments enclosure content:encoded dc:creator".split()
)
ATOM_ELEMENTS = frozenset(
    b"feed entry title subtitle link id updated published summary content author name email "
    b"uri category rights generator icon logo contributor".split()
)
# Searched in the lower-cased document, each a literal or starting with one: fast to find.
NOT_PLAIN_STRINGS = (
    b"<!doctype",  # entity definitions
    b"<!entity",
    b"xml:base",
    b"xml:lang",
    b"base64",
    b'type="xhtml',
    b"type='xhtml",
)
NOT_PLAIN = (
    re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)"),  # HTML entities, not XML's
    re.compile(rb"&#(?:1[2-5]\d|x[89][0-9a-f]);"),  # C1 characters: cp1252 in disguise
    re.compile(rb"\xc2[\x80-\x9f]"),
    re.compile(rb"<category[^<>]*>[^<]*<(?!/)"),  # elements inside a category
)
ATOM_LINK_AS_TEXT = re.compile(rb"<link(?![^<>]*href)[^<>]*>")  # its URL as text, not href
ENTRY_FIELDS = (
    "id",
    "guidislink",
    "title",
    "summary",
    "author",
    "tags",
    "published_parsed",
    "updated_parsed",
)


def read(body: bytes, headers: dict[str, str]) -> dict[str, Any] | None:
    """``body`` read by feedparser-rs, shaped like feedparser's result; None when the document
    is not plain enough for it to be read exactly as feedparser would."""
    if not _plain(body, headers):
        return None
    parsed = feedparser_rs.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo or parsed.version not in ("rss20", "atom10"):
        return None
    if not all(map(_dates_read, parsed.entries)):
        return None
    base = headers.get("content-location", "")
    return {
        "version": parsed.version,
        "bozo": False,
        "feed": {key: parsed.feed.get(key) or "" for key in ("title", "language")},
        "entries": [_entry(entry, base, parsed.version == "atom10") for entry in parsed.entries],
    }


def _plain(body: bytes, headers: dict[str, str]) -> bool:
    lowered = body.lower()
    return _utf8(body, headers) and not _edge_case(lowered) and _core_elements_only(body)


def _utf8(body: bytes, headers: dict[str, str]) -> bool:
    charset = CHARSET.search(headers.get("content-type", ""))
    declared = DECLARED_ENCODING.match(body)
    if (charset and charset.group(1).lower() not in UTF8) or (
        declared and declared.group(1).decode("ascii", "replace").lower() not in UTF8
    ):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _edge_case(lowered: bytes) -> bool:
    return (
        any(string in lowered for string in NOT_PLAIN_STRINGS)
        or any(pattern.search(lowered) for pattern in NOT_PLAIN)
        # Unclosed sections: the element scan would run to the end from each opener.
        or lowered.count(b"<![cdata[") != lowered.count(b"]]>")
        or lowered.count(b"<!--") != lowered.count(b"-->")
    )


def _core_elements_only(body: bytes) -> bool:
    elements = set(ELEMENT.findall(body)) - {b""}
    if b"feed" in elements:
        return elements <= ATOM_ELEMENTS and not ATOM_LINK_AS_TEXT.search(body)
    return elements <= RSS_ELEMENTS and all(map(_one_author, body.split(b"<item")[1:]))


def _one_author(item: bytes) -> bool:
    """feedparser-rs keeps one author of an RSS item (the last), feedparser all of them."""
    return item.count(b"<author") + item.count(b"<dc:creator") <= 1


def _dates_read(entry: Any) -> bool:
    """A date feedparser-rs could not read may be one feedparser can."""
    return all(not entry.get(key) or entry.get(f"{key}_parsed") for key in ("published", "updated"))


def _entry(entry: Any, base: str, atom: bool) -> dict[str, Any]:
    def absolute(url: str | None) -> str:
        return urljoin(base, url) if url and base else url or ""

    fields = {key: entry.get(key) for key in ENTRY_FIELDS}
    return {
        **fields,
        "link": absolute(entry.get("link")),
        "links": [
            {"href": absolute(link.get("href")), "rel": link.get("rel") or "alternate"}
            for link in entry.get("links") or []
        ],
        "content": [{"value": c.get("value"), "base": base} for c in entry.get("content") or []],
        "summary_detail": {"base": base},
        "title_detail": {"language": None},
        # Atom's author elements say who is who; an RSS author string feedparser-rs splits
        # into name and e-mail unlike feedparser: parse.py reads the string itself.
        "authors": [
            {"name": a.get("name"), "email": a.get("email")} for a in entry.get("authors") or []
        ]
        if atom
        else [],
    }
