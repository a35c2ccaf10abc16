"""What a curator meets on the command line: where options go, a folder that is just
starting, output written for people, tables that keep ids and times whole."""

import os
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from feedkb.cli import cli
from tests.conftest import rss, run, write_sources

HEADLINES = [
    ("蜂鸟快送完成5000万元A轮融资，红杉中国领投", "2026-11-23T08:00:00Z"),
    ("Acme Robotics raises $40 million Series B led by Sequoia", "2026-11-24T09:30:00Z"),
    ("2026 中国物流科技大会报名开启", "2026-11-25T10:00:00Z"),
]


@pytest.fixture
def starting(tmp_path: Path, feed_server) -> Path:
    """A folder as a new curator makes it: sources.yaml only, one feed fetched."""
    feed_server.expect_request("/feed.xml").respond_with_data(
        rss(
            [
                {"title": title, "link": f"https://news.example.com/{n}", "pubDate": when}
                for n, (title, when) in enumerate(HEADLINES)
            ],
            title="物流观察",
        ),
        content_type="application/rss+xml",
    )
    folder = tmp_path / "cur"
    folder.mkdir()
    write_sources(
        folder,
        [{"id": "logistics-watch", "title": "物流观察", "url": feed_server.url_for("/feed.xml")}],
    )
    assert run(folder, "fetch").exit_code == 0
    return folder


def test_curation_is_accepted_after_the_command_too(starting: Path) -> None:
    after = CliRunner().invoke(cli, ["items", "--curation", str(starting), "--format", "json"])
    before = CliRunner().invoke(cli, ["--curation", str(starting), "items", "--format", "json"])
    assert after.exit_code == 0, after.output
    assert len(orjson.loads(after.stdout)) == len(HEADLINES)
    assert after.stdout == before.stdout
    for command in (["doctor"], ["review"], ["sources", "list"], ["digest"]):
        result = CliRunner().invoke(cli, [*command, "--curation", str(starting)])
        assert result.exit_code == 0, (command, result.output)


def test_a_folder_without_rules_tags_with_the_default_rules_and_says_so_once(
    starting: Path,
) -> None:
    assert not (starting / "rules.yaml").exists()
    result = run(starting, "items", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("default rules") == 1, result.stderr
    values = {i["title"]: i["values"] for i in orjson.loads(result.stdout)}
    assert "deal" in values[HEADLINES[0][0]]
    checkup = run(starting, "doctor")
    assert checkup.exit_code == 0 and "default rules" in checkup.stderr


def test_digest_names_sources_by_their_titles(starting: Path) -> None:
    digest = run(starting, "digest", "--week", "2026-W48")
    assert digest.exit_code == 0, digest.output
    assert "— 物流观察 ·" in digest.stdout
    assert "logistics-watch" not in digest.stdout


def test_tables_never_break_ids_or_times_at_80_columns_piped(starting: Path) -> None:
    items = orjson.loads(run(starting, "items", "--format", "json").stdout)
    env = {**os.environ, "COLUMNS": "80", "FEEDKB_CURATION": str(starting)}
    for command in (["items"], ["review", "--since", "2026-01-01"], ["sources", "list"]):
        shown = subprocess.run(
            [sys.executable, "-m", "feedkb", *command],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        table = [line for line in shown.splitlines() if line[:1] in "┏┃┡│└"]
        assert table and max(len(line) for line in table) <= 80, shown
        if command == ["items"]:
            for item in items:
                assert item["id"] in shown, shown
                assert item["published"][:16].replace("T", " ") in shown, shown
    listed = subprocess.run(
        [sys.executable, "-m", "feedkb", "sources", "list"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "logistics-watch" in listed and "物流观察" in listed, listed
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", listed), listed


def test_every_command_loads_from_the_module_named_for_it() -> None:
    from feedkb.cli.base import COMMAND_MODULES

    for name, module in COMMAND_MODULES.items():
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None, name
        assert command.callback.__module__ == f"feedkb.cli.{module}", name
    assert set(cli.commands) == set(COMMAND_MODULES)


def test_fetch_loads_neither_the_tagger_nor_numpy() -> None:
    """`feedkb fetch` starts in a fresh process without the tagger's model and numpy."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from feedkb.cli import cli; cli.get_command(None, 'fetch'); "
            "print(*(m for m in ('numpy', 'feedkb.kb', 'feedkb.learn') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert loaded == []
