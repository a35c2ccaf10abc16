"""The sources page tells members what kind of trouble a source has, in Chinese: the
fetcher's own (English) message stays in the curator's report."""

import re

import pytest

from feedkb.site.pages.sources import error_in_words
from feedkb.store import SourceState


@pytest.mark.parametrize(
    ("error", "status", "shown"),
    [
        ("HTTP 404 Not Found", "404", "服务器拒绝（HTTP 404）"),
        ("HTTP 410 Gone", "410", "来源已停止（HTTP 410）"),
        ("timed out (ReadTimeout) after 20 s", None, "超时"),
        ("gave up after 60 s (server too slow)", None, "超时"),
        ("parsing took longer than 30 s; given up", None, "超时"),
        ("more than 5 redirects (redirect loop?)", None, "跳转出错"),
        ("response larger than 10,485,760 bytes, not read", None, "内容过大"),
        ("not a feed: no entries and no title", None, "内容无法解析"),
        ("parser failed: ValueError: x", None, "内容无法解析"),
        ("ConnectError: [Errno -2] Name or service not known", None, "无法连接"),
    ],
)
def test_fetch_errors_read_in_chinese(error: str, status: str | None, shown: str) -> None:
    words = error_in_words(SourceState(last_error=error, last_status=status))
    assert words == shown
    assert not re.search(r"[A-Za-z]{2,}", words.replace("HTTP", ""))


def test_a_source_without_an_error_shows_none() -> None:
    assert error_in_words(SourceState(last_status="200")) == ""
