"""The starter catalogue: curated packs of real sources per field (企业服务, 硬科技, 新消费,
出海, AI), direct feeds and RSSHub routes, each with its value hints and where and when it was
checked (``defaults/catalogue.yaml``). ``feedkb sources catalogue`` lists them and
``feedkb sources add --pack NAME`` adds one."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from feedkb.errors import ConfigError, Problem
from feedkb.sources import SLUG_RE, Source, is_web_url, parse_sources
from feedkb.yamlfile import line_of, read_yaml, top_mapping

CATALOGUE = Path(__file__).resolve().parent / "defaults" / "catalogue.yaml"
CHECKED_KEYS = {"url", "date", "note"}


@dataclass(frozen=True)
class Pack:
    """A field's starter sources in the catalogue, each with where and when it was checked."""

    slug: str
    title: str
    sources: tuple[Source, ...]
    checked_from: dict[str, dict[str, str]]  # by source id


def load_catalogue(path: Path = CATALOGUE) -> dict[str, Pack]:
    """The catalogue's packs by slug; each pack's sources pass sources.yaml's validation."""
    document = top_mapping(path, read_yaml(path), "packs", "a mapping with a 'packs' mapping")
    if not isinstance(document["packs"], dict):
        raise ConfigError.one(path, line_of(document, "packs"), "'packs' must be a mapping")
    packs, problems = {}, []
    for slug, spec in document["packs"].items():
        try:
            packs[slug] = _parse_pack(path, slug, spec, document["packs"])
        except ConfigError as exc:
            problems += exc.problems
    problems += _same_id_same_feed(path, packs.values())
    if problems:
        raise ConfigError(problems)
    return packs


def _parse_pack(path: Path, slug: Any, spec: Any, packs: dict) -> Pack:
    where, line = f"pack {slug!r}", line_of(packs, slug)
    if not (isinstance(slug, str) and SLUG_RE.match(slug)):
        raise ConfigError.one(path, line, "the pack's name must be a slug", where)
    if not isinstance(spec, dict) or set(spec) != {"title", "sources"}:
        raise ConfigError.one(path, line, "must be a mapping with 'title' and 'sources'", where)
    if not (isinstance(spec["title"], str) and spec["title"].strip()):
        raise ConfigError.one(path, line, "'title' must be a non-empty string", where)
    sources = parse_sources(path, {"sources": spec["sources"]}, frozenset({"checked_from"}))
    checked, problems = {}, []
    for index, entry in enumerate(spec["sources"]):
        checked[entry["id"]], entry_problems = _checked_from(path, spec["sources"], index)
        problems += entry_problems
    if problems:
        raise ConfigError(problems)
    return Pack(slug, spec["title"].strip(), tuple(sources), checked)


def _checked_from(path: Path, entries: list, index: int) -> tuple[dict[str, str], list[Problem]]:
    """The entry's checked_from: the http(s) URL where it was checked, the date, a note."""
    entry = entries[index]
    line, where = (
        line_of(entry, "checked_from") or line_of(entries, index),
        f"source {entry['id']!r}",
    )
    checked = entry.get("checked_from")
    if not isinstance(checked, dict) or not {"url", "date"} <= set(checked) <= CHECKED_KEYS:
        message = "needs checked_from: {url, date, note}: where and when the feed was checked"
        return {}, [Problem(path, line, where, message)]
    problems = []
    if not (isinstance(checked["url"], str) and is_web_url(checked["url"])):
        problems.append(Problem(path, line, where, "checked_from 'url' must be an http(s) URL"))
    if not _is_date(checked["date"]):
        problems.append(Problem(path, line, where, "checked_from 'date' must be YYYY-MM-DD"))
    if problems:
        return {}, problems
    return {key: str(value) for key, value in checked.items()}, []


def _is_date(value: Any) -> bool:
    """A date, as YAML reads 2026-12-01, or the same text quoted."""
    if isinstance(value, str):
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return isinstance(value, date)


def _same_id_same_feed(path: Path, packs: Iterable[Pack]) -> list[Problem]:
    """A source in several packs must be the same feed under the same id in each."""
    first: dict[str, tuple[str, Source]] = {}
    problems = []
    for pack in packs:
        for source in pack.sources:
            slug, seen = first.setdefault(source.id, (pack.slug, source))
            if seen.location != source.location:
                message = f"is {seen.location} in pack {slug!r} but {source.location} here"
                problems.append(Problem(path, None, f"pack {pack.slug!r}: {source.id!r}", message))
    return problems
