"""Atom feeds out: everything, and one per value, for members' feed readers."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from feedkb.digest import takeaway_line
from feedkb.kb import Entry
from feedkb.model import format_utc
from feedkb.site.render import anchor
from feedkb.urls import canonical_url
from feedkb.values import VALUE_LABELS

ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(
    title: str, feed_url: str, site_url: str, entries: list[Entry], permalink: dict[str, str]
) -> str:
    """An Atom 1.0 document; ``permalink`` maps item ids to their absolute URL on the site."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh"})
    _text(feed, "title", title)
    _text(feed, "id", feed_url)
    updated = max((e.item.first_seen for e in entries), default=format_utc(datetime.now(UTC)))
    _text(feed, "updated", updated)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=feed_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=site_url)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "feedkb")
    for entry in entries:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(item, "title", entry.title)
        _text(item, "id", f"urn:feedkb:item:{entry.id}")
        _text(item, "updated", entry.item.first_seen)
        _text(item, "published", entry.item.published)
        original = canonical_url(entry.item.url)
        ET.SubElement(
            item, f"{{{ATOM}}}link", rel="alternate", href=original or permalink[entry.id]
        )
        ET.SubElement(item, f"{{{ATOM}}}link", rel="related", href=permalink[entry.id])
        for slug in entry.values:
            ET.SubElement(item, f"{{{ATOM}}}category", term=slug, label=VALUE_LABELS[slug])
        _text(item, "summary", summary_text(entry))
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, "unicode") + "\n"


def summary_text(entry: Entry) -> str:
    """The machine's takeaway first when there is one, marked as such; then the summary with
    the editor's note; the title when there is neither."""
    summary = entry.item.summary + (
        f"（编辑按：{entry.override.note}）" if entry.override.note else ""
    )
    parts = [takeaway_line(entry)] if entry.takeaway else []
    parts += [summary] if summary else []
    return "\n\n".join(parts) or entry.title


def _text(parent: ET.Element, tag: str, value: str) -> None:
    # Element text is escaped by ElementTree; characters XML cannot hold are dropped.
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = "".join(
        c
        for c in value
        if c in "\t\n\r"
        or (ord(c) >= 0x20 and c not in "\ufffe\uffff" and not 0xD800 <= ord(c) <= 0xDFFF)
    )


def permalink_url(site_url: str, page_url: str, entry: Entry) -> str:
    return f"{site_url.rstrip('/')}/{page_url}#{anchor(entry)}"
