"""Shared fixtures: a real HTTP server on 127.0.0.1, temp curation folders, the CLI."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer

from feedkb.cli import cli
from tests.chatserver import ChatServer

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"  # third-party test documents, each with its manifest


@pytest.fixture(scope="session")
def http_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def feed_server(http_server: HTTPServer) -> Iterator[HTTPServer]:
    http_server.clear()
    yield http_server
    http_server.clear()


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    """A chat-completions endpoint on 127.0.0.1 (tests/chatserver.py) for the AI assist."""
    server = ChatServer()
    yield server
    server.close()


@pytest.fixture
def curation(tmp_path: Path) -> Path:
    folder = tmp_path / "curation"
    folder.mkdir()
    write_sources(folder, [])
    shutil.copy(REPO / "curation" / "rules.yaml", folder / "rules.yaml")
    return folder


@pytest.fixture(scope="session")
def demo_kb(tmp_path_factory) -> Path:
    """The demo knowledge base (the bundled sample feeds), fetched and built once."""
    folder = tmp_path_factory.mktemp("demo") / "demo"
    result = run(folder, "demo", "--no-serve", "--dir", str(folder))
    assert result.exit_code == 0, result.output
    return folder


def write_sources(curation: Path, sources: list[dict]) -> None:
    entries = [{"title": s.get("id", "t"), **s} for s in sources]
    # JSON is YAML: no YAML writer needed in the tests.
    (curation / "sources.yaml").write_text(
        json.dumps({"sources": entries}, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def run(curation: Path, *args: str) -> Result:
    """The real CLI, in process, against ``curation``."""
    return CliRunner().invoke(cli, ["--curation", str(curation), *args], catch_exceptions=False)


def rss(items: list[dict], title: str = "Test feed") -> bytes:
    """A small RSS 2.0 document; each item dict maps element name to text."""
    body = "".join(
        "<item>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in item.items()) + "</item>"
        for item in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://example.com/</link>"
        f"{body}</channel></rss>"
    ).encode()
