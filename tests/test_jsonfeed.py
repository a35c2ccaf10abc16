"""JSON Feed 1.0 and 1.1: read into the same Items as RSS, by the same normaliser; hostile
documents give a clear error or warning and lose nothing else."""

import json
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from feedkb.parse import MAX_FIELD_CHARS, FeedError, ParsedFeed, parse_feed
from feedkb.store import Store
from feedkb.text import SUMMARY_WIDTH
from tests.conftest import CORPUS, rss, run, write_sources

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
FIRST_SEEN = "2026-11-26T08:00:00Z"
V1 = "https://jsonfeed.org/version/1"
V11 = "https://jsonfeed.org/version/1.1"
SPEC = CORPUS / "jsonfeed"


def feed(*items: object, **top: object) -> bytes:
    """A JSON Feed 1.1 document holding ``items`` as given, whatever their types."""
    return orjson.dumps({"version": V11, "title": "测试源", **top, "items": list(items)})


def parse(body: bytes, headers: dict[str, str] | None = None) -> ParsedFeed:
    return parse_feed(body, "src", NOW, headers)


def spec(name: str) -> ParsedFeed:
    return parse((SPEC / name).read_bytes())


# --- the specification's examples ----------------------------------------------------------


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_spec_simple_example(version: str) -> None:
    parsed = spec(f"spec-{version}-simple.json")
    assert parsed.title == "My Example Feed" and parsed.warnings == []
    second, first = parsed.items
    assert (second.guid, second.url) == ("2", "https://example.org/second-item")
    assert second.title == second.summary == "This is a second item."  # no title: the text's
    assert (first.guid, first.url) == ("1", "https://example.org/initial-post")
    assert first.title == first.summary == "Hello, world!"  # content_html made text
    assert first.published == first.first_seen == FIRST_SEEN  # no date: first seen


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_spec_podcast_example(version: str) -> None:
    [item] = spec(f"spec-{version}-podcast.json").items
    assert item.title == "Special #1 - Chris Parrish"
    assert item.url == item.guid == "http://therecord.co/chris-parrish"
    # summary first, though content_text and content_html are there too
    assert item.summary == (
        "Brent interviews Chris Parrish, co-host of The Record and one-half of Aged & Distilled."
    )
    assert item.published == "2014-05-09T21:04:00Z"  # -07:00 in UTC


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_spec_microblog_example(version: str) -> None:
    parsed = spec(f"spec-{version}-microblog.json")
    [item] = parsed.items
    assert parsed.title == "Brent Simmons’s Microblog"
    assert item.authors == ["Brent Simmons"]  # the feed's author (1.0) or authors (1.1)
    assert item.title == item.summary == "Cats are neat. https://example.org/cats"
    assert item.published == "2016-02-09T21:22:00Z"


@pytest.mark.parametrize("example", ["simple", "podcast", "microblog"])
def test_versions_1_0_and_1_1_of_an_example_are_the_same_items(example: str) -> None:
    assert spec(f"spec-1.0-{example}.json").items == spec(f"spec-1.1-{example}.json").items


def test_feedparsers_json_feed_document_is_read() -> None:
    parsed = parse((CORPUS / "feedparser" / "json" / "example.json").read_bytes())
    assert [i.title for i in parsed.items] == ["post 2", "Hello, world!"]
    assert parsed.items[0].categories == ["test", "JSON"]
    assert parsed.items[1].authors == ["you"]  # the item's author, not the feed's "me"
    assert "<" not in parsed.items[1].summary  # the <script> in content_html is gone


# --- one normaliser: the same story as RSS and as JSON Feed is the same Item ----------------


