"""Feed bytes to Items: feedparser reads RSS, Atom and RDF, jsonfeed JSON Feeds, this module
normalises what they read."""

import calendar
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from feedkb import fastparse, jsonfeed
from feedkb.identity import identity_keys, stable_id
from feedkb.model import Item, format_utc
from feedkb.text import TITLE_WIDTH, html_to_text, html_to_text_start, truncate
from feedkb.urls import canonical_url

UNTITLED = "（无标题）"
MAX_FIELD_CHARS = 200_000  # a single entry bigger than this is a hostile or broken feed
EARLIEST_DATE = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)
HAN_RE = re.compile(r"[\u3400-\u9fff]")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")


class FeedError(Exception):
    """The bytes are not a feed feedkb can read."""


@dataclass
class ParsedFeed:
    title: str
    entries: list[tuple[Item, list[str]]]  # each item with the identity keys it is known by
    warnings: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [item for item, _keys in self.entries]


def parse_feed(
    body: bytes,
    source_id: str,
    fetched_at: datetime,
    headers: dict[str, str] | None = None,
    *,
    fast: bool = True,
) -> ParsedFeed:
    """Parse ``body`` (never a URL or path: feedparser would open those itself); ``fast``
    lets feedparser-rs read the documents it reads exactly as feedparser does."""
    parsed = _read(body, headers or {}, fast)
    problem = _feed_problem(parsed, body)
    if problem:
        raise FeedError(problem)
    warnings = (
        [f"feed is not well-formed, read leniently: {_describe(parsed.bozo_exception)}"]
        if parsed.get("bozo")
        else []
    )
    warnings += parsed.get("warnings", [])
    feed = parsed.get("feed", {})
    feed_lang = _language(feed.get("language") or (headers or {}).get("content-language", ""))
    entries = parsed.get("entries", [])
    shared_urls = _urls_shared_by_several_stories(entries)
    items: dict[str, tuple[Item, list[str]]] = {}
    for entry in entries:
        item, keys = normalise_entry(entry, source_id, fetched_at, feed_lang, shared_urls)
        items.setdefault(item.id, (item, keys))  # a guid repeated inside one feed is one story
    return ParsedFeed(html_to_text(feed.get("title", "")), list(items.values()), warnings)


def _read(body: bytes, headers: dict[str, str], fast: bool) -> Any:
    """The document read by the reader for its format, known by what the bytes are: servers
    label feeds with whatever Content-Type they like."""
    if jsonfeed.is_json(body):
        try:
            return jsonfeed.read(body, headers)
        except jsonfeed.JsonFeedError as exc:
            raise FeedError(str(exc)) from None
    return (fast and fastparse.read(body, headers)) or _feedparser(body, headers)


def _feedparser(body: bytes, headers: dict[str, str]) -> Any:
    """feedparser's reading of ``body``; a Chinese feed that declares UTF-8 and sends GBK (as
    many do) is read as what it is."""
    # Imported here: the fast path reads most feeds without it, and its import (with
    # urllib.request, email and http.client) was a tenth of a second of every command's start
    # and of every parser worker's.
    import feedparser

    parsed = _feedparser_parse(body, headers)
    if isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride) and _gbk(
        body
    ):
        charset_fixed = {**headers, "content-type": "application/xml; charset=gb18030"}
        parsed = _feedparser_parse(body, charset_fixed)
        parsed["bozo"] = True
        parsed["bozo_exception"] = feedparser.CharacterEncodingOverride(
            "the declared encoding does not fit the bytes; read as GBK"
        )
    return parsed


def _feedparser_parse(body: bytes, headers: dict[str, str]) -> Any:
    import feedparser  # imported when needed: see _feedparser

    # Neither sanitising nor resolving links: feedparser does both by re-parsing every HTML
    # field with its pure-Python SGML parser (60% of its time on news feeds), and feedkb
    # keeps no HTML: every field is made plain text (see html_to_text).
    return feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )


def _gbk(body: bytes) -> bool:
    """Bytes that are not UTF-8 but are Chinese text in GBK."""
    try:
        body.decode("utf-8")
        return False
    except UnicodeDecodeError:
        pass
    try:
        return HAN_RE.search(body.decode("gb18030")) is not None
    except UnicodeDecodeError:
        return False


def _feed_problem(parsed: Any, body: bytes) -> str | None:
    # feedparser reports failures as data: no version and no entries means nothing was read.
    if parsed.get("version") or parsed.get("entries"):
        return None
    if not body.strip():
        return "empty response: no feed in it"
    start = body.lstrip()[:200].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "got an HTML page, not a feed (is the URL a feed's URL?)"
    if parsed.get("bozo"):
        return f"not a readable feed: {_describe(parsed.bozo_exception)}"
    return "not an RSS, Atom or RDF feed"


