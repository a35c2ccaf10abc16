"""curation/sources.yaml: validation with clear errors, CLI edits that keep comments, OPML."""

from pathlib import Path

import pytest

from feedkb.errors import ConfigError
from feedkb.opml import read_opml
from feedkb.sources import SourceList
from tests.conftest import REPO, rss, run, write_sources


def problems_of(curation: Path, text: str) -> list[str]:
    (curation / "sources.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        SourceList.load(curation)
    return [str(p) for p in caught.value.problems]


def test_shipped_sources_are_valid_and_real() -> None:
    sources = SourceList.load(REPO / "curation").sources
    assert len(sources) >= 10
    titles = {s.title for s in sources}
    assert {"36氪", "人人都是产品经理", "虎嗅", "钛媒体", "少数派", "爱范儿", "极客公园"} <= titles
    assert all(s.url.startswith("https://") for s in sources)


def test_yaml_syntax_error_names_file_and_line(curation: Path) -> None:
    [message] = problems_of(curation, "sources:\n  - id: a\n    title: [unclosed\n")
    assert "sources.yaml:4" in message or "sources.yaml:3" in message
    assert "YAML syntax error" in message


def test_every_problem_is_reported_with_entry_and_line(curation: Path) -> None:
    found = problems_of(
        curation,
        """\
sources:
  - id: ok
    title: OK
    url: https://example.com/feed
  - id: ok
    title: Again
    url: https://example.com/other
  - id: Bad Id
    title: T
    url: ftp://example.com/feed
    values: [news, gossip]
    colour: red
  - id: nourl
    title: T
""",
    )
    text = "\n".join(found)
    assert "sources.yaml:5: source 'ok': duplicate id (first used on line 2)" in text
    assert "sources.yaml:8: source 'Bad Id': id 'Bad Id' must be a slug" in text
    assert "sources.yaml:10: source 'Bad Id': URL 'ftp://example.com/feed' must be http(s)" in text
    assert "sources.yaml:11: source 'Bad Id': unknown value 'gossip'" in text
    assert "sources.yaml:12: source 'Bad Id': unknown key 'colour'" in text
    assert "sources.yaml:13: source 'nourl': missing required key 'url'" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "file is empty"),
        ("- a\n- b\n", "expected a mapping with a 'sources' list"),
        ("sources: {a: 1}\n", "must be a list of sources"),
        ("sources:\n  - just-a-string\n", "entry #1: must be a mapping"),
        ("sources:\n  - id: a\n    title: T\n    url: http://\n", "has no host"),
        (
            "sources:\n  - id: a\n    title: T\n    url: http://x.org/\n    enabled: maybe\n",
            "'enabled' must be true or false",
        ),
        (
            "sources:\n  - id: a\n    title: T\n    url: http://x.org/\n    tags: [1, 2]\n",
            "'tags' must be a list of strings",
        ),
    ],
)
def test_malformed_files_get_one_clear_message(curation: Path, text: str, expected: str) -> None:
    assert any(expected in p for p in problems_of(curation, text))


def test_cli_reports_config_errors_without_traceback(curation: Path) -> None:
    (curation / "sources.yaml").write_text("sources:\n  - id: x\n", encoding="utf-8")
    result = run(curation, "fetch")
    assert result.exit_code == 2
    assert "missing required key 'title'" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_missing_curation_folder_is_explained(tmp_path: Path) -> None:
    result = run(tmp_path / "nowhere", "sources", "list")
    assert result.exit_code == 2
    assert "sources.yaml: file not found" in result.stderr


def test_add_and_remove_keep_comments(curation: Path) -> None:
    (curation / "sources.yaml").write_text(
        "# my sources\nsources:\n  # the first one\n  - id: a\n    title: A\n"
        "    url: https://a.example/feed\n",
        encoding="utf-8",
    )
    result = run(
        curation,
        "sources",
        "add",
        "https://www.b-site.example/rss.xml",
        "--title",
        "B 站",
        "--value",
        "deal",
        "--tag",
        "创投",
        "--no-check",
    )
    assert result.exit_code == 0, result.output
    text = (curation / "sources.yaml").read_text(encoding="utf-8")
    assert "# my sources" in text and "# the first one" in text
    added = SourceList.load(curation).get("b-site")
    assert added and added.title == "B 站" and added.values == ("deal",)
    assert added.tags == ("创投",)

    assert run(curation, "sources", "remove", "a").exit_code == 0
    assert [s.id for s in SourceList.load(curation).sources] == ["b-site"]
    missing = run(curation, "sources", "remove", "a")
    assert missing.exit_code == 2 and "no source with id 'a'" in missing.stderr