def test_the_same_entry_as_rss_and_as_json_feed_is_the_same_item() -> None:
    body = "<p>某公司完成<b>B轮</b>融资</p><script>alert(1)</script>" + "<p>正文</p>" * 3000
    as_rss = rss(
        [
            {
                "title": "某公司完成B轮融资 &amp; 更多",
                "link": "https://news.example.com/a/1?utm_source=rss#top",
                "guid": "story-1",
                "description": body,
                "pubDate": "Tue, 24 Nov 2026 10:00:00 +0800",
                "author": "编辑部",
                "category": "创投",
            }
        ]
    )
    as_json = feed(
        {
            "id": "story-1",
            "title": "某公司完成B轮融资 &amp; 更多",
            "url": "https://news.example.com/a/1?utm_source=rss#top",
            "content_html": body,
            "date_published": "2026-11-24T10:00:00+08:00",
            "authors": [{"name": "编辑部"}],
            "tags": ["创投"],
        }
    )
    [from_rss], [from_json] = parse(as_rss).entries, parse(as_json).entries
    assert from_json == from_rss  # the Item and its identity keys
    item = from_json[0]
    assert item.url == "https://news.example.com/a/1"
    assert item.published == "2026-11-24T02:00:00Z"
    assert len(item.summary) <= SUMMARY_WIDTH and "<" not in item.summary


def test_fields_fall_back_as_the_spec_says() -> None:
    [linkblog, modified, text_only] = parse(
        feed(
            {"id": "1", "external_url": "https://elsewhere.example.com/p", "content_text": "看"},
            {"id": "2", "content_text": "改", "date_modified": "2026-11-20T08:00:00Z"},
            {"id": "3", "content_text": "纯文本正文", "content_html": "<p>HTML正文</p>"},
        )
    ).items
    assert linkblog.url == "https://elsewhere.example.com/p"  # url, else external_url
    assert modified.published == "2026-11-20T08:00:00Z"  # date_published, else date_modified
    assert text_only.summary == "纯文本正文"  # summary, else content_text, else content_html


def test_language_from_the_feed_or_the_item() -> None:
    parsed = parse(
        feed(
            {"id": "1", "title": "Funding news"},
            {"id": "2", "title": "News", "language": "en-US"},
            {"id": "3", "title": "x", "language": "<script>"},
            language="zh_CN",
        )
    )
    assert [i.lang for i in parsed.items] == ["zh-cn", "en-us", "zh-cn"]


def test_relative_urls_are_resolved_against_the_feeds_url() -> None:
    headers = {"content-location": "https://blog.example.com/feeds/feed.json"}
    [item] = parse(feed({"id": "1", "url": "/posts/1"}), headers).items
    assert item.url == "https://blog.example.com/posts/1"


@pytest.mark.parametrize(
    ("date", "published"),
    [
        ("2026-11-24T10:00:00.123456789+08:00", "2026-11-24T02:00:00Z"),
        ("2026-11-24t10:00:00z", "2026-11-24T10:00:00Z"),  # RFC 3339 allows lower case
        ("2026-11-24T10:00:00", "2026-11-24T10:00:00Z"),  # no offset: UTC
        ("2099-01-01T00:00:00Z", FIRST_SEEN),  # untrusted, as for RSS
        ("1970-01-01T00:00:00Z", FIRST_SEEN),
        ("0001-01-01T00:00:00+01:00", FIRST_SEEN),
        ("Tue, 24 Nov 2026 10:00:00 GMT", FIRST_SEEN),  # RFC 822 is not RFC 3339
        ("2026-11-24T10:00:00Z" + "0" * 200_000, FIRST_SEEN),
    ],
)
def test_dates(date: str, published: str) -> None:
    [item] = parse(feed({"id": "1", "date_published": date})).items
    assert item.published == published


def test_an_implausible_published_date_gives_way_to_the_modified_date() -> None:
    [item] = parse(
        feed(
            {
                "id": "1",
                "date_published": "2099-01-01T00:00:00Z",
                "date_modified": "2026-11-01T00:00:00Z",
            }
        )
    ).items
    assert item.published == "2026-11-01T00:00:00Z"


# --- detection --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        feed({"id": "1", "title": "标题"}),
        b"\xef\xbb\xbf  \n" + feed({"id": "1", "title": "标题"}),  # BOM and whitespace first
        feed({"id": "1", "title": "标题"}).replace(V11.encode(), V1.encode()),
    ],
)
def test_json_feeds_are_known_by_their_content(body: bytes) -> None:
    for content_type in ("application/feed+json", "application/json", "application/rss+xml"):
        [item] = parse(body, {"content-type": content_type}).items
        assert item.title == "标题"


