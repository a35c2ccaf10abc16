"""The tagger: which values an item offers, by how much, and why.

All plain terms of all tags go into one Aho-Corasick automaton, so a title or summary is
scanned once whatever the number of terms; so are expressions that reduce to a few strings
(``\\d+股``: ``0股`` ... ``9股``). The others only run when the text holds the strings every
match of theirs needs ("triggers": 第 and 代 for ``第\\d+代``), so most never run on most
items.
"""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick_rs

from feedkb.model import Item
from feedkb.regex_triggers import TO_FULL_WIDTH, finite_strings, requirements
from feedkb.rules import Rules
from feedkb.text import fold_width

TITLE, BODY, SOURCE = "title", "summary", "source"


@dataclass(frozen=True)
class Match:
    """One reason for (positive weight) or against (negative) a value."""

    term: str
    where: str  # "title", "summary" or "source"
    weight: float


# A term of a value: (slug, term, weight in a title, weight in a summary), weights negative
# for negative terms. A plain tuple: tagging a large store handles millions of them.
_Rule = tuple[str, str, float, float]


class Tagging:
    """Scores and values of one item; the evidence is spelled out only when asked for.

    Slots of plain tuples (no reference to the rules, no dict keyed by rules): the worker
    processes that tag a large store send it back cheaply, and pickle rebuilds it in C.
    """

    __slots__ = ("places", "rules", "scores", "values")

    def __init__(
        self,
        values: list[str],
        scores: dict[str, float],
        rules: tuple[_Rule, ...],
        places: tuple[str, ...],
    ) -> None:
        self.values, self.scores = values, scores
        self.rules, self.places = rules, places  # each rule found, and where

    @property
    def evidence(self) -> dict[str, list[Match]]:
        evidence: dict[str, list[Match]] = {}
        for (slug, term, in_title, elsewhere), where in zip(self.rules, self.places, strict=True):
            weight = in_title if where == TITLE else elsewhere
            evidence.setdefault(slug, []).append(Match(term, where, weight))
        return evidence


class Tagger:
    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self._slugs = list(rules.tags)
        self._thresholds = [rules.tags[s].threshold for s in self._slugs]
        self._hints = {s: rules.tags[s].source_hint for s in self._slugs}
        title_weight = rules.title_weight
        self._exact = _sums_exact(rules)
        plain: dict[str, list[_Rule]] = {}
        by_pattern: dict[re.Pattern[str], list[_Rule]] = {}
        for slug, tag in rules.tags.items():
            for terms, sign in ((tag.terms, 1.0), (tag.negative, -1.0)):
                for term in terms:
                    weight = sign * term.weight
                    rule = (slug, term.text, weight * title_weight, weight)
                    # An expression with a small finite set of matches is found by the
                    # automaton like plain terms; the others run behind their triggers.
                    strings = {term.text} if term.regex is None else finite_strings(term.regex)
                    if strings is None:
                        by_pattern.setdefault(term.regex, []).append(rule)
                        continue
                    for text in strings:
                        for form in {text, text.translate(TO_FULL_WIDTH)}:
                            plain.setdefault(form, []).append(rule)
        self._regexes, trigger_bits = _gated_patterns(by_pattern)
        # Texts have few distinct sets of triggers: which expressions pass is remembered.
        self._passing = functools.lru_cache(maxsize=4096)(self._passing_patterns)
        keys = sorted(plain.keys() | trigger_bits.keys())
        # Each key the automaton finds: the rules it finds, the trigger bits it sets.
        self._keys = {key: (tuple(plain.get(key, ())), trigger_bits.get(key, 0)) for key in keys}
        # It hands back the stored key strings themselves, which a set takes in C.
        self._automaton = ahocorasick_rs.AhoCorasick(keys, store_patterns=True) if keys else None

    def tag(self, item: Item, source_values: Iterable[str] = ()) -> Tagging:
        """Score ``item`` for every value; ``source_values`` are its source's hints."""
        return self.tag_text(item.title, item.summary, source_values)

    def tag_text(self, title: str, summary: str, source_values: Iterable[str] = ()) -> Tagging:
        found = self._matches(title.lower(), summary.lower())
        for slug in source_values:
            hint = self._hints.get(slug)
            if hint:
                found[(slug, "source hint", hint, hint)] = SOURCE
        scores = dict.fromkeys(self._slugs, 0.0)
        for (slug, _term, in_title, elsewhere), where in found.items():
            scores[slug] += in_title if where is TITLE else elsewhere
        if not self._exact:
            scores = {slug: round(score, 2) for slug, score in scores.items()}
        values = [
            slug
            for slug, threshold in zip(self._slugs, self._thresholds, strict=True)
            if scores[slug] >= threshold
        ]
        return Tagging(values, scores, tuple(found), tuple(found.values()))

    def _matches(self, title: str, summary: str) -> dict[_Rule, str]:
        """Each rule found, with its best place: the title if it is there at all.

        The automaton scans title and summary apart; expressions search them joined (one
        search each), a match starting inside the title counting for the title, ``^``
        anchoring at the title.
        """
        found: dict[_Rule, str] = {}
        text = f"{title}\n{summary}"
        seen = 0  # bits of the trigger sets the text satisfies
        if self._automaton:
            find, keys = self._automaton.find_matches_as_strings, self._keys
            in_title = set(find(title, overlapping=True))
            in_summary = set(find(summary, overlapping=True))
            for found_keys, where in ((in_summary - in_title, BODY), (in_title, TITLE)):
                for key in found_keys:
                    rules, bits = keys[key]
                    seen |= bits
                    for rule in rules:
                        found[rule] = where
        folded = None
        for pattern, rules in self._passing(seen):
            folded = folded or fold_width(text)
            match = pattern.search(folded)
            if match:
                where = TITLE if match.start() < len(title) else BODY
                for rule in rules:
                    found[rule] = where
        return found

    def _passing_patterns(self, seen: int) -> list[tuple[re.Pattern[str], tuple[_Rule, ...]]]:
        """The expressions whose trigger bits ``seen`` covers: the ones worth running."""
        return [
            (pattern, rules) for pattern, needed, rules in self._regexes if seen & needed == needed
        ]


def _sums_exact(rules: Rules) -> bool:
    """Whether every weight, in a title or not, is a multiple of a quarter: sums of those are
    exact in binary, so rounding scores to two decimals would change nothing."""
    weights = [tag.source_hint for tag in rules.tags.values()] + [
        term.weight * factor
        for tag in rules.tags.values()
        for term in tag.terms + tag.negative
        for factor in (1, rules.title_weight)
    ]
    return all((weight * 4).is_integer() for weight in weights)


Gated = tuple[re.Pattern[str], int, tuple[_Rule, ...]]  # pattern, trigger bits, rules


def _gated_patterns(
    by_pattern: dict[re.Pattern[str], list[_Rule]],
) -> tuple[list[Gated], dict[str, int]]:
    """Each expression with the bits of the trigger sets it needs, and each trigger string
    with the bits of the sets it is in: a text can match the expression only if the bits of
    the triggers it holds cover the expression's."""
    set_bits: dict[frozenset[str], int] = {}
    gated = []
    for pattern, rules in by_pattern.items():
        needed = 0
        for strings in requirements(pattern):
            needed |= set_bits.setdefault(strings, 1 << len(set_bits))
        gated.append((pattern, needed, tuple(rules)))
    trigger_bits: dict[str, int] = {}
    for strings, bit in set_bits.items():
        for string in strings:
            trigger_bits[string] = trigger_bits.get(string, 0) | bit
    return gated, trigger_bits
