"""Helpers shared by the tests that look at built sites: an audit of a page's real markup,
and a headless Chromium over a local HTTP server that records every problem it sees."""

import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import REPO

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
UNSAFE_SCHEME = re.compile(r"\s*(javascript|data|vbscript):", re.IGNORECASE)


class MarkupAudit(HTMLParser):
    """The real tags of a page: event attributes, unsafe URLs and script bodies."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name in ("href", "src") and value and UNSAFE_SCHEME.match(value):
                self.problems.append(f"<{tag} {name}={value}>")
        if tag in ("iframe", "object", "embed"):  # the theme has none of these
            self.problems.append(f"<{tag}>")

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(" in data:
            self.problems.append("script running alert")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def audit(site: Path) -> dict[Path, list[str]]:
    """Pages of ``site`` whose markup holds something a feed could have injected."""
    found = {}
    for path in sorted(site.rglob("*.html")):
        checker = MarkupAudit()
        checker.feed(path.read_text(encoding="utf-8"))
        if checker.problems:
            found[path] = checker.problems
    return found


def build_site(curation: Path, site: Path, engine: str = "properdocs") -> None:
    """`properdocs build --strict` (or `mkdocs build`) in a subprocess, as a maintainer runs it
    on the repository's mkdocs.yml."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            engine,
            "build",
            "--strict",
            "-f",
            str(REPO / "mkdocs.yml"),
            "-d",
            str(site),
        ],
        env={**os.environ, "FEEDKB_CURATION": str(curation), "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Browser:
    page: object
    base: str
    site: Path
    problems: list[str] = field(default_factory=list)


@contextmanager
def browser_on(site: Path) -> Iterator[Browser]:
    """Chromium on ``site``, served from 127.0.0.1; console errors, failed requests, page
    errors and dialogs (alert, confirm) land in ``problems``."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run must install it")
        pytest.skip("CHROMIUM NOT INSTALLED: browser tests skipped (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            page = chromium.new_page()
            session = Browser(page, base, site)
            page.on(
                "console", lambda m: session.problems.append(m.text) if m.type == "error" else None
            )
            page.on(
                "response",
                lambda r: (
                    session.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
                ),
            )
            page.on("pageerror", lambda e: session.problems.append(str(e)))
            page.on(
                "dialog", lambda d: (session.problems.append(f"dialog: {d.message}"), d.dismiss())
            )
            yield session
            chromium.close()
    finally:
        server.shutdown()


def unsafe_links_on(page: object) -> list[str]:
    """href and src values of the page as the browser sees them, with a non-http(s) scheme."""
    values = page.eval_on_selector_all(
        "a[href], [src]", "els => els.map(e => e.getAttribute('href') || e.getAttribute('src'))"
    )
    return [v for v in values if UNSAFE_SCHEME.match(v)]


# --- how a page lays out, at a phone's width and a desktop's ------------------------------

PHONE, DESKTOP = 390, 1400
NARROWEST_COLUMN = 8  # characters: text wrapping in less is a squeezed column

_SQUEEZED_TEXT = """(narrowest) => {
  const found = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || seen.has(el)) continue;
    seen.add(el);
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (!box.width || box.right < 0 || box.left > innerWidth) continue;  // hidden or off-canvas
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    const em = parseFloat(getComputedStyle(el).fontSize);
    if (lines.size > 1 && box.width < narrowest * em * 0.95) {
      found.push(`${el.tagName.toLowerCase()}.${el.className}: "${node.textContent.trim()
        .slice(0, 24)}" wraps in ${Math.round(box.width)}px`);
    }
  }
  return found;
}"""


def layout_problems(page: object) -> list[str]:
    """What is wrong with the page's layout at the viewport's width: anything wider than the
    window (a sideways scroll), text squeezed into a column narrower than eight characters
    (a CJK character is about 1 em wide; Latin text is narrower, so this errs towards
    passing)."""
    width = page.evaluate("() => innerWidth")
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    found = [f"page is {scroll}px wide in a {width}px window"] if scroll > width else []
    return found + page.evaluate(_SQUEEZED_TEXT, NARROWEST_COLUMN)


def serious_accessibility_violations(page: object) -> list[tuple[str, list]]:
    """axe-core's serious and critical findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
