"""The two site generators: ProperDocs and MkDocs build the same site from the same mkdocs.yml,
`feedkb build` uses whichever is installed, and says so when the one asked for is not.

Each build runs in its own process, as `feedkb build` does: ProperDocs answers every
`import mkdocs` of the process it runs in, so one process runs one engine.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from feedkb.site.pages import relative_url
from tests.conftest import REPO

GENERATOR = re.compile(rb'<meta name="generator" content="([^"]*)">')
# A Python in which `import mkdocs` fails, as where only ProperDocs is installed.
WITHOUT_MKDOCS = (
    "-c",
    "import sys; sys.modules['mkdocs'] = None; import feedkb.cli; feedkb.cli.main()",
)
FEEDKB = ("-m", "feedkb")


def build(
    curation: Path, site: Path, *options: str, python: tuple[str, ...] = FEEDKB
) -> subprocess.CompletedProcess:
    """`feedkb build --strict` of the repository's mkdocs.yml, in a new process."""
    config = ("-f", str(REPO / "mkdocs.yml"), "-d", str(site))
    return subprocess.run(
        [
            sys.executable,
            *python,
            "--curation",
            str(curation),
            "build",
            "--strict",
            *config,
            *options,
        ],
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_both_engines_build_the_same_site(demo_kb: Path, tmp_path: Path) -> None:
    curation = demo_kb / "curation"
    sites = {}
    for engine, label in [("mkdocs", "MkDocs"), ("properdocs", "ProperDocs")]:
        result = build(curation, tmp_path / engine, "--engine", engine)
        assert result.returncode == 0, result.stderr[-3000:]
        assert f"by {label}" in result.stdout
        sites[engine] = files_of(tmp_path / engine)
    mkdocs, properdocs = sites["mkdocs"], sites["properdocs"]
    assert sorted(mkdocs) == sorted(properdocs)
    pages = [name for name in mkdocs if name.endswith(".html")]
    assert len(pages) >= 40
    for name in pages:  # the generator tag names the engine; nothing else differs
        assert GENERATOR.search(mkdocs[name])[1].startswith(b"mkdocs-1."), name
        assert b"ProperDocs" in GENERATOR.search(properdocs[name])[1], name
    without_tag = {
        engine: {name: GENERATOR.sub(b"", data) for name, data in files.items()}
        for engine, files in sites.items()
    }
    assert without_tag["mkdocs"] == without_tag["properdocs"]


def test_feedkb_builds_where_only_properdocs_is_installed(demo_kb: Path, tmp_path: Path) -> None:
    curation = demo_kb / "curation"
    built = build(curation, tmp_path / "site", python=WITHOUT_MKDOCS)
    assert built.returncode == 0, built.stderr[-3000:]
    assert "by ProperDocs" in built.stdout
    home = (tmp_path / "site" / "index.html").read_bytes()
    assert b"ProperDocs" in GENERATOR.search(home)[1]
    refused = build(curation, tmp_path / "other", "--engine", "mkdocs", python=WITHOUT_MKDOCS)
    assert refused.returncode == 2
    assert "MkDocs is not installed: pip install mkdocs" in refused.stderr
    assert not (tmp_path / "other").exists()


def test_one_process_runs_one_engine() -> None:
    """Once ProperDocs runs, `auto` keeps it and MkDocs is refused with the reason."""
    script = (
        "from feedkb.site.engine import EngineError, choose_engine\n"
        "print(choose_engine('properdocs').name, choose_engine('auto').name)\n"
        "try:\n"
        "    choose_engine('mkdocs')\n"
        "except EngineError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    lines = result.stdout.splitlines()
    assert lines[0] == "properdocs properdocs", result.stderr
    assert lines[1].startswith("ProperDocs already runs in this process and MkDocs cannot run")


def test_pages_feeds_and_search_index_need_no_engine() -> None:
    """Generating pages and feeds and indexing a built site import no engine, so an export to
    another engine stays possible; only the plugin's hooks are the engine's."""
    script = (
        "import sys; sys.modules['mkdocs'] = sys.modules['properdocs'] = None; "
        "import feedkb.site.pages, feedkb.site.feeds, feedkb.site.search_index"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("url", "page", "link"),  # as the engines' get_relative_url gives them
    [
        ("values/news/", "archive/2026-10/", "../../values/news/"),
        ("", "archive/2026-10/", "../.."),
        ("deals/", "deals/", "./"),
        ("", "", "."),
        ("archive/2026-10.html", "values/news/2026-10.html", "../../archive/2026-10.html"),
        ("sources/", "about.html", "sources/"),
    ],
)
def test_relative_links_between_pages(url: str, page: str, link: str) -> None:
    assert relative_url(url, page) == link
