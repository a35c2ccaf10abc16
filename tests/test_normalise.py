"""Normalising entries: canonical URLs, dates, plain-text summaries, no HTML kept."""

import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedkb.parse import FeedError, parse_feed
from feedkb.text import SUMMARY_WIDTH, WIDE, html_to_text, html_to_text_start, truncate
from feedkb.urls import canonical_url, url_key
from tests.conftest import rss

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def one_item(**fields: str):
    [item] = parse_feed(rss([fields]), "src", NOW).items
    return item


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://WWW.Example.COM:443/a/b?utm_source=rss&utm_medium=x&id=3#comments",
            "https://www.example.com/a/b?id=3",
        ),
        ("http://example.com:8080/p?spm=a.b.c&fbclid=1&q=%20x", "http://example.com:8080/p?q=%20x"),
        ("http://example.com", "http://example.com/"),
        ("javascript:alert(1)", ""),
        ("data:text/html,<script>", ""),
        ("file:///etc/passwd", ""),
        ("/relative/path", ""),
        ("http://[::1", ""),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_url_variants_share_one_key() -> None:
    variants = [
        "http://news.example.com/a/1",
        "https://news.example.com/a/1/",
        "https://www.news.example.com/a/1?utm_campaign=x#top",
    ]
    assert len({url_key(v) for v in variants}) == 1
    assert url_key("https://news.example.com/a/2") != url_key(variants[0])


@given(st.text())
def test_canonical_url_never_raises_and_is_idempotent(text: str) -> None:
    canonical = canonical_url(text)
    assert canonical == "" or canonical.startswith(("http://", "https://"))
    assert canonical_url(canonical) == canonical


@given(st.lists(st.sampled_from(["utm_source", "utm_x", "fbclid", "spm", "id", "page"])))
def test_tracking_parameters_never_survive(names: list[str]) -> None:
    query = "&".join(f"{n}=1" for n in names)
    canonical = canonical_url(f"https://e.com/p?{query}")
    assert "utm_" not in canonical and "fbclid" not in canonical and "spm" not in canonical
    assert canonical.count("id=1") == names.count("id")


@given(st.text())
def test_no_html_tag_survives_into_text(text: str) -> None:
    cleaned = html_to_text(text)
    assert html_to_text(cleaned) == cleaned  # plain text is a fixed point
    assert "<script" not in cleaned.lower()


def test_text_cleaning() -> None:
    assert (
        html_to_text("<p>融资&nbsp;<b>A轮</b></p>\n\n<script>alert(1)</script> 完成")
        == "融资 A轮 完成"
    )
    assert html_to_text("&amp;lt;p&amp;gt;双重转义&amp;lt;/p&amp;gt;") == "双重转义"
    assert html_to_text("a < b & c") == "a < b & c"


def columns(text: str) -> int:
    return len(text) + sum(unicodedata.east_asian_width(char) in WIDE for char in text)


@given(st.text(min_size=1), st.integers(min_value=1, max_value=50))
def test_truncate_keeps_within_width(text: str, width: int) -> None:
    cut = truncate(text, width)
    assert cut == text or columns(cut[:-1]) <= width
    assert cut == text or (cut.endswith("…") and text.startswith(cut[:-1].rstrip()))


def test_a_summary_holds_twice_as_many_latin_letters_as_chinese_characters() -> None:
    """Chinese characters take two columns: both summaries fill about the same room."""
    chinese, english = truncate("融资" * 200), truncate("funding " * 100)
    assert len(chinese) == SUMMARY_WIDTH // 2 + 1 and chinese.endswith("…")
    assert SUMMARY_WIDTH - 8 <= len(english) <= SUMMARY_WIDTH + 1 and english.endswith("…")
    assert truncate("融资" * 55) == "融资" * 55  # 110 characters: just fits


def test_truncate_never_splits_a_combined_character() -> None:
    assert truncate("ab" + "e\u0301" * 5, 3) == "ab…"


