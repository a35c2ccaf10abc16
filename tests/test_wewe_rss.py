"""WeChat official accounts through wewe-rss (cooderl/wewe-rss), and OPML from RSSHub: against
a wewe-rss-like server on 127.0.0.1 serving its OPML export and each account's feed as .atom,
.rss and .json, the way wewe-rss builds them (apps/web/src/pages/feeds/index.tsx for the OPML,
apps/server/src/feeds/feeds.service.ts with the `feed` package for the feeds)."""

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
import pytest
from pytest_httpserver import HTTPServer

from feedkb.sources import SourceList
from feedkb.store import Store
from tests.conftest import run

# Two accounts; wewe-rss writes names into its OPML unescaped, so the "&" arrives bare.
ACCOUNTS = {
    "MP_WXS_3941633310": ("创投观察", ["A 轮融资周报：企业服务赛道", "硬科技基金募资进展"]),
    "MP_WXS_2390582081": ("出海&增长", ["东南亚电商出海复盘"]),
}
TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
PUBLISHED = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def article_link(account: str, index: int) -> str:
    return f"https://mp.weixin.qq.com/s/{account[-6:]}-{index}"


def rss_of(origin: str, account: str) -> str:
    name, titles = ACCOUNTS[account]
    items = "".join(
        f"<item><title><![CDATA[{title}]]></title><link>{article_link(account, i)}</link>"
        f"<guid>{article_link(account, i)}</guid>"
        f"<pubDate>{format_datetime(PUBLISHED)}</pubDate></item>"
        for i, title in enumerate(titles)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(name)}</title><link>{origin}/feeds/{account}.rss</link>"
        f"<description>{escape(name)}</description><generator>WeWe-RSS</generator>"
        f"{items}</channel></rss>"
    )


def atom_of(origin: str, account: str) -> str:
    name, titles = ACCOUNTS[account]
    entries = "".join(
        f'<entry><title type="html"><![CDATA[{title}]]></title><id>{account}-{i}</id>'
        f'<link href="{article_link(account, i)}"/><updated>{PUBLISHED.isoformat()}</updated>'
        "</entry>"
        for i, title in enumerate(titles)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{origin}/feeds/{account}.atom</id><title>{escape(name)}</title>"
        f"<updated>{PUBLISHED.isoformat()}</updated><generator>WeWe-RSS</generator>"
        f'<link rel="alternate" href="{origin}/feeds/{account}.atom"/>{entries}</feed>'
    )


def json_of(origin: str, account: str) -> str:
    name, titles = ACCOUNTS[account]
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": name,
            "home_page_url": f"{origin}/feeds/{account}.json",
            "items": [
                {
                    "id": f"{account}-{i}",
                    "url": article_link(account, i),
                    "title": title,
                    "date_published": PUBLISHED.isoformat(),
                }
                for i, title in enumerate(titles)
            ],
        },
        ensure_ascii=False,
    )


FEEDS = {"rss": rss_of, "atom": atom_of, "json": json_of}


def opml_export(origin: str, kind: str = "atom") -> str:
    """wewe-rss's OPML export, built as its web app builds it (string templates, names not
    escaped, the feed URL as htmlUrl too); it links .atom, a curator may prefer another."""
    outlines = "".join(
        f'    <outline text="{name}" type="rss" xmlUrl="{origin}/feeds/{account}.{kind}" '
        f'htmlUrl="{origin}/feeds/{account}.{kind}"/>\n'
        for account, (name, _titles) in ACCOUNTS.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n    <opml version="2.0">\n      <head>\n'
        "        <title>WeWeRSS 所有订阅源</title>\n      </head>\n      <body>\n    "
        f"{outlines}    </body>\n    </opml>"
    )


@pytest.fixture
def wewe(feed_server: HTTPServer) -> HTTPServer:
    origin = feed_server.url_for("").rstrip("/")
    for kind, content_type in TYPES.items():
        for account in ACCOUNTS:
            feed_server.expect_request(f"/feeds/{account}.{kind}").respond_with_data(
                FEEDS[kind](origin, account), content_type=content_type
            )
        feed_server.expect_request(f"/WeWeRSS-All-{kind}.opml").respond_with_data(
            opml_export(origin, kind), content_type="text/xml; charset=utf-8"
        )
    return feed_server


