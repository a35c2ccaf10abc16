"""The tagger: which values an item offers, by how much, and why.

All plain terms of all tags go into one Aho-Corasick automaton, so an item's title and
summary are each scanned once whatever the number of terms; regular expressions run on top.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick

from feedkb.model import Item
from feedkb.rules import Rules, Term

TITLE, BODY, SOURCE = "title", "summary", "source"


@dataclass(frozen=True)
class Match:
    """One reason for (positive weight) or against (negative) a value."""

    term: str
    where: str  # "title", "summary" or "source"
    weight: float


@dataclass
class Tagging:
    values: list[str]
    scores: dict[str, float]
    evidence: dict[str, list[Match]] = field(default_factory=dict)


def normalise_text(text: str) -> str:
    # NFKC folds full-width letters and digits (ＩＰＯ, Ａ轮) into what the rules spell.
    return unicodedata.normalize("NFKC", text).lower()


@dataclass(frozen=True)
class _Rule:
    slug: str
    weight: float  # negative for negative terms
    term: Term


class Tagger:
    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self._automaton = ahocorasick.Automaton()
        plain: dict[str, list[_Rule]] = {}
        self._regexes: list[_Rule] = []
        for slug, tag in rules.tags.items():
            for terms, sign in ((tag.terms, 1.0), (tag.negative, -1.0)):
                for term in terms:
                    rule = _Rule(slug, sign * term.weight, term)
                    if term.regex is None:
                        plain.setdefault(normalise_text(term.text), []).append(rule)
                    else:
                        self._regexes.append(rule)
        for text, found in plain.items():
            self._automaton.add_word(text, tuple(found))
        self._has_plain = bool(plain)
        if plain:
            self._automaton.make_automaton()

    def tag(self, item: Item, source_values: Iterable[str] = ()) -> Tagging:
        """Score ``item`` for every value; ``source_values`` are its source's hints."""
        title, body = normalise_text(item.title), normalise_text(item.summary)
        found = self._matches(title, TITLE)
        for rule, where in self._matches(body, BODY).items():
            found.setdefault(rule, where)  # a term counts once, at its best place
        evidence: dict[str, list[Match]] = {slug: [] for slug in self.rules.tags}
        for rule, where in found.items():
            factor = self.rules.title_weight if where == TITLE else 1.0
            evidence[rule.slug].append(Match(rule.term.text, where, rule.weight * factor))
        for slug in source_values:
            hint = self.rules.tags[slug].source_hint if slug in self.rules.tags else 0
            if hint:
                evidence[slug].append(Match("source hint", SOURCE, hint))
        scores = {
            slug: round(sum(m.weight for m in matches), 2) for slug, matches in evidence.items()
        }
        values = [slug for slug, tag in self.rules.tags.items() if scores[slug] >= tag.threshold]
        return Tagging(values, scores, {s: m for s, m in evidence.items() if m})

    def _matches(self, text: str, where: str) -> dict[_Rule, str]:
        found: dict[_Rule, str] = {}
        if text and self._has_plain:
            for _end, rules in self._automaton.iter(text):
                for rule in rules:
                    found[rule] = where
        for rule in self._regexes:
            if rule.term.regex.search(text):
                found[rule] = where
        return found
