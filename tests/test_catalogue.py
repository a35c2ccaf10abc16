"""The starter catalogue (#16): packs of checked real sources per field, shown by
`feedkb sources catalogue` and added by `feedkb sources add --pack`."""

import json
import re
from pathlib import Path

import pytest

from feedkb.catalogue import CATALOGUE, load_catalogue
from feedkb.errors import ConfigError
from feedkb.sources import SourceList, parse_sources, route_problem
from feedkb.yamlfile import read_yaml
from tests.conftest import REPO, run, write_sources

FIELDS = {
    "saas": "企业服务",
    "hardtech": "硬科技",
    "consumer": "新消费",
    "global": "出海",
    "ai": "AI",
}


def test_every_pack_passes_the_validation_of_sources_yaml() -> None:
    document = read_yaml(CATALOGUE)
    for slug, pack in document["packs"].items():
        sources = parse_sources(
            CATALOGUE, {"sources": pack["sources"]}, frozenset({"checked_from"})
        )
        assert len(sources) >= 4, slug
        assert all(s.values for s in sources), f"{slug}: every source hints its values"
        assert any(s.rsshub for s in sources) and any(s.url for s in sources), slug
    assert {slug: p.title for slug, p in load_catalogue().items()} == FIELDS


def test_every_entry_says_where_and_when_it_was_checked() -> None:
    for pack in load_catalogue().values():
        for source in pack.sources:
            checked = pack.checked_from[source.id]
            assert checked["url"].startswith("https://"), source.id
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", checked["date"]), source.id
            if source.rsshub:  # checked against the route's own source file in RSSHub
                namespace = source.rsshub.split("/")[1]
                assert f"DIYgod/RSSHub/blob/master/lib/routes/{namespace}/" in checked["url"]
                assert route_problem(source.rsshub) is None


def test_the_catalogue_ships_in_the_package() -> None:
    assert CATALOGUE.is_relative_to(REPO / "src" / "feedkb")
    package_data = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"defaults/*.yaml"' in package_data


def test_catalogue_lists_each_pack_with_routes_urls_and_values(curation: Path) -> None:
    shown = run(curation, "sources", "catalogue")
    assert shown.exit_code == 0, shown.output
    for slug, title in FIELDS.items():
        assert f"pack {slug}: {title}" in shown.output
    # Long routes and URLs fold at 80 columns: the JSON below has them whole.
    assert "huxiu-enterprise" in shown.output and "智库价值" in shown.output
    records = json.loads(run(curation, "sources", "catalogue", "--format", "json").output)
    assert list(records) == list(FIELDS)
    enterprise = records["saas"]["sources"][0]
    assert (enterprise["id"], enterprise["rsshub"], enterprise["url"]) == (
        "huxiu-enterprise",
        "/huxiu/channel/110",
        "",
    )
    assert enterprise["checked_from"]["date"] == "2026-12-01"


def test_a_pack_is_added_skipping_sources_listed_by_id_url_or_route(curation: Path) -> None:
    write_sources(
        curation,
        [
            {"id": "36kr", "url": "https://36kr.com/feed"},  # same id, another URL
            {"id": "my-199it", "url": "https://www.199it.com/feed"},  # same URL
            {"id": "huxiu-qiye", "rsshub": "/huxiu/channel/110"},  # same route
        ],
    )
    result = run(curation, "sources", "add", "--pack", "saas")
    assert result.exit_code == 0, result.output
    assert "added 1 sources of pack saas (企业服务)" in result.output
    assert "(3 already listed)" in result.output
    assert "skipped https://www.36kr.com/feed: already listed as 36kr" in result.stderr
    assert "already listed as my-199it (same URL)" in result.stderr
    assert "already listed as huxiu-qiye (same RSSHub route)" in result.stderr
    added = SourceList.load(curation).get("woshipm-popular")
    assert added and added.rsshub == "/woshipm/popular" and added.values == ("think-tank",)

    again = run(curation, "sources", "add", "--pack", "saas", "--pack", "ai")
    assert "added 0 sources of pack saas" in again.output
    assert "added 5 sources of pack ai (AI)" in again.output
    assert len(SourceList.load(curation).sources) == 4 + 5


def test_packs_that_share_a_source_add_it_once(curation: Path) -> None:
    assert run(curation, "sources", "add", "--pack", "hardtech", "--pack", "ai").exit_code == 0
    ids = [s.id for s in SourceList.load(curation).sources]
    assert ids.count("technologyreview") == 1 and len(ids) == len(set(ids)) == 9


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pack", "fintech"], "no pack 'fintech' (packs: saas, hardtech, consumer, global, ai)"),
        ([], "give a URL (or rsshub:/ROUTE) or --pack NAME"),
        (["https://e.com/feed", "--pack", "ai"], "not both or neither"),
    ],
)
def test_pack_mistakes_are_named(curation: Path, args: list[str], message: str) -> None:
    result = run(curation, "sources", "add", *args)
    assert result.exit_code == 2 and message in result.stderr


def write_catalogue(tmp_path: Path, packs: dict) -> Path:
    path = tmp_path / "catalogue.yaml"
    path.write_text(json.dumps({"packs": packs}, ensure_ascii=False), encoding="utf-8")
    return path


CHECKED = {"url": "https://github.com/DIYgod/RSSHub", "date": "2026-12-01"}


@pytest.mark.parametrize(
    ("packs", "message"),
    [
        (
            {"ai": {"title": "AI", "sources": [{"id": "a", "title": "A", "rsshub": "/a/b"}]}},
            "source 'a': needs checked_from: {url, date, note}",
        ),
        (
            {"ai": {"title": "AI", "sources": [{"id": "a", "title": "A", "url": "ftp://x/f"}]}},
            "source 'a': URL 'ftp://x/f' must be http(s)",
        ),
        (
            {
                "ai": {
                    "title": "AI",
                    "sources": [
                        {"id": "a", "title": "A", "rsshub": "/a/b", "checked_from": {"url": "x"}}
                    ],
                }
            },
            "needs checked_from",
        ),
        (
            {
                "ai": {
                    "title": "AI",
                    "sources": [
                        {"id": "a", "title": "A", "rsshub": "/a/b", "checked_from": CHECKED}
                    ],
                },
                "saas": {
                    "title": "企业服务",
                    "sources": [
                        {"id": "a", "title": "A", "rsshub": "/a/c", "checked_from": CHECKED}
                    ],
                },
            },
            "pack 'saas': 'a': is rsshub:/a/b in pack 'ai' but rsshub:/a/c here",
        ),
        ({"AI Pack": {"title": "AI", "sources": []}}, "pack 'AI Pack': the pack's name"),
        ({"ai": {"sources": []}}, "pack 'ai': must be a mapping with 'title' and 'sources'"),
    ],
)
def test_mistakes_in_the_catalogue_name_file_and_entry(
    tmp_path: Path, packs: dict, message: str
) -> None:
    path = write_catalogue(tmp_path, packs)
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        load_catalogue(path)
    assert str(caught.value).startswith(str(path))