def test_add_checks_the_feed_and_takes_its_title(curation: Path, feed_server) -> None:
    feed_server.expect_request("/feed").respond_with_data(
        rss([{"title": "x", "link": "http://e.com/x"}], title="极客公园"),
        content_type="application/rss+xml",
    )
    result = run(curation, "sources", "add", feed_server.url_for("/feed"), "--id", "geek")
    assert result.exit_code == 0, result.output
    assert SourceList.load(curation).get("geek").title == "极客公园"

    feed_server.expect_request("/gone").respond_with_data("no", status=404)
    result = run(curation, "sources", "add", feed_server.url_for("/gone"))
    assert result.exit_code == 2
    assert "HTTP 404" in result.stderr and "--no-check" in result.stderr


def test_add_refuses_duplicate_id_and_bad_url(curation: Path) -> None:
    write_sources(curation, [{"id": "a", "url": "https://a.example/feed"}])
    dup = run(curation, "sources", "add", "https://x.example/f", "--id", "a", "--no-check")
    assert dup.exit_code == 2 and "already exists" in dup.stderr
    bad = run(curation, "sources", "add", "javascript:alert(1)", "--no-check")
    assert bad.exit_code == 2 and "must be http(s)" in bad.stderr


def test_opml_round_trip(curation: Path, tmp_path: Path) -> None:
    write_sources(
        curation,
        [
            {
                "id": "kr",
                "title": "36氪",
                "url": "https://36kr.com/feed",
                "homepage": "https://36kr.com",
                "values": ["news", "deal"],
                "tags": ["科技", "创投"],
            },
            {
                "id": "pm",
                "title": "人人都是产品经理 & co",
                "url": "https://www.woshipm.com/feed",
                "enabled": False,
            },
        ],
    )
    opml = tmp_path / "out.opml"
    assert run(curation, "sources", "export", str(opml)).exit_code == 0
    assert [f.url for f in read_opml(opml)] == [
        "https://36kr.com/feed",
        "https://www.woshipm.com/feed",
    ]

    other = tmp_path / "other"
    other.mkdir()
    write_sources(other, [])
    result = run(other, "sources", "import", str(opml))
    assert result.exit_code == 0 and "imported 2 sources" in result.output
    assert SourceList.load(other).sources == SourceList.load(curation).sources
    again = run(other, "sources", "import", str(opml))
    assert "imported 0 sources" in again.output and "2 skipped" in again.output


def test_opml_from_another_reader_folders_become_tags(curation: Path, tmp_path: Path) -> None:
    opml = tmp_path / "reader.opml"
    opml.write_text(
        """<?xml version="1.0"?>
<opml version="1.0"><head><title>Feedly</title></head><body>
  <outline text="创投" title="创投">
    <outline type="rss" text="投资界" xmlUrl="https://pe.pedaily.cn/rss/" htmlUrl="https://www.pedaily.cn"/>
  </outline>
  <outline type="rss" text="少数派" xmlUrl="https://sspai.com/feed" category="/工具,/效率"/>
</body></opml>""",
        encoding="utf-8",
    )
    assert run(curation, "sources", "import", str(opml)).exit_code == 0
    imported = {s.title: s for s in SourceList.load(curation).sources}
    assert imported["投资界"].tags == ("创投",)
    assert imported["投资界"].homepage == "https://www.pedaily.cn"
    assert imported["少数派"].tags == ("工具", "效率")


def test_bad_opml_is_a_clear_error(curation: Path, tmp_path: Path) -> None:
    opml = tmp_path / "broken.opml"
    opml.write_text("<opml><body><outline", encoding="utf-8")
    result = run(curation, "sources", "import", str(opml))
    assert result.exit_code == 2 and "broken.opml: not well-formed XML" in result.stderr
