"""The curator's list of feeds, ``curation/sources.yaml``: load, validate, edit."""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from feedkb.errors import ConfigError, Problem
from feedkb.values import VALUE_SLUGS
from feedkb.yamlfile import line_of, load_yaml, read_yaml, save_yaml, top_mapping

SOURCES_FILE = "sources.yaml"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
KNOWN_KEYS = {"id", "title", "url", "rsshub", "homepage", "values", "tags", "enabled"}
REQUIRED_KEYS = ("id", "title")
TOP_KEYS = ("sources", "rsshub")
# Without a list of instances in sources.yaml, routes go to RSSHub's own public instance.
DEFAULT_RSSHUB = ("https://rsshub.app",)


@dataclass(frozen=True)
class RsshubInstance:
    """An RSSHub server that routes resolve against (self-hosted first, public ones after)."""

    url: str
    key_env: str = ""  # the variable holding its ACCESS_KEY, sent as ?key=

    def route_url(self, route: str) -> str:
        """The URL of ``route`` on this instance without its access key, fit to show or share."""
        return self.url.rstrip("/") + route

    def feed_url(self, route: str) -> str:
        """The feed URL of ``route`` on this instance, with its access key if it has one."""
        url = self.route_url(route)
        if self.key_env and (key := os.environ.get(self.key_env)):
            url += ("&" if "?" in route else "?") + urlencode({"key": key})
        return url

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc


@dataclass(frozen=True)
class Source:
    """One feed the knowledge base pulls from."""

    id: str
    title: str
    url: str = ""  # empty for an RSSHub route
    rsshub: str | None = None  # an RSSHub route, as /36kr/newsflashes, instead of a URL
    homepage: str | None = None
    values: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    enabled: bool = True
    base_dir: Path = field(default=Path(), compare=False, repr=False)

    @property
    def location(self) -> str:
        """Where the feed is, as curators write it: its URL, or ``rsshub:/route``."""
        return f"rsshub:{self.rsshub}" if self.rsshub else self.url

    @property
    def local_path(self) -> Path | None:
        """The file to read for an offline source, or None for an http(s) source or a route."""
        if self.rsshub:
            return None
        parts = urlsplit(self.url)
        if parts.scheme in ("http", "https"):
            return None
        raw = parts.path if parts.scheme == "file" else self.url
        path = Path(raw).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def to_yaml(self) -> CommentedMap:
        entry = CommentedMap(id=self.id, title=self.title)
        if self.rsshub:
            entry["rsshub"] = self.rsshub
        else:
            entry["url"] = self.url
        if self.homepage:
            entry["homepage"] = self.homepage
        entry["values"] = _flow_list(self.values)
        entry["tags"] = _flow_list(self.tags)
        entry["enabled"] = self.enabled
        return entry