def test_summary_is_plain_and_short() -> None:
    item = one_item(
        title="<b>标题</b>",
        link="http://e.com/1",
        description="<p>" + "很长的正文。" * 200 + "</p>",
    )
    assert item.title == "标题"
    assert item.summary.endswith("…") and columns(item.summary[:-1]) <= SUMMARY_WIDTH
    assert "<" not in item.summary
    assert item.lang == "zh"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"pubDate": "Wed, 25 Nov 2026 10:00:00 +0800"}, "2026-11-25T02:00:00Z"),
        ({"pubDate": "Mon, 01 Jan 2099 00:00:00 GMT"}, "2026-11-26T08:00:00Z"),  # far future
        ({"pubDate": "Thu, 01 Jan 1970 00:00:00 GMT"}, "2026-11-26T08:00:00Z"),  # epoch
        ({"pubDate": "yesterday-ish"}, "2026-11-26T08:00:00Z"),  # garbage
        ({"pubDate": "garbage", "atom:updated": "2026-11-20T00:00:00Z"}, "2026-11-20T00:00:00Z"),
        ({}, "2026-11-26T08:00:00Z"),  # none: first seen
    ],
)
def test_published_date_fallbacks(fields: dict, expected: str) -> None:
    body = rss([{"title": "t", "link": "http://e.com/1", **fields}]).replace(
        b'<rss version="2.0">', b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
    )
    [item] = parse_feed(body, "src", NOW).items
    assert item.published == expected
    assert item.first_seen == "2026-11-26T08:00:00Z"


def test_entry_with_nothing_still_becomes_an_item() -> None:
    item = one_item(description="只有正文的条目")
    assert item.title == "只有正文的条目" and item.url == "" and item.guid == ""
    assert item.id  # stable id from the text
    assert item.id == one_item(description="只有正文的条目").id


def test_authors_and_categories() -> None:
    item = one_item(title="t", link="http://e.com/1", author="编辑部", category="创投")
    assert item.authors == ["编辑部"] and item.categories == ["创投"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty response"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "HTML page, not a feed"),
        (b'{"version": "https://jsonfeed.org/version/1"}', "JSON Feed"),
        (b"just some text", "not a readable feed"),
    ],
)
def test_unreadable_bodies_are_feed_errors(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(body, "src", NOW)


def test_benign_bozo_keeps_entries_with_a_warning() -> None:
    body = b'<rss version="2.0"><channel><item><title>caf&eacute;</title></item></channel></rss>'
    parsed = parse_feed(body, "src", NOW)
    assert [i.title for i in parsed.items] == ["café"]
    assert parsed.warnings and "read leniently" in parsed.warnings[0]


def test_a_full_text_body_is_not_stored_its_plain_text_starts_the_summary() -> None:
    body = '<p onclick="x()">First <b>words</b><script>alert(1)</script></p>\n'
    body += "<p>more</p>\n" * 3000  # a 36 KB article
    [item] = parse_feed(rss([{"title": "t", "description": body}]), "src", NOW).items
    assert item.summary.startswith("First words more more") and "alert" not in item.summary
    assert columns(item.summary[:-1]) <= SUMMARY_WIDTH
    assert "content_html" not in item.to_dict()


# Markup, entities (escaped twice too), comments, script bodies, joiners: what a body is
# made of, and what a cut can fall in the middle of.
HTML_PIECES = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<b>",
        "</b>",
        "<br>",
        '<a href="x">',
        "</a>",
        "<!--",
        "-->",
        "<script>",
        "</script>",
        "<style>",
        "</style>",
        "&amp;",
        "&lt;p&gt;",
        "&amp;lt;b&amp;gt;",
        "&eacute;",
        "&#x4e2d;",
        "e\u0301",
        "\u200d",
        "融资",
        "word",
        "。",
        "\n",
        " ",
    ]
)


@given(st.lists(HTML_PIECES, max_size=400).map("".join), st.integers(5, 60))
def test_the_start_of_a_body_gives_the_summary_the_whole_body_gives(body: str, chars: int) -> None:
    assert truncate(html_to_text_start(body, chars), chars) == truncate(html_to_text(body), chars)