def test_an_rss_feed_served_as_json_is_still_rss() -> None:
    body = rss([{"title": "RSS条目", "link": "http://e.example.com/1"}])
    [item] = parse(body, {"content-type": "application/json"}).items
    assert item.title == "RSS条目"


def test_a_newer_version_is_read_with_a_warning() -> None:
    parsed = parse(feed({"id": "1", "title": "新版"}, version="https://jsonfeed.org/version/1.2"))
    assert [i.title for i in parsed.items] == ["新版"]
    assert parsed.warnings == [
        "JSON Feed: version is 'https://jsonfeed.org/version/1.2', which is not 1 or 1.1: "
        "read as 1.1"
    ]


def test_a_feed_without_items_yet_is_empty_not_an_error() -> None:
    parsed = parse(feed())
    assert parsed.items == [] and parsed.warnings == [] and parsed.title == "测试源"


# --- hostile documents: a clear error, or a warning and nothing else lost -------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "not valid JSON: "),
        (b'{"version": "https://jsonfeed.org/version/1", "items": [],}', "not valid JSON: "),
        (b"{'version': 1}", "not valid JSON: "),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON: depth limit exceeded"),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": '
            + b"[" * 5000
            + b"]" * 5000
            + b"}",
            "not valid JSON: depth limit exceeded",
        ),
        (b"[]", "valid JSON but not a feed: the document is a list"),
        (b'[{"version": "https://jsonfeed.org/version/1.1"}]', "the document is a list"),
        (b'{"data": [1, 2, 3]}', "valid JSON but not a JSON Feed: no `version`"),
        (
            b'{"version": "2.0", "items": []}',
            "valid JSON but not a JSON Feed: `version` is '2.0', not "
            "https://jsonfeed.org/version/1.1 or 1",
        ),
        (b'{"version": {"x": 1}}', "`version` is an object"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "JSON Feed without `items`"),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": {"id": "1"}}',
            "JSON Feed without a list of items: `items` is an object",
        ),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": "none"}',
            "`items` is a string",
        ),
    ],
)
def test_documents_that_are_not_json_feeds_are_clear_errors(body: bytes, message: str) -> None:
    with pytest.raises(FeedError) as raised:
        parse(body)
    assert message in str(raised.value)
    assert len(str(raised.value)) < 300  # the message, not the document


GOOD = {"id": "good", "title": "好条目", "url": "https://e.example.com/good"}


@pytest.mark.parametrize(
    ("bad", "warning"),
    [
        ("a string", "items[0] is a string, not an object: skipped"),
        (42, "items[0] is a number, not an object: skipped"),
        (None, "items[0] is null, not an object: skipped"),
        ([{"id": "x"}], "items[0] is a list, not an object: skipped"),
    ],
)
def test_an_item_that_is_not_an_object_is_skipped_the_rest_kept(bad: object, warning: str) -> None:
    parsed = parse(feed(bad, GOOD))
    assert [i.title for i in parsed.items] == ["好条目"]
    assert parsed.warnings == [f"JSON Feed: {warning}"]


