"""``curation/rules.yaml``: per value tag, the weighted terms that earn it, validated."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedkb.errors import ConfigError, Problem
from feedkb.values import VALUE_SLUGS
from feedkb.yamlfile import line_of, read_yaml, top_mapping

RULES_FILE = "rules.yaml"
DEFAULT_RULES = Path(__file__).parent / "defaults" / RULES_FILE
REGEX_PREFIX = "re:"
TOP_KEYS = {"title_weight", "tags"}
TAG_KEYS = {"label", "description", "threshold", "source_hint", "terms", "negative"}


@dataclass(frozen=True)
class Term:
    """A word or regular expression and what finding it is worth."""

    text: str  # as the curator wrote it (without the ``re:`` prefix)
    weight: float
    regex: re.Pattern[str] | None = None


@dataclass(frozen=True)
class TagRule:
    slug: str
    label: str
    description: str
    threshold: float
    source_hint: float
    terms: tuple[Term, ...]
    negative: tuple[Term, ...]


@dataclass(frozen=True)
class Rules:
    title_weight: float
    tags: dict[str, TagRule] = field(default_factory=dict)


def load_rules(curation_dir: Path, notify: Callable[[str], None] = lambda _message: None) -> Rules:
    """The curator's rules, or feedkb's default rules while the folder has none (``notify``
    hears which): a folder with only sources.yaml already tags its items."""
    path = curation_dir / RULES_FILE
    if not path.exists():
        notify(f"{path} not found: tagging with feedkb's default rules ({DEFAULT_RULES})")
        path = DEFAULT_RULES
    return parse_rules(path, read_yaml(path))


def parse_rules(path: Path, document: Any) -> Rules:
    """Validate a loaded rules document; one ConfigError lists every problem."""
    document = top_mapping(path, document, "tags", "a mapping with 'title_weight' and 'tags'")
    problems = [
        Problem(path, line_of(document, k), "", f"unknown top-level key {k!r}")
        for k in document
        if k not in TOP_KEYS
    ]
    title_weight = _number(document, "title_weight", 2.0, path, "", problems)
    tags_doc = document.get("tags")
    if not isinstance(tags_doc, dict):
        problems.append(
            Problem(
                path,
                line_of(document, "tags") or line_of(document),
                "tags",
                "'tags' must map each value slug to its rule",
            )
        )
        raise ConfigError(problems)
    tags: dict[str, TagRule] = {}
    for slug, body in tags_doc.items():
        rule = _parse_tag(path, tags_doc, slug, body, problems)
        if rule:
            tags[slug] = rule
    problems += [
        Problem(path, line_of(tags_doc), "tags", f"no rule for value {slug!r}")
        for slug in VALUE_SLUGS
        if slug not in tags_doc
    ]
    if problems:
        raise ConfigError(problems)
    return Rules(title_weight, tags)


def _parse_tag(
    path: Path, tags_doc: dict, slug: Any, body: Any, problems: list[Problem]
) -> TagRule | None:
    where = f"tag {slug!r}"
    if slug not in VALUE_SLUGS:
        problems.append(
            Problem(
                path,
                line_of(tags_doc, slug),
                where,
                f"unknown value tag (known: {', '.join(VALUE_SLUGS)})",
            )
        )
        return None
    if not isinstance(body, dict):
        problems.append(Problem(path, line_of(tags_doc, slug), where, "must be a mapping"))
        return None
    before = len(problems)
    problems += [
        Problem(
            path,
            line_of(body, k),
            where,
            f"unknown key {k!r} (known: {', '.join(sorted(TAG_KEYS))})",
        )
        for k in body
        if k not in TAG_KEYS
    ]
    label = body.get("label", slug)
    if not isinstance(label, str):
        problems.append(Problem(path, line_of(body, "label"), where, "'label' must be text"))
    rule = TagRule(
        slug=slug,
        label=str(label),
        description=str(body.get("description", "")),
        threshold=_number(body, "threshold", 1.0, path, where, problems),
        source_hint=_number(body, "source_hint", 0.0, path, where, problems),
        terms=_terms(path, body, "terms", where, problems),
        negative=_terms(path, body, "negative", where, problems),
    )
    return rule if len(problems) == before else None


def _number(
    node: dict, key: str, default: float, path: Path, where: str, problems: list[Problem]
) -> float:
    value = node.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(Problem(path, line_of(node, key), where, f"{key!r} must be a number"))
        return default
    return float(value)


def _terms(
    path: Path, body: dict, key: str, where: str, problems: list[Problem]
) -> tuple[Term, ...]:
    raw = body.get(key) or {}
    if not isinstance(raw, dict):
        problems.append(
            Problem(
                path,
                line_of(body, key),
                where,
                f"'{key}' must map each term to its weight, e.g. 融资: 3",
            )
        )
        return ()
    terms = []
    for text, weight in raw.items():
        line = line_of(raw, text)
        if not isinstance(text, str) or not text.strip():
            problems.append(Problem(path, line, where, f"term {text!r} must be text"))
            continue
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            problems.append(Problem(path, line, where, f"weight of term {text!r} must be a number"))
            continue
        term = _term(text, float(weight))
        if isinstance(term, str):
            problems.append(Problem(path, line, where, term))
        else:
            terms.append(term)
    return tuple(terms)


def _term(text: str, weight: float) -> Term | str:
    """The term, or why its regular expression does not compile."""
    if not text.startswith(REGEX_PREFIX):
        return Term(text.lower(), weight)
    pattern = text.removeprefix(REGEX_PREFIX)
    try:
        return Term(pattern, weight, re.compile(pattern, re.IGNORECASE))
    except re.error as exc:
        return f"term {text!r}: bad regular expression: {exc}"