def _flow_list(items: tuple[str, ...]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def route_problem(route: str) -> str | None:
    """Why ``route`` cannot be an RSSHub route, or None when it can."""
    if not route.startswith("/") or route.startswith("//") or any(c.isspace() for c in route):
        return f"RSSHub route {route!r} must be a path such as /36kr/newsflashes"
    return None


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a source location, or None when it can."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return None if parts.hostname else f"URL {url!r} has no host"
    if parts.scheme in ("", "file") or re.match(r"^[A-Za-z]:[\\/]", url):
        return None if url.strip() else "url is empty"
    return f"URL {url!r} must be http(s) or a local file path, not {parts.scheme}:"


class SourceList:
    """The parsed sources file; an edit loads its YAML document again with comments, so
    reading alone takes the fast loader."""

    def __init__(
        self, path: Path, sources: list[Source], rsshub: tuple[RsshubInstance, ...] = ()
    ) -> None:
        self.path = path
        self.sources = sources
        self.rsshub = rsshub or tuple(RsshubInstance(url) for url in DEFAULT_RSSHUB)
        self._document: CommentedMap | None = None

    @classmethod
    def load(cls, curation_dir: Path) -> "SourceList":
        path = curation_dir / SOURCES_FILE
        if not path.exists():
            raise ConfigError.one(
                path,
                None,
                "file not found (create it with `feedkb init`, or pass "
                "--curation DIR pointing at a curation folder)",
            )
        document = read_yaml(path)
        return cls(path, parse_sources(path, document), parse_instances(path, document))

    def route_of(self, location: str) -> str | None:
        """The RSSHub route that ``location`` names: ``rsshub:/route``, or a feed URL on a
        known instance (this file's or RSSHub's public one), its access key left out; None
        for any other location."""
        if location.startswith("rsshub:"):
            return location.removeprefix("rsshub:").strip()
        parts = urlsplit(location)
        hosts = {instance.host for instance in self.rsshub} | {
            urlsplit(url).netloc for url in DEFAULT_RSSHUB
        }
        if (
            parts.scheme not in ("http", "https")
            or parts.netloc not in hosts
            or parts.path in ("", "/")
        ):
            return None
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "key"])
        return parts.path + (f"?{query}" if query else "")

    def get(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def enabled(self) -> list[Source]:
        return [s for s in self.sources if s.enabled]

    def add(self, source: Source) -> None:
        if self.get(source.id):
            raise ValueError(f"a source with id {source.id!r} already exists in {self.path}")
        problem = route_problem(source.rsshub) if source.rsshub else url_problem(source.url)
        if problem:
            raise ValueError(problem)
        self._entries().append(source.to_yaml())
        self.sources.append(source)

    def remove(self, source_id: str) -> Source:
        source = self.get(source_id)
        if source is None:
            raise KeyError(f"no source with id {source_id!r} in {self.path}")
        entries = self._entries()
        index = next(i for i, e in enumerate(entries) if e.get("id") == source_id)
        del entries[index]
        self.sources.remove(source)
        return source

    def save(self) -> None:
        if self._document is not None:  # nothing was edited otherwise
            save_yaml(self.path, self._document)

    def unique_id(self, wanted: str) -> str:
        """``wanted`` made into a slug that no source uses yet."""
        base = re.sub(r"[^a-z0-9_-]+", "-", wanted.lower()).strip("-")[:56] or "source"
        candidate, n = base, 2
        while self.get(candidate):
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def _entries(self) -> CommentedSeq:
        if self._document is None:
            self._document = load_yaml(self.path)
        entries = self._document.get("sources")
        if entries is None:
            entries = self._document["sources"] = CommentedSeq()
        return entries


def parse_sources(
    path: Path, document: Any, extra_keys: frozenset[str] = frozenset()
) -> list[Source]:
    """Validate a loaded sources document; raise one ConfigError listing every problem.
    ``extra_keys`` are keys an entry may carry for another file's use (the catalogue's
    checked_from), left out of the Source."""
    document = top_mapping(path, document, "sources", "a mapping with a 'sources' list")
    extra = sorted(set(document) - set(TOP_KEYS))
    problems = [
        Problem(path, line_of(document, k), "", f"unknown top-level key {k!r}") for k in extra
    ]
    entries = document["sources"] or []
    if not isinstance(entries, list):
        problems.append(
            Problem(path, line_of(document, "sources"), "sources", "must be a list of sources")
        )
        raise ConfigError(problems)
    sources: list[Source] = []
    seen: dict[str, int | None] = {}
    for index, entry in enumerate(entries):
        source, entry_problems = _parse_entry(path, entries, index, entry, extra_keys)
        problems += entry_problems
        if source is None:
            continue
        line = line_of(entries, index)
        if source.id in seen:
            problems.append(
                Problem(
                    path,
                    line,
                    f"source {source.id!r}",
                    f"duplicate id (first used on line {seen[source.id]})",
                )
            )
            continue
        seen[source.id] = line
        sources.append(source)
    if problems:
        raise ConfigError(problems)
    return sources


def _parse_entry(
    path: Path, entries: Any, index: int, entry: Any, extra_keys: frozenset[str]
) -> tuple[Source | None, list[Problem]]:
    line = line_of(entries, index)
    if not isinstance(entry, dict):
        return None, [
            Problem(path, line, f"entry #{index + 1}", "must be a mapping with id, title and url")
        ]
    where = f"source {entry['id']!r}" if isinstance(entry.get("id"), str) else f"entry #{index + 1}"

    def problem(key: str | None, message: str) -> Problem:
        return Problem(path, line_of(entry, key) if key else line, where, message)

    known = KNOWN_KEYS | extra_keys
    problems = [
        problem(k, f"unknown key {k!r} (known: {', '.join(sorted(known))})")
        for k in entry
        if k not in known
    ]
    problems += [
        problem(None, f"missing required key {k!r}") for k in REQUIRED_KEYS if k not in entry
    ]
    if "url" not in entry and "rsshub" not in entry:
        problems.append(problem(None, "missing required key 'url' (or 'rsshub': a route)"))
    elif "url" in entry and "rsshub" in entry:
        problems.append(problem("rsshub", "give 'url' or 'rsshub' (an RSSHub route), not both"))
    for key in ("id", "title", "url", "rsshub", "homepage"):
        value = entry.get(key)
        absent = key not in entry or (key == "homepage" and value is None)
        if not absent and not (isinstance(value, str) and value.strip()):
            problems.append(problem(key, f"{key!r} must be a non-empty string"))
    if isinstance(entry.get("id"), str) and not SLUG_RE.match(entry["id"]):
        problems.append(
            problem(
                "id", f"id {entry['id']!r} must be a slug: lower-case letters, digits, '-' or '_'"
            )
        )
    if isinstance(entry.get("url"), str) and (msg := url_problem(entry["url"])):
        problems.append(problem("url", msg))
    if isinstance(entry.get("rsshub"), str) and (msg := route_problem(entry["rsshub"].strip())):
        problems.append(problem("rsshub", msg))
    homepage = entry.get("homepage")
    if isinstance(homepage, str) and not is_web_url(homepage):
        problems.append(problem("homepage", f"homepage {homepage!r} must be an http(s) URL"))
    values = _string_list(entry, "values", problems, problem)
    problems += [
        problem("values", f"unknown value {v!r} (known: {', '.join(VALUE_SLUGS)})")
        for v in values
        if v not in VALUE_SLUGS
    ]
    tags = _string_list(entry, "tags", problems, problem)
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.append(problem("enabled", "'enabled' must be true or false"))
    if problems:
        return None, problems
    return Source(
        id=entry["id"],
        title=entry["title"].strip(),
        url=entry.get("url", "").strip(),
        rsshub=entry["rsshub"].strip() if "rsshub" in entry else None,
        homepage=homepage,
        values=tuple(values),
        tags=tuple(tags),
        enabled=enabled,
        base_dir=path.parent,
    ), []


def _string_list(entry: dict, key: str, problems: list[Problem], problem: Any) -> list[str]:
    raw = entry.get(key) or []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        problems.append(problem(key, f"{key!r} must be a list of strings"))
        return []
    return [v.strip() for v in raw]


def parse_instances(path: Path, document: Any) -> tuple[RsshubInstance, ...]:
    """The ``rsshub`` list of sources.yaml: instance URLs, or mappings with ``url`` and
    ``key_env``, in the order routes try them."""
    raw = document.get("rsshub") if isinstance(document, dict) else None
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError.one(
            path, line_of(document, "rsshub"), "must list RSSHub instances", "rsshub"
        )
    instances, problems = [], []
    for index, entry in enumerate(raw):
        spec = {"url": entry} if isinstance(entry, str) else entry
        line, where = line_of(raw, index), f"rsshub instance #{index + 1}"
        if not isinstance(spec, dict) or set(spec) - {"url", "key_env"}:
            problems.append(Problem(path, line, where, "must be a URL or {url, key_env}"))
        elif not (isinstance(spec.get("url"), str) and is_web_url(spec["url"])):
            problems.append(Problem(path, line, where, "'url' must be an http(s) URL"))
        elif not isinstance(spec.get("key_env", ""), str):
            problems.append(Problem(path, line, where, "'key_env' must name a variable"))
        else:
            instances.append(RsshubInstance(spec["url"].strip(), spec.get("key_env", "")))
    if problems:
        raise ConfigError(problems)
    return tuple(instances)
