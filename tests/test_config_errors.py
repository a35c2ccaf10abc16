"""Every malformed curation file gives one clear message naming the file and line, never a
traceback."""

from pathlib import Path

import pytest

from tests.conftest import run, write_sources


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "sources.yaml",
            "sources:\n  - id: a\n    title: [x\n",
            "sources.yaml:4: YAML syntax error",
        ),
        (
            "sources.yaml",
            "sources:\n  - id: 12\n    title: T\n    url: http://e.com/f\n",
            "sources.yaml:2: entry #1: 'id' must be a non-empty string",
        ),
        (
            "sources.yaml",
            "sources:\n  - id: a\n    title: T\n    url: http://e.com/f\n    title: U\n",
            "sources.yaml:5: YAML error: duplicate key 'title' (first on line 3)",
        ),
        (
            "rules.yaml",
            "title_weight: 2\ntags:\n  news: {threshold: [\n",
            "rules.yaml:4: YAML syntax",
        ),
        (
            "rules.yaml",
            "title_weight: 2\ntags:\n  news:\n    threshold: high\n",
            "rules.yaml:4: tag 'news': 'threshold' must be a number",
        ),
        (
            "rules.yaml",
            "title_weight: 2\ntags:\n  news:\n    threshold: !high 3\n",
            "rules.yaml:4: YAML error: unsupported tag '!high'",
        ),
        ("overrides.yaml", "overrides:\n  abc: {add: [deal\n", "overrides.yaml:3: YAML syntax"),
        (
            "overrides.yaml",
            "overrides:\n  abc:\n    note: [1, 2]\n",
            "overrides.yaml:3: item abc: 'note' must be text",
        ),
        ("overrides.yaml", "", "overrides.yaml: file is empty"),
    ],
)
def test_malformed_files_name_file_and_line(
    curation: Path, name: str, text: str, expected: str
) -> None:
    (curation / name).write_text(text, encoding="utf-8")
    # fetch reads only sources.yaml: a rules mistake must not stop the pulling of feeds.
    commands = [["items"], ["doctor"]] + ([["fetch"]] if name == "sources.yaml" else [])
    for command in commands:
        result = run(curation, *command)
        assert result.exit_code == 2, (command, result.output)
        assert expected in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stderr + result.output


def test_not_utf8_and_missing_files(curation: Path, tmp_path: Path) -> None:
    (curation / "rules.yaml").write_bytes("title_weight: 2\n# 注释\n".encode("gbk"))
    result = run(curation, "items")
    assert result.exit_code == 2 and "rules.yaml: not UTF-8 text" in result.stderr
    (curation / "rules.yaml").unlink()
    result = run(curation, "items")
    assert result.exit_code == 0 and "default rules" in result.stderr  # a folder just started
    (curation / "sources.yaml").unlink()
    result = run(curation, "items")
    assert result.exit_code == 2 and "sources.yaml: file not found" in result.stderr


def test_damaged_store_files_are_named(curation: Path, tmp_path: Path) -> None:
    feed = tmp_path / "f.xml"
    feed.write_bytes(
        b'<rss version="2.0"><channel><item><title>t</title>'
        b"<link>http://e.com/1</link></item></channel></rss>"
    )
    write_sources(curation, [{"id": "f", "url": str(feed)}])
    assert run(curation, "fetch").exit_code == 0
    [month] = (curation / "items").glob("*.jsonl")
    month.write_bytes(month.read_bytes() + b'{"id": "broken", "title"\n')
    result = run(curation, "items")
    assert result.exit_code == 2 and f"{month.name}:2: not a valid item" in result.stderr
    month.write_bytes(month.read_bytes().splitlines(keepends=True)[0])
    (curation / "state" / "_sources.json").write_text("{not json", encoding="utf-8")
    result = run(curation, "sources", "list")
    assert result.exit_code == 2 and "_sources.json: not a valid source state" in result.stderr
    (curation / "state" / "_sources.json").write_text('{"f": 3}', encoding="utf-8")
    result = run(curation, "sources", "list")
    assert "_sources.json: f: not a valid source state" in result.stderr
