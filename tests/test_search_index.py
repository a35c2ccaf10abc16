"""The Pagefind search index: every build writes it whole, and a broken one is caught.

Pagefind answers "written" while its last writes still wait in its worker threads, and the
plugin once wrote the index twice and stopped Pagefind at once: 3 of 6 builds of a
20,000-item site left a file cut short. The builds here run the engines' own commands in turn,
into the same folder, and the index is checked after every one of them.
"""

import gzip
import logging
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from feedkb.site.search_index import STAGING, SearchIndexError, verify_index
from tests.conftest import run
from tests.sitecheck import build_site

# A race that spoils half of all builds, as it did, gets through ten once in a thousand runs.
BUILDS = 10


def test_every_build_writes_a_whole_index(demo_kb: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    for build in range(BUILDS):
        build_site(demo_kb / "curation", site, ("properdocs", "mkdocs")[build % 2])
        archive_pages = len(list(site.glob("archive/*/index.html")))
        assert verify_index(site / "pagefind") == archive_pages > 0, f"build {build}"
        assert not (site / STAGING).exists()


def test_a_knowledge_base_with_no_items_gets_an_empty_index(tmp_path: Path) -> None:
    """Before the first fetch there is nothing to search, and the search box still loads."""
    assert run(tmp_path / "curation", "init", str(tmp_path)).exit_code == 0
    result = run(tmp_path / "curation", "build", "-f", str(tmp_path / "mkdocs.yml"))
    assert result.exit_code == 0, result.output
    bundle = tmp_path / "site" / "pagefind"
    assert verify_index(bundle) == 0
    assert (bundle / "pagefind.js").stat().st_size > 0


def _cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _gzip_of_cut_json(path: Path) -> None:
    """Whole as gzip, but the JSON inside it cut short."""
    content = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(content[: len(content) - 5]))


def _first(pattern: str) -> Callable[[Path], Path]:
    return lambda bundle: sorted(bundle.glob(pattern))[0]


BREAKAGES = {
    "empty entry file": (_first("pagefind-entry.json"), _empty),
    "entry file cut short": (_first("pagefind-entry.json"), _cut_in_half),
    "meta file cut short": (_first("pagefind.*.pf_meta"), _cut_in_half),
    "fragment cut short": (_first("fragment/*.pf_fragment"), _cut_in_half),
    "fragment's JSON cut short": (_first("fragment/*.pf_fragment"), _gzip_of_cut_json),
    "word index cut short": (_first("index/*.pf_index"), _cut_in_half),
    "word index missing": (_first("index/*.pf_index"), Path.unlink),
    "empty search script": (_first("pagefind.js"), _empty),
    "empty WebAssembly": (_first("wasm.unknown.pagefind"), _empty),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_broken_index_is_caught_and_named(demo_kb: Path, tmp_path: Path, breakage: str) -> None:
    bundle = tmp_path / "pagefind"
    shutil.copytree(demo_kb / "site" / "pagefind", bundle)
    assert verify_index(bundle) > 0
    pick, damage = BREAKAGES[breakage]
    broken = pick(bundle)
    damage(broken)
    with pytest.raises(SearchIndexError, match=broken.name):
        verify_index(bundle)


def test_a_build_whose_index_is_not_whole_fails_and_publishes_none(
    demo_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race, injected: Pagefind's entry file is cut short after Pagefind wrote it, as the
    race left it. The build fails naming the file, and no search index is published."""
    from feedkb.site import search_index

    write_index = search_index._write_index

    async def write_then_cut(pages: Path, staging: Path) -> int:
        count = await write_index(pages, staging)
        _cut_in_half(staging / "pagefind-entry.json")
        return count

    monkeypatch.setattr(search_index, "_write_index", write_then_cut)
    site, config = tmp_path / "site", demo_kb / "mkdocs.yml"
    errors: list[str] = []
    collect = logging.Handler(logging.ERROR)
    collect.emit = lambda record: errors.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger().addHandler(collect)  # the engine's errors, as `feedkb build` prints them
    try:
        result = run(demo_kb / "curation", "build", "-f", str(config), "-d", str(site))
    finally:
        logging.getLogger().removeHandler(collect)
    assert result.exit_code != 0
    assert any(re.search(r"index is not whole: \S+pagefind-entry\.json", e) for e in errors)
    assert not (site / "pagefind").exists() and not (site / STAGING).exists()