@pytest.mark.parametrize(
    ("field", "value", "warning"),
    [
        ("title", 12345, "items[0].title is a number, not a string: left out"),
        ("title", ["a"], "items[0].title is a list, not a string: left out"),
        ("summary", {"x": 1}, "items[0].summary is an object, not a string: left out"),
        ("content_html", True, "items[0].content_html is true or false, not a string: left out"),
        ("url", 1, "items[0].url is a number, not a string: left out"),
        ("tags", {"创投": 1}, "items[0].tags is an object, not a list: left out"),
        ("tags", [1, None], "items[0].tags holds values that are not strings: those left out"),
        ("authors", "编辑部", "items[0].authors is a string, not a list: left out"),
        ("authors", ["编辑部"], "items[0].authors holds values that are not objects"),
        ("author", "编辑部", "items[0].author is a string, not an object: left out"),
        ("authors", [{"name": 7}], "items[0].authors.name is a number, not a string"),
        ("date_published", 1700000000, "items[0].date_published is a number, not a string"),
        ("date_published", "yesterday", "items[0].date_published is not an RFC 3339 date"),
        ("language", ["zh"], "items[0].language is a list, not a string: left out"),
        ("id", {"n": 1}, "items[0].id is an object, not a string: left out"),
    ],
)
def test_a_field_of_the_wrong_type_is_left_out_with_a_warning(
    field: str, value: object, warning: str
) -> None:
    item = {"id": "1", "content_text": "正文", "url": "https://e.example.com/1", field: value}
    parsed = parse(feed(item, GOOD))
    assert parsed.warnings[0].startswith(f"JSON Feed: {warning}"), parsed.warnings
    [kept, good] = parsed.items
    assert good.title == "好条目"
    assert (kept.summary, kept.lang) == ("正文", "zh")  # the rest of the item is kept


def test_good_values_beside_bad_ones_are_kept() -> None:
    [item] = parse(
        feed({"id": "1", "tags": ["创投", 3, "融资"], "authors": [{"name": "甲"}, "乙", {}]})
    ).items
    assert item.categories == ["创投", "融资"] and item.authors == ["甲"]


def test_the_feeds_fields_and_its_items_are_warned_about_apart() -> None:
    parsed = parse(feed({"id": "1", "title": 1}, {"id": "2", "title": 2}, title=3, authors={}))
    assert parsed.title == "" and len(parsed.items) == 2
    assert parsed.warnings == [
        "JSON Feed: title is a number, not a string: left out",
        "JSON Feed: authors is an object, not a list: left out",
        "JSON Feed: items[0].title is a number, not a string: left out (and 1 more like it)",
    ]


def test_numeric_ids_are_taken_as_text_as_the_spec_asks() -> None:
    [item] = parse(feed({"id": 12345, "title": "数字"})).items
    assert item.guid == "12345"
    assert item.id == parse(feed({"id": "12345", "title": "数字"})).items[0].id


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>x</script>"])
def test_unsafe_urls_are_never_an_items_url(url: str) -> None:
    parsed = parse(
        feed(
            {"id": "1", "title": "a", "url": url},
            {"id": "2", "title": "b", "url": url, "external_url": "https://e.example.com/b"},
            {"id": "3", "title": "c", "external_url": " " + url.upper()},
        )
    )
    assert [i.url for i in parsed.items] == ["", "https://e.example.com/b", ""]
    assert parsed.warnings == [
        "JSON Feed: items[0].url is not an http(s) URL: left out (and 1 more like it)",
        "JSON Feed: items[2].external_url is not an http(s) URL: left out",
    ]


def test_items_without_ids_are_kept_and_identified_as_rss_entries_are() -> None:
    body = feed(
        {"url": "https://e.example.com/p/1", "title": "有链接"},
        {"title": "只有标题", "content_text": "正文"},
        {"id": "", "title": "空id"},
        {"id": "   ", "title": "空白id"},
    )
    parsed = parse(body)
    assert [i.title for i in parsed.items] == ["有链接", "只有标题", "空id", "空白id"]
    assert parsed.warnings == [
        "JSON Feed: items[0] has no id: known by its URL, else its text (and 3 more like it)"
    ]
    by_url, by_text = parsed.entries[0][1], parsed.entries[1][1]
    assert by_url == ["url:e.example.com/p/1"]
    assert by_text[0].startswith("text:src:只有标题:正文")
    assert [i.id for i in parse(body).items] == [i.id for i in parsed.items]  # stable


def test_a_repeated_id_is_one_story() -> None:
    parsed = parse(feed({"id": "a", "title": "一"}, {"id": "a", "title": "二"}))
    assert [i.title for i in parsed.items] == ["一"]


