"""JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/) read into the shape of
feedparser's result, for the fields ``parse.normalise_entry`` reads: one normaliser for
every format, so sanitising, dates, cutting and identity are the same as for RSS and Atom.

Nothing in the document is trusted. A field is taken only when it has the type the spec gives
it; any other value is left out, an item that is not an object is skipped, and each such
problem becomes one warning (with how often it occurred), never a failure of the whole feed.
"""

import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import orjson

VERSION_PREFIX = "https://jsonfeed.org/version/"
VERSIONS = {f"{VERSION_PREFIX}1": "json1", f"{VERSION_PREFIX}1.1": "json11"}
BOM = b"\xef\xbb\xbf"
# A JSON object or array, after any BOM and whitespace: no XML document starts so.
JSON_START = re.compile(rb"(?:\xef\xbb\xbf)?\s*[{\[]")
WEB_SCHEMES = ("http://", "https://")
MAX_DATE_CHARS = 64  # the longest RFC 3339 date is 35 characters


class JsonFeedError(ValueError):
    """The document is not JSON, or JSON but not a JSON Feed."""


def is_json(body: bytes) -> bool:
    """Whether ``body`` is meant as JSON, whatever the Content-Type says."""
    return JSON_START.match(body) is not None


def read(body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """``body`` read as a JSON Feed, shaped like feedparser's result with a list of
    ``warnings``; relative URLs are resolved against the document's own URL."""
    notes = _Notes()
    document = _decode(body, notes)
    version = _version(document, notes)
    items = document.get("items")
    if not isinstance(items, list):
        raise JsonFeedError(
            f"JSON Feed without a list of items: `items` is {_kind(items)}"
            if "items" in document
            else "JSON Feed without `items`"
        )
    feed = {
        "title": _string(document, "title", "", notes),
        "language": _string(document, "language", "", notes),
    }
    feed_authors = _authors(document, "", notes)
    base = headers.get("content-location", "")
    entries = [
        entry
        for n, item in enumerate(items)
        if (entry := _entry(item, f"items[{n}]", feed_authors, base, notes)) is not None
    ]
    return {
        "version": version,
        "bozo": False,
        "feed": feed,
        "entries": entries,
        "warnings": notes.warnings(),
    }


def _decode(body: bytes, notes: "_Notes") -> dict[str, Any]:
    body = body.removeprefix(BOM)  # RFC 8259 lets readers ignore one; orjson refuses it
    try:
        document = orjson.loads(body)  # refuses nesting deeper than 1024 levels
    except orjson.JSONDecodeError as exc:
        if _utf8(body):
            raise JsonFeedError(f"not valid JSON: {exc}") from None
        try:
            document = orjson.loads(body.decode("utf-8", "replace"))
        except orjson.JSONDecodeError as again:
            raise JsonFeedError(f"not valid JSON: {again}") from None
        notes.add("", "document", "is not valid UTF-8: read with the bad bytes replaced")
    if not isinstance(document, dict):
        raise JsonFeedError(f"valid JSON but not a feed: the document is {_kind(document)}")
    return document


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _version(document: dict[str, Any], notes: "_Notes") -> str:
    version = document.get("version")
    if not isinstance(version, str) or not version.startswith(VERSION_PREFIX):
        found = (
            "no `version`"
            if "version" not in document
            else f"`version` is {version[:100]!r}"
            if isinstance(version, str)
            else f"`version` is {_kind(version)}"
        )
        raise JsonFeedError(
            f"valid JSON but not a JSON Feed: {found}, not {VERSION_PREFIX}1.1 or 1"
        )
    if version not in VERSIONS:
        notes.add("", "version", f"is {version[:100]!r}, which is not 1 or 1.1: read as 1.1")
    return VERSIONS.get(version, "json11")


def _entry(
    item: Any, where: str, feed_authors: list[dict[str, str]], base: str, notes: "_Notes"
) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        notes.add(where, "", f"is {_kind(item)}, not an object: skipped")
        return None
    url = _url(item, "url", where, base, notes)
    external_url = _url(item, "external_url", where, base, notes)
    return {
        "id": _id(item, where, notes),
        "link": url,
        "links": [{"href": external_url, "rel": "alternate"}],
        "title": _string(item, "title", where, notes),
        # summary and content_text are plain text, content_html HTML: all are made text the
        # same way, so nothing that reads as a tag survives either.
        "summary": _string(item, "summary", where, notes)
        or _string(item, "content_text", where, notes),
        "content": [{"value": _string(item, "content_html", where, notes)}],
        "published_parsed": _date(item, "date_published", where, notes),
        "updated_parsed": _date(item, "date_modified", where, notes),
        # The spec: an item without authors has the feed's.
        "authors": _authors(item, where, notes) or feed_authors,
        "tags": [{"term": tag} for tag in _tags(item, where, notes)],
        "title_detail": {"language": _string(item, "language", where, notes)},
    }


def _id(item: dict[str, Any], where: str, notes: "_Notes") -> str:
    value = item.get("id")
    # The spec asks readers to take an id sent as a number as that number's text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    guid = _string(item, "id", where, notes)
    if guid.strip():
        return guid
    # The spec says to drop such items; feedkb loses nothing and falls back as for RSS.
    notes.add(where, "", "has no id: known by its URL, else its text")
    return ""


def _url(item: dict[str, Any], key: str, where: str, base: str, notes: "_Notes") -> str:
    url = _string(item, key, where, notes)
    absolute = urljoin(base, url) if url and base else url
    # Only the scheme is checked here, for the warning: parse.py canonicalises every link.
    if absolute and not absolute.lstrip().lower().startswith(WEB_SCHEMES):
        notes.add(where, key, "is not an http(s) URL: left out")
        return ""
    return absolute


def _date(item: dict[str, Any], key: str, where: str, notes: "_Notes") -> time.struct_time | None:
    text = _string(item, key, where, notes).strip()
    if not text:
        return None
    moment = _rfc3339(text)
    if moment is None:
        notes.add(where, key, "is not an RFC 3339 date: left out")
    return moment


def _rfc3339(text: str) -> time.struct_time | None:
    """An RFC 3339 date as a UTC struct_time, as feedparser gives its dates."""
    if len(text) > MAX_DATE_CHARS:
        return None
    try:
        # RFC 3339 allows a lower-case T and Z, which fromisoformat does not.
        moment = datetime.fromisoformat(text.upper())
        # No offset breaks RFC 3339: read as UTC, as feedparser reads such W3C dates.
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).utctimetuple()
    except (ValueError, OverflowError):
        return None