def _describe(exc: Any) -> str:
    return f"{type(exc).__name__}: {exc}" if exc else "unknown problem"


def normalise_entry(
    entry: Any,
    source_id: str,
    fetched_at: datetime,
    feed_lang: str = "",
    shared_urls: frozenset[str] = frozenset(),
) -> tuple[Item, list[str]]:
    """One entry as feedparser shapes it (jsonfeed shapes JSON Feed items alike) as an Item
    and its identity keys; every field is optional."""
    guid = _text(entry.get("id", ""))[:2000]
    url = _entry_link(entry)
    url_for_identity = "" if url in shared_urls else url
    keys = identity_keys(source_id, guid, url_for_identity)
    title = html_to_text(_text(entry.get("title", ""))[:MAX_FIELD_CHARS])
    content = _longest_content(entry)
    summary = _text(entry.get("summary", ""))
    summary_text = html_to_text_start(summary or content)
    published = _entry_date(entry, fetched_at)
    first_seen = format_utc(fetched_at)
    if not keys:
        keys = [f"text:{source_id}:{title}:{summary_text[:200]}:{published or ''}"]
    item = Item(
        id=stable_id(keys[0]),
        source=source_id,
        title=title or truncate(summary_text, TITLE_WIDTH) or UNTITLED,
        url=url,
        guid=guid,
        published=published or first_seen,
        first_seen=first_seen,
        authors=_authors(entry),
        categories=_unique(
            html_to_text(_text(t.get("term") or t.get("label") or ""))
            for t in entry.get("tags") or []
        ),
        summary=truncate(summary_text),
        lang=_entry_language(entry, feed_lang, title + summary_text),
    )
    return item, keys


def _text(value: Any) -> str:
    return value[:MAX_FIELD_CHARS] if isinstance(value, str) else ""


def _entry_link(entry: Any) -> str:
    candidates = [entry.get("link", "")]
    candidates += [
        link.get("href", "")
        for link in entry.get("links") or []
        if link.get("rel", "alternate") == "alternate"
    ]
    if entry.get("guidislink"):
        candidates.append(entry.get("id", ""))
    return next((u for u in map(canonical_url, filter(None, map(_text, candidates))) if u), "")


def _urls_shared_by_several_stories(entries: list[Any]) -> frozenset[str]:
    # Feeds that link every entry to the same page must not have their entries merged.
    pairs = {(_entry_link(e), _text(e.get("id", ""))) for e in entries}
    counts = Counter(url for url, _guid in pairs if url)
    return frozenset(url for url, n in counts.items() if n > 1)


def _longest_content(entry: Any) -> str:
    """The longest of the entry's contents: the summary when the feed gave none."""
    return max((_text(c.get("value", "")) for c in entry.get("content") or []), key=len, default="")


def _entry_date(entry: Any, fetched_at: datetime) -> str | None:
    """The first plausible of published and updated; implausible dates are feed bugs."""
    for key in ("published_parsed", "updated_parsed"):
        # dict.get: FeedParserDict.get maps updated_parsed to published_parsed with a warning.
        moment = to_datetime(dict.get(entry, key))
        if moment and EARLIEST_DATE <= moment <= fetched_at + FUTURE_TOLERANCE:
            return format_utc(moment)
    return None


def to_datetime(parsed: Any) -> datetime | None:
    """A feedparser ``*_parsed`` value (UTC struct_time) as an aware datetime, if valid."""
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _authors(entry: Any) -> list[str]:
    names = [
        a.get("name") or a.get("email") or ""
        for a in entry.get("authors") or []
        if isinstance(a, dict)
    ]
    names.append(_without_email(_text(entry.get("author", ""))))
    return _unique(html_to_text(_text(n)[:500]) for n in names)


def _without_email(author: str) -> str:
    """ "Ann (ann@example.com)", "Ann <ann@example.com>" and "ann@example.com (Ann)" name Ann;
    an address alone is kept."""
    name = EMAIL.sub("", author).strip(" ()<>")
    return name or author


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _language(raw: str) -> str:
    code = raw.strip().lower().replace("_", "-") if isinstance(raw, str) else ""
    return code if LANG_RE.match(code) else ""


def _entry_language(entry: Any, feed_lang: str, text: str) -> str:
    detail = entry.get("title_detail") or {}
    declared = _language(detail.get("language") or "") or feed_lang
    if declared:
        return declared
    return "zh" if HAN_RE.search(text) else ""