def test_a_5mb_title_and_body_are_cut_as_for_rss() -> None:
    title, body = "<b>标题</b>" * 600_000, "<p>正文</p>" * 600_000
    [item] = parse(feed({"id": "1", "title": title, "content_html": body})).items
    [same] = parse(rss([{"guid": "1", "title": title, "description": body}])).items
    assert len(item.title) <= MAX_FIELD_CHARS and len(item.summary) <= SUMMARY_WIDTH
    assert (item.title, item.summary) == (same.title, same.summary)


def test_100000_items_are_read_and_100000_bad_ones_make_two_warnings() -> None:
    many = parse(feed(*({"id": n, "content_text": "条目"} for n in range(100_000))))
    assert len(many.items) == 100_000 and many.warnings == []
    bad = parse(feed(*(["x"] * 50_000), *([{"id": "t", "title": 1}] * 50_000)))
    assert len(bad.items) == 1
    assert bad.warnings == [
        "JSON Feed: items[0] is a string, not an object: skipped (and 49,999 more like it)",
        "JSON Feed: items[50000].title is a number, not a string: left out "
        "(and 49,999 more like it)",
    ]


def test_deep_nesting_inside_a_field_is_left_out() -> None:
    nested = b"[" * 1000 + b"]" * 1000  # deeper than orjson writes, not than it reads
    body = feed({"id": "1", "content_text": "正文", "title": "NESTED"})
    parsed = parse(body.replace(b'"NESTED"', nested))
    assert parsed.items[0].title == "正文"
    assert "items[0].title is a list" in parsed.warnings[0]


def test_invalid_utf8_is_read_with_the_bad_bytes_replaced() -> None:
    body = feed({"id": "1", "title": "好XX条目"}).replace(b"XX", b"\xff\xfe")
    parsed = parse(body)
    assert parsed.items[0].title == "好\ufffd\ufffd条目"
    assert parsed.warnings == [
        "JSON Feed: document is not valid UTF-8: read with the bad bytes replaced"
    ]


def test_no_markup_survives_into_stored_text() -> None:
    [item] = parse(
        feed(
            {
                "id": "1",
                "title": '<img src=x onerror="alert(1)">标题',
                "summary": "<script>alert(1)</script>摘要 &lt;b&gt;",
                "tags": ["<b>创投</b>"],
                "authors": [{"name": "<i>编辑</i>"}],
            }
        )
    ).items
    assert (item.title, item.summary) == ("标题", "摘要")
    assert (item.categories, item.authors) == (["创投"], ["编辑"])


# --- end to end: feedkb fetch ------------------------------------------------------------------


def test_feedkb_fetch_stores_json_feed_items(curation: Path, feed_server) -> None:
    served = {
        "feed": ("application/feed+json", (SPEC / "spec-1.1-podcast.json").read_bytes()),
        "api": (
            "application/json",
            feed({"id": "n1", "title": "某公司完成A轮融资", "url": "https://e.example.com/n1"}),
        ),
        "broken": ("application/feed+json", b'{"version": "https://jsonfeed.org/version/1'),
    }
    for name, (content_type, body) in served.items():
        feed_server.expect_request(f"/{name}.json").respond_with_data(
            body, content_type=content_type
        )
    write_sources(curation, [{"id": n, "url": feed_server.url_for(f"/{n}.json")} for n in served])
    report_path = curation.parent / "report.json"
    result = run(curation, "fetch", "--json", str(report_path))
    assert result.exit_code == 0, result.output
    rows = {r["source"]: r for r in json.loads(report_path.read_text())["sources"]}
    assert rows["feed"]["status"] == rows["api"]["status"] == "ok"
    assert rows["broken"]["status"] == "error"
    assert rows["broken"]["error"].startswith("not valid JSON: ")
    stored = {i.source: i for i in Store(curation).load_items()}
    assert stored["feed"].title == "Special #1 - Chris Parrish"
    assert stored["feed"].published == "2014-05-09T21:04:00Z"
    assert stored["api"].url == "https://e.example.com/n1"
    assert "broken" not in stored
    assert "fetch: 0 new items" in run(curation, "fetch").output  # known on the next run