def _authors(owner: dict[str, Any], where: str, notes: "_Notes") -> list[dict[str, str]]:
    """1.1's ``authors``, else 1.0's ``author`` (deprecated by 1.1, still sent): their names."""
    if owner.get("authors") is not None:
        key, people = "authors", _list(owner, "authors", where, notes)
        if not all(isinstance(person, dict) for person in people):
            notes.add(where, key, "holds values that are not objects: those left out")
    else:
        key, people = "author", [_object(owner, "author", where, notes)]
    place = f"{where}.{key}" if where else key
    names = (_string(p, "name", place, notes) for p in people if isinstance(p, dict))
    return [{"name": name} for name in names if name]


def _tags(item: dict[str, Any], where: str, notes: "_Notes") -> list[str]:
    tags = _list(item, "tags", where, notes)
    strings = [tag for tag in tags if isinstance(tag, str)]
    if len(strings) < len(tags):
        notes.add(where, "tags", "holds values that are not strings: those left out")
    return strings


def _string(owner: dict[str, Any], key: str, where: str, notes: "_Notes") -> str:
    value = owner.get(key)
    if value is None or isinstance(value, str):
        return value or ""
    notes.add(where, key, f"is {_kind(value)}, not a string: left out")
    return ""


def _list(owner: dict[str, Any], key: str, where: str, notes: "_Notes") -> list[Any]:
    value = owner.get(key)
    if value is None or isinstance(value, list):
        return value or []
    notes.add(where, key, f"is {_kind(value)}, not a list: left out")
    return []


def _object(owner: dict[str, Any], key: str, where: str, notes: "_Notes") -> dict[str, Any]:
    value = owner.get(key)
    if value is None or isinstance(value, dict):
        return value or {}
    notes.add(where, key, f"is {_kind(value)}, not an object: left out")
    return {}


def _kind(value: Any) -> str:
    """The JSON type of ``value``, as a sentence names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


class _Notes:
    """Problems found in the document, each said once with where it first occurred and how
    often: a hostile feed's 100,000 bad items make one warning, not 100,000."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, str], tuple[str, int]] = {}

    def add(self, where: str, field: str, problem: str) -> None:
        # The same problem in any item is one: "items[7]" and "items[9]" are both "items".
        kind = (where.partition("[")[0], field, problem)
        first, count = self._seen.get(kind, (where, 0))
        self._seen[kind] = (first, count + 1)

    def warnings(self) -> list[str]:
        return [
            f"JSON Feed: {'.'.join(filter(None, (where, field)))} {problem}"
            + (f" (and {count - 1:,} more like it)" if count > 1 else "")
            for (_, field, problem), (where, count) in self._seen.items()
        ]
