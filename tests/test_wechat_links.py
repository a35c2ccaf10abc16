"""WeChat official-account article links: one article, however it was shared, is one URL and
one stored item."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedkb.identity import identity_keys
from feedkb.store import Store
from feedkb.urls import canonical_url, url_key
from tests.conftest import rss, run, write_sources

ARTICLE = "https://mp.weixin.qq.com/s?__biz=MzA3MDM3NjE5NQ==&mid=2650123456&idx=2&sn=0a1b2c3d4e5f"
SHARED = (
    "https://mp.weixin.qq.com/s?__biz=MzA3MDM3NjE5NQ==&mid=2650123456&idx=2&sn=0a1b2c3d4e5f"
    "&chksm=84c1a2b3c4d5&scene=21&sharer_shareid=9f8e7d&sharer_sharetime=1700000000&ascene=1"
    "&devicetype=android-33&version=28002c51&nettype=WIFI&lang=zh_CN&exportkey=n_ChQIAhIQ"
    "&pass_ticket=xYz%2Bq&wx_header=3#rd"
)
TRACKING = (
    "chksm=1",
    "scene=21",
    "sharer_shareid=a",
    "sharer_sharetime=1",
    "ascene=1",
    "devicetype=iOS17",
    "version=1",
    "nettype=WIFI",
    "lang=zh_CN",
    "exportkey=k",
    "pass_ticket=p",
    "wx_header=1",
    "clicktime=1",
    "enterid=1",
    "from=timeline",
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (SHARED, ARTICLE),
        (ARTICLE + "#wechat_redirect", ARTICLE),
        ("http://mp.weixin.qq.com/s?" + ARTICLE.split("?")[1], ARTICLE),  # http -> https
        ("HTTP://MP.WEIXIN.QQ.COM:80/s?" + ARTICLE.split("?")[1], ARTICLE),
        # The parameters in another order, tracking ones first: their usual order comes back.
        (
            "https://mp.weixin.qq.com/s?scene=1&sn=0a1b2c3d4e5f&idx=2&mid=2650123456"
            "&__biz=MzA3MDM3NjE5NQ==",
            ARTICLE,
        ),
        # appmsgid and itemidx are the old names of mid and idx.
        (
            "http://mp.weixin.qq.com/s?__biz=MzA3MDM3NjE5NQ==&appmsgid=2650123456&itemidx=2"
            "&sn=0a1b2c3d4e5f#rd",
            ARTICLE,
        ),
        # A percent-encoded __biz is the same account.
        (ARTICLE.replace("NQ==", "NQ%3D%3D"), ARTICLE),
        # Short links keep their path and lose the query and fragment.
        (
            "https://mp.weixin.qq.com/s/Xy-Z_09abc?scene=1&from=x#rd",
            "https://mp.weixin.qq.com/s/Xy-Z_09abc",
        ),
        ("http://mp.weixin.qq.com/s/Xy-Z_09abc", "https://mp.weixin.qq.com/s/Xy-Z_09abc"),
        # A temporary link has no __biz: its signature names it, so nothing but tracking goes.
        (
            "https://mp.weixin.qq.com/s?src=11&timestamp=1700000000&ver=4&signature=Ab*c&utm_source=x",
            "https://mp.weixin.qq.com/s?src=11&timestamp=1700000000&ver=4&signature=Ab*c",
        ),
        # Other pages of the host are not articles.
        (
            "https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzA3MDM3NjE5NQ==#rd",
            "https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzA3MDM3NjE5NQ==",
        ),
    ],
)
def test_wechat_article_links_are_canonical(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected


def test_different_articles_stay_apart() -> None:
    others = [
        ARTICLE.replace("idx=2", "idx=1"),  # another article of the same message
        ARTICLE.replace("mid=2650123456", "mid=2650123457"),
        ARTICLE.replace("MzA3MDM3NjE5NQ==", "MzI0MjA1Mjg2MA=="),  # another account
        "https://mp.weixin.qq.com/s/Xy-Z_09abc",
        "https://mp.weixin.qq.com/s/Xy-Z_09abd",
    ]
    assert len({url_key(u) for u in [ARTICLE, *others]}) == 1 + len(others)


@given(st.lists(st.sampled_from(TRACKING), unique=True), st.sampled_from(["http", "https"]))
def test_tracking_never_changes_the_identity(tracking: list[str], scheme: str) -> None:
    shared = f"{scheme}://mp.weixin.qq.com/s?" + "&".join([*tracking, ARTICLE.split("?")[1]])
    assert canonical_url(shared) == ARTICLE
    assert identity_keys("a", "", shared) == identity_keys("b", "", ARTICLE)


def test_two_feeds_sharing_one_article_store_it_once(curation: Path, feed_server) -> None:
    """Two routes to one account (say an RSSHub mirror and a newsletter) list its article with
    different share parameters and guids: one story."""
    feeds = {
        "wechat-a": rss([{"title": "某公司完成B轮融资", "link": SHARED, "guid": "a-1"}]),
        "wechat-b": rss(
            [
                {
                    "title": "某公司完成B轮融资",
                    "link": "http://mp.weixin.qq.com/s?__biz=MzA3MDM3NjE5NQ%3D%3D"
                    "&appmsgid=2650123456&itemidx=2&sn=0a1b2c3d4e5f&scene=126&sessionid=1#rd",
                    "guid": "b-77",
                },
                {"title": "另一篇文章", "link": ARTICLE.replace("idx=2", "idx=3"), "guid": "b-78"},
            ]
        ),
    }
    for name, body in feeds.items():
        feed_server.expect_request(f"/{name}").respond_with_data(
            body, content_type="application/rss+xml"
        )
    write_sources(curation, [{"id": n, "url": feed_server.url_for(f"/{n}")} for n in feeds])
    # One route first, the other in a later run: the stored item's URL is what it is matched by.
    for args in (["--source", "wechat-a"], []):
        result = run(curation, "fetch", *args)
        assert result.exit_code == 0, result.output
    items = Store(curation).load_items()
    assert sorted(i.title for i in items) == ["另一篇文章", "某公司完成B轮融资"]
    [article] = [i for i in items if i.title == "某公司完成B轮融资"]
    assert article.url == ARTICLE
