"""What makes two entries the same story: their guid within a source, or their page URL."""

import hashlib
from urllib.parse import urlsplit

from feedkb.urls import url_key


def identity_keys(source_id: str, guid: str, url: str) -> list[str]:
    """Keys under which an entry is known; two entries sharing any key are one story.

    A guid that is itself a URL counts as a URL, so the same page syndicated by two sources is
    one story. Other guids are only unique within their feed.
    """
    keys: list[str] = []
    guid_url = url_key(guid) if guid else ""
    if guid_url:
        keys.append(f"url:{guid_url}")
    elif guid:
        keys.append(f"guid:{source_id}:{guid}")
    page = url_key(url)
    if page and _names_a_page(url) and f"url:{page}" not in keys:
        keys.append(f"url:{page}")
    return keys


def _names_a_page(url: str) -> bool:
    # A site's front page is what feeds put in <link> when an entry has no page of its own.
    return urlsplit(url).path.strip("/") != ""


def stable_id(key: str) -> str:
    """A short id derived from an identity key: the same entry gets the same id on every run."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
