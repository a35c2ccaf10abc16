"""RSSHub routes as sources (#16): resolved against the instances of sources.yaml in order,
failing over on a network error, 403, 429 or 5xx, remembering the instance that served, with
conditional GET state per instance; against two real RSSHub-like servers on 127.0.0.1."""

import json
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feedkb.errors import ConfigError
from feedkb.sources import SourceList
from feedkb.store import Store
from tests.conftest import rss, run

ROUTE = "/36kr/newsflashes"
FEED = rss([{"title": "36氪快讯：某公司完成融资", "link": "https://36kr.com/p/1", "guid": "1"}])


@pytest.fixture
def instances() -> Iterator[tuple[HTTPServer, HTTPServer]]:
    servers = (HTTPServer(host="127.0.0.1"), HTTPServer(host="127.0.0.1"))
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.clear()
        server.stop()


def write(curation: Path, instances: list, sources: list[dict]) -> None:
    document = {"rsshub": instances, "sources": sources}
    (curation / "sources.yaml").write_text(json.dumps(document), encoding="utf-8")


def route_source(route: str = ROUTE) -> dict:
    return {"id": "kr", "title": "36氪快讯", "rsshub": route}


def base(server: HTTPServer) -> str:
    return server.url_for("/").rstrip("/")


def serving(server: HTTPServer, etag: str = '"v1"') -> None:
    """The route on ``server``: the feed with an ETag, 304 to a request that has it."""

    def answer(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304)
        return Response(FEED, headers={"ETag": etag}, content_type="application/rss+xml")

    server.expect_request(ROUTE).respond_with_handler(answer)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(curation: Path) -> dict:
    report = curation.parent / "report.json"
    result = run(curation, "fetch", "--json", str(report))
    assert result.exit_code == 0, result.output
    return json.loads(report.read_text(encoding="utf-8"))["sources"][0]


@pytest.mark.parametrize("trouble", ["429", "503", "403", "down"])
def test_a_failing_first_instance_hands_the_route_to_the_next_and_is_skipped_after(
    curation: Path, instances: tuple[HTTPServer, HTTPServer], trouble: str
) -> None:
    first, second = instances
    if trouble == "down":
        first_url = f"http://127.0.0.1:{closed_port()}"
    else:
        first_url = base(first)
        headers = {"Retry-After": "3600"} if trouble == "429" else {}
        first.expect_request(ROUTE).respond_with_data("no", status=int(trouble), headers=headers)
    serving(second)
    write(curation, [first_url, base(second)], [route_source()])

    report = fetch(curation)
    assert (report["status"], report["new_items"]) == ("ok", 1)
    assert report["instance"] == base(second)
    assert f"RSSHub {first_url}: " in report["warnings"][0]
    assert Store(curation).load_state("kr").instance == base(second)

    served_first = len(first.log)
    report = fetch(curation)  # straight to the one that worked, conditionally: a 304
    assert (report["status"], report["instance"]) == ("not-modified", base(second))
    assert len(first.log) == served_first
    assert second.log[-1][0].headers["If-None-Match"] == '"v1"'


def test_each_instance_keeps_its_own_conditional_state(
    curation: Path, instances: tuple[HTTPServer, HTTPServer]
) -> None:
    first, second = instances
    serving(first, '"first"')
    serving(second, '"second"')
    write(curation, [base(first), base(second)], [route_source()])
    fetch(curation)
    first.clear()
    first.expect_request(ROUTE).respond_with_data("busy", status=500)
    assert fetch(curation)["instance"] == base(second)
    assert "If-None-Match" not in second.log[-1][0].headers  # the first's etag is not its
    assert Store(curation).load_state("kr").validators == {
        base(first): ['"first"', None],
        base(second): ['"second"', None],
    }


def test_every_instance_failing_is_one_error_naming_each(
    curation: Path, instances: tuple[HTTPServer, HTTPServer]
) -> None:
    first, second = instances
    first.expect_request(ROUTE).respond_with_data("", status=502)
    second.expect_request(ROUTE).respond_with_data("", status=429)
    write(curation, [base(first), base(second)], [route_source()])
    result = run(curation, "fetch", "--json", str(curation.parent / "r.json"))
    assert result.exit_code == 1  # every source failed
    error = json.loads((curation.parent / "r.json").read_text())["sources"][0]["error"]
    assert error.startswith("every RSSHub instance failed")
    assert f"{base(first)}: HTTP 502" in error and f"{base(second)}: HTTP 429" in error


def test_a_missing_route_is_not_failed_over(
    curation: Path, instances: tuple[HTTPServer, HTTPServer]
) -> None:
    first, second = instances
    first.expect_request(ROUTE).respond_with_data("", status=404)
    serving(second)
    write(curation, [base(first), base(second)], [route_source()])
    result = run(curation, "fetch")
    assert result.exit_code == 1 and not second.log  # a 404 would be a 404 anywhere


