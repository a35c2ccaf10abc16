"""feedkb items: listing the store with filters and formats; FEEDKB_CURATION."""

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedkb.cli import cli
from tests.conftest import rss, run, write_sources


@pytest.fixture
def filled(curation: Path, tmp_path: Path) -> Path:
    feeds = {
        "vc": rss(
            [
                {
                    "title": f"融资 {n}",
                    "link": f"http://vc.example/{n}",
                    "pubDate": f"Mon, {n:02d} Nov 2026 08:00:00 GMT",
                    "description": "<p>某公司完成 A 轮融资</p>",
                }
                for n in (2, 9, 16)
            ]
        ),
        "pm": rss(
            [
                {
                    "title": "产品方法论",
                    "link": "http://pm.example/1",
                    "pubDate": "Tue, 20 Oct 2026 08:00:00 GMT",
                }
            ]
        ),
    }
    for name, body in feeds.items():
        (tmp_path / f"{name}.xml").write_bytes(body)
    write_sources(
        curation,
        [
            {"id": "vc", "url": str(tmp_path / "vc.xml"), "values": ["deal"]},
            {"id": "pm", "url": str(tmp_path / "pm.xml"), "values": ["think-tank"]},
        ],
    )
    assert run(curation, "fetch").exit_code == 0
    return curation


def test_json_has_every_stored_field_newest_first(filled: Path) -> None:
    records = json.loads(run(filled, "items", "--format", "json").stdout)
    assert [r["title"] for r in records] == ["融资 16", "融资 9", "融资 2", "产品方法论"]
    assert set(records[0]) >= {
        "id",
        "source",
        "title",
        "url",
        "guid",
        "published",
        "first_seen",
        "authors",
        "categories",
        "summary",
        "lang",
        "values",
    }
    assert records[0]["summary"] == "某公司完成 A 轮融资"


def test_filters_combine(filled: Path) -> None:
    def titles(*args: str) -> list[str]:
        return [
            r["title"] for r in json.loads(run(filled, "items", "--format", "json", *args).output)
        ]

    assert titles("--source", "pm") == ["产品方法论"]
    assert titles("--since", "2026-11-09") == ["融资 16", "融资 9"]
    assert titles("--value", "deal", "--limit", "1") == ["融资 16"]
    assert titles("--value", "think-tank") == ["产品方法论"]


def test_csv_and_table(filled: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run(filled, "items", "--format", "csv").output)))
    assert len(rows) == 4 and "deal" in rows[0]["values"].split("; ")
    table = run(filled, "items", "--limit", "2").output
    assert "2 items" in table and "融资 16" in table


def test_bad_since_is_a_usage_error(filled: Path) -> None:
    result = run(filled, "items", "--since", "last tuesday")
    assert result.exit_code == 2 and "is not a date" in result.stderr


def test_curation_folder_from_environment(filled: Path) -> None:
    result = CliRunner().invoke(
        cli, ["items", "--format", "json"], env={"FEEDKB_CURATION": str(filled)}
    )
    assert result.exit_code == 0 and len(json.loads(result.output)) == 4