def downloaded_opml(server: HTTPServer, kind: str, folder: Path) -> Path:
    path = folder / "WeWeRSS-All.opml"
    path.write_bytes(httpx.get(server.url_for(f"/WeWeRSS-All-{kind}.opml")).content)
    return path


@pytest.mark.parametrize("kind", ["atom", "rss", "json"])
def test_wewe_rss_accounts_import_and_fetch_one_source_each(
    curation: Path, wewe: HTTPServer, tmp_path: Path, kind: str
) -> None:
    opml = downloaded_opml(wewe, kind, tmp_path)
    result = run(curation, "sources", "import", str(opml))
    assert result.exit_code == 0, result.output + result.stderr
    assert "imported 2 sources" in result.output
    sources = {s.id: s for s in SourceList.load(curation).sources}
    assert {sid: (s.title, s.tags, s.homepage) for sid, s in sources.items()} == {
        "wechat-3941633310": ("创投观察", ("wechat",), None),
        "wechat-2390582081": ("出海&增长", ("wechat",), None),
    }
    assert sources["wechat-3941633310"].url.endswith(f"/feeds/MP_WXS_3941633310.{kind}")

    fetched = run(curation, "fetch")
    assert fetched.exit_code == 0, fetched.output + fetched.stderr
    stored: dict[str, set[str]] = {}
    for item in Store(curation).load_items():
        stored.setdefault(item.source, set()).add(item.title)
    assert stored == {
        "wechat-3941633310": {"A 轮融资周报：企业服务赛道", "硬科技基金募资进展"},
        "wechat-2390582081": {"东南亚电商出海复盘"},
    }


def test_importing_the_same_accounts_again_adds_nothing(
    curation: Path, wewe: HTTPServer, tmp_path: Path
) -> None:
    opml = downloaded_opml(wewe, "atom", tmp_path)
    assert run(curation, "sources", "import", str(opml)).exit_code == 0
    again = run(curation, "sources", "import", str(opml))
    assert "imported 0 sources" in again.output and "(2 skipped)" in again.output
    # The server moved (another host): the accounts are still the same sources.
    moved = tmp_path / "moved.opml"
    moved.write_text(opml.read_text(encoding="utf-8").replace("127.0.0.1", "localhost"))
    result = run(curation, "sources", "import", str(moved))
    assert "imported 0 sources" in result.output
    assert "already listed as wechat-2390582081" in result.stderr
    assert len(SourceList.load(curation).sources) == 2


def test_opml_urls_on_a_known_rsshub_instance_become_routes(
    curation: Path, feed_server: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = feed_server.url_for("").rstrip("/")
    (curation / "sources.yaml").write_text(
        json.dumps({"rsshub": [{"url": instance, "key_env": "FEEDKB_TEST_KEY"}], "sources": []}),
        encoding="utf-8",
    )
    opml = tmp_path / "reader.opml"
    opml.write_text(
        f"""<?xml version="1.0"?><opml version="2.0"><body>
  <outline text="36氪快讯" xmlUrl="{instance}/36kr/newsflashes?key=abc"/>
  <outline text="虎嗅·出海" xmlUrl="https://rsshub.app/huxiu/channel/114"/>
  <outline text="少数派" xmlUrl="https://sspai.com/feed"/>
</body></opml>""",
        encoding="utf-8",
    )
    assert run(curation, "sources", "import", str(opml)).exit_code == 0
    listed = [(s.id, s.rsshub, s.url) for s in SourceList.load(curation).sources]
    assert listed == [
        ("36kr-newsflashes", "/36kr/newsflashes", ""),
        ("huxiu-channel-114", "/huxiu/channel/114", ""),
        ("sspai", None, "https://sspai.com/feed"),
    ]

    monkeypatch.setenv("FEEDKB_TEST_KEY", "s3cret")
    exported = run(curation, "sources", "export").output
    assert f'xmlUrl="{instance}/36kr/newsflashes"' in exported and "s3cret" not in exported
    (tmp_path / "exported.opml").write_text(exported, encoding="utf-8")
    again = run(curation, "sources", "import", str(tmp_path / "exported.opml"))
    assert "imported 0 sources" in again.output and "(3 skipped)" in again.output