def test_the_access_key_comes_from_the_environment(
    curation: Path, instances: tuple[HTTPServer, HTTPServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _second = instances
    serving(first)
    monkeypatch.setenv("FEEDKB_TEST_RSSHUB_KEY", "s3cret")
    write(curation, [{"url": base(first), "key_env": "FEEDKB_TEST_RSSHUB_KEY"}], [route_source()])
    assert fetch(curation)["status"] == "ok"
    assert first.log[0][0].args["key"] == "s3cret"
    assert "s3cret" not in (curation / "sources.yaml").read_text()
    assert "s3cret" not in (curation / "state" / "_sources.json").read_text()


def test_adding_a_url_of_a_known_instance_keeps_its_route(
    curation: Path, instances: tuple[HTTPServer, HTTPServer]
) -> None:
    first, _second = instances
    serving(first)
    write(curation, [base(first)], [])
    result = run(curation, "sources", "add", f"{base(first)}{ROUTE}?key=abc", "--no-check")
    assert result.exit_code == 0, result.output
    result = run(curation, "sources", "add", "rsshub:/36kr/hot-list", "--no-check")
    assert result.exit_code == 0, result.output
    routes = [(s.id, s.rsshub, s.url) for s in SourceList.load(curation).sources]
    assert routes == [
        ("36kr-newsflashes", ROUTE, ""),
        ("36kr-hot-list", "/36kr/hot-list", ""),
    ]
    assert (
        run(curation, "sources", "add", "https://rsshub.app/sspai/index", "--no-check").exit_code
        == 0
    )
    assert SourceList.load(curation).get("sspai-index").rsshub == "/sspai/index"


def test_sources_list_shows_the_route_and_the_instance_that_served(
    curation: Path, instances: tuple[HTTPServer, HTTPServer]
) -> None:
    first, _second = instances
    serving(first)
    write(curation, [base(first)], [route_source()])
    fetch(curation)
    listed = run(curation, "sources", "list").output
    assert f"rsshub:{ROUTE}" in listed and f"via 127.0.0.1:{first.port}" in listed
    record = json.loads(run(curation, "sources", "list", "--format", "json").output)[0]
    assert (record["rsshub"], record["state"]["instance"]) == (ROUTE, base(first))
    assert "listed" not in record["state"]


@pytest.mark.parametrize(
    ("entry", "instances", "message"),
    [
        ({"url": "https://e.com/f", "rsshub": ROUTE}, [], "give 'url' or 'rsshub'"),
        ({"rsshub": "36kr/newsflashes"}, [], "must be a path such as /36kr/newsflashes"),
        ({"rsshub": ROUTE}, ["ftp://x"], "rsshub instance #1: 'url' must be an http(s) URL"),
        ({"rsshub": ROUTE}, [{"url": "https://r.example", "key": "k"}], "{url, key_env}"),
    ],
)
def test_mistakes_in_routes_and_instances_are_named(
    curation: Path, entry: dict, instances: list, message: str
) -> None:
    write(curation, instances, [{"id": "kr", "title": "t", **entry}])
    with pytest.raises(ConfigError, match=re.escape(message)):
        SourceList.load(curation)


def test_routes_go_to_the_public_instance_when_none_is_listed(curation: Path) -> None:
    (curation / "sources.yaml").write_text(
        json.dumps({"sources": [route_source()]}), encoding="utf-8"
    )
    assert [i.url for i in SourceList.load(curation).rsshub] == ["https://rsshub.app"]


def test_doctor_and_the_sources_page_name_the_instance_that_served(
    curation: Path, instances: tuple[HTTPServer, HTTPServer], tmp_path: Path
) -> None:
    first, second = instances
    first.expect_request(ROUTE).respond_with_data("", status=503)
    serving(second)
    write(curation, [base(first), base(second)], [route_source()])
    fetch(curation)
    doctor = run(curation, "doctor").output
    assert f"served by the RSSHub instance {base(second)}, not by the first" in doctor
    assert run(curation, "init", str(tmp_path / "kb")).exit_code == 0
    site = tmp_path / "site"
    result = run(curation, "build", "-f", str(tmp_path / "kb" / "mkdocs.yml"), "-d", str(site))
    assert result.exit_code == 0, result.output
    page = (site / "sources" / "kr" / "index.html").read_text(encoding="utf-8")
    assert f"RSSHub 路由：<code>{ROUTE}</code> · 实例：127.0.0.1:{second.port}" in page


class _DiesAfter(BaseHTTPRequestHandler):
    """An RSSHub instance that serves its first requests and then goes down: the connection
    of the next one is dropped unanswered and nothing listens any more."""

    served = 0
    limit = 2

    def do_GET(self) -> None:
        handler = type(self)
        if handler.served >= handler.limit:
            self.close_connection = True
            self.server.socket.close()  # later connections are refused
            threading.Thread(target=self.server.shutdown, daemon=True).start()
            return
        handler.served += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_an_instance_going_down_mid_run_hands_the_rest_to_the_next(
    curation: Path, instances: tuple[HTTPServer, HTTPServer]
) -> None:
    _first, second = instances
    routes = [f"/feed/{n}" for n in range(5)]
    for route in routes:
        second.expect_request(route).respond_with_data(FEED, content_type="application/rss+xml")
    dying = ThreadingHTTPServer(("127.0.0.1", 0), _DiesAfter)
    threading.Thread(target=dying.serve_forever, daemon=True).start()
    first_url = f"http://127.0.0.1:{dying.server_address[1]}"
    sources = [{"id": f"r{n}", "title": f"路由{n}", "rsshub": r} for n, r in enumerate(routes)]
    write(curation, [first_url, base(second)], sources)

    report = curation.parent / "report.json"
    result = run(curation, "fetch", "--concurrency", "1", "--json", str(report))
    assert result.exit_code == 0, result.output
    rows = json.loads(report.read_text(encoding="utf-8"))["sources"]
    assert all(row["status"] == "ok" for row in rows), rows
    served = {row["source"]: row["instance"] for row in rows}
    assert list(served.values()).count(first_url) == 2
    assert list(served.values()).count(base(second)) == 3
    states = Store(curation).load_states()
    assert {states[s].instance for s in served if served[s] == base(second)} == {base(second)}
