"""OPML 2.0, the list-of-feeds format every feed reader imports and exports."""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

from feedkb.sources import RsshubInstance, Source
from feedkb.values import VALUE_SLUGS

# OPML lets outlines carry any attribute; these keep what OPML itself has no word for.
ID_ATTR, VALUES_ATTR, ENABLED_ATTR = "feedkbId", "feedkbValues", "feedkbEnabled"
# wewe-rss (cooderl/wewe-rss) serves one WeChat official account per feed, named by the
# account's id, which stays when the server moves: /feeds/MP_WXS_3941633310.atom (.rss, .json).
WEWE_FEED = re.compile(r"/feeds/MP_WXS_([A-Za-z0-9_-]+)\.(?:rss|atom|json)$")
WECHAT_TAG = "wechat"
# wewe-rss writes account names into its OPML unescaped, so an "&" in a name breaks the XML.
BARE_AMPERSAND = re.compile(rb"&(?!#[0-9]+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")


class OpmlError(Exception):
    """The file is not OPML feedkb can read."""


@dataclass(frozen=True)
class OpmlFeed:
    """One feed as an OPML file describes it."""

    url: str
    title: str
    homepage: str | None
    tags: tuple[str, ...]
    wanted_id: str | None
    values: tuple[str, ...]
    enabled: bool


def read_opml(path: Path) -> list[OpmlFeed]:
    """Every outline with an ``xmlUrl`` in ``path``; folder outlines become tags."""
    try:
        root = ET.fromstring(BARE_AMPERSAND.sub(b"&amp;", path.read_bytes()))
    except ET.ParseError as exc:
        raise OpmlError(f"{path}: not well-formed XML: {exc}") from None
    except OSError as exc:
        raise OpmlError(f"{path}: cannot read: {exc.strerror or exc}") from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise OpmlError(f"{path}: not an OPML file (expected <opml> with a <body>)")
    return list(_walk(body, ()))


def _walk(parent: ET.Element, folders: tuple[str, ...]):
    for outline in parent.findall("outline"):
        label = (outline.get("title") or outline.get("text") or "").strip()
        url = (outline.get("xmlUrl") or "").strip()
        if not url:
            yield from _walk(outline, (*folders, label) if label else folders)
            continue
        categories = [c.strip("/ ") for c in (outline.get("category") or "").split(",")]
        values = [v.strip() for v in (outline.get(VALUES_ATTR) or "").split(",")]
        wechat = WEWE_FEED.search(urlsplit(url).path)
        homepage = (outline.get("htmlUrl") or "").strip()
        yield OpmlFeed(
            url=url,
            title=label or url,
            # wewe-rss gives the feed itself as htmlUrl: no page for members to visit.
            homepage=homepage if homepage and homepage != url else None,
            tags=tuple(
                dict.fromkeys(t for t in (*folders, *categories, WECHAT_TAG if wechat else "") if t)
            ),
            wanted_id=f"wechat-{wechat[1].lower()}" if wechat else outline.get(ID_ATTR),
            values=tuple(v for v in values if v in VALUE_SLUGS),
            enabled=outline.get(ENABLED_ATTR, "true").lower() != "false",
        )


def write_opml(sources: list[Source], rsshub: RsshubInstance, title: str = "feedkb sources") -> str:
    """The sources as an OPML 2.0 document; an RSSHub route as its URL on ``rsshub``, the
    first instance, without the access key (which stays in the environment)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    for source in sources:
        attrs = {
            "type": "rss",
            "text": source.title,
            "title": source.title,
            "xmlUrl": rsshub.route_url(source.rsshub) if source.rsshub else source.url,
            ID_ATTR: source.id,
        }
        if source.homepage:
            attrs["htmlUrl"] = source.homepage
        if source.tags:
            attrs["category"] = ",".join(source.tags)
        if source.values:
            attrs[VALUES_ATTR] = ",".join(source.values)
        if not source.enabled:
            attrs[ENABLED_ATTR] = "false"
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
