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
from itertools import chain, compress
from operator import ge, or_

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

    __slots__ = ("elsewhere", "hints", "in_title", "scores", "values")

    def __init__(
        self,
        values: list[str],
        scores: dict[str, float],
        in_title: tuple[_Rule, ...],
        elsewhere: tuple[_Rule, ...],
        hints: tuple[_Rule, ...],
    ) -> None:
        self.values, self.scores = values, scores
        # The rules found in the title, those found only in the summary, the source's hints.
        self.in_title, self.elsewhere, self.hints = in_title, elsewhere, hints

    @property
    def evidence(self) -> dict[str, list[Match]]:
        evidence: dict[str, list[Match]] = {}
        for rules, where in ((self.in_title, TITLE), (self.elsewhere, BODY), (self.hints, SOURCE)):
            for slug, term, in_title, elsewhere in rules:
                weight = in_title if where == TITLE else elsewhere
                evidence.setdefault(slug, []).append(Match(term, where, weight))
        return evidence


class Tagger:
    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self._slugs = list(rules.tags)
        self._thresholds = [rules.tags[s].threshold for s in self._slugs]
        self._hints = {
            slug: (slug, "source hint", tag.source_hint, tag.source_hint)
            for slug, tag in rules.tags.items()
            if tag.source_hint
        }
        self._exact = _sums_exact(rules)
        # Rules are found by their index here: sets of small ints are made and merged in C.
        self._rules: list[_Rule] = []
        plain: dict[str, set[int]] = {}
        by_pattern: dict[re.Pattern[str], set[int]] = {}
        for slug, tag in rules.tags.items():
            for terms, sign in ((tag.terms, 1.0), (tag.negative, -1.0)):
                for term in terms:
                    weight = sign * term.weight
                    rule = len(self._rules)
                    self._rules.append((slug, term.text, weight * rules.title_weight, weight))
                    # An expression with a small finite set of matches is found by the
                    # automaton like plain terms; the others run behind their triggers.
                    strings = {term.text} if term.regex is None else finite_strings(term.regex)
                    if strings is None:
                        by_pattern.setdefault(term.regex, set()).add(rule)
                        continue
                    for text in strings:
                        for form in {text, text.translate(TO_FULL_WIDTH)}:
                            plain.setdefault(form, set()).add(rule)
        self._regexes, self._trigger_bits = _gated_patterns(by_pattern)
        self._triggers = frozenset(self._trigger_bits)
        # Texts have few distinct sets of triggers: which expressions pass is remembered.
        self._passing = functools.lru_cache(maxsize=4096)(self._passing_patterns)
        keys = sorted(plain.keys() | self._triggers)
        self._key_rules = {key: frozenset(plain.get(key, ())) for key in keys}
        # It hands back the stored key strings themselves: no new objects per match.
        self._automaton = ahocorasick_rs.AhoCorasick(keys, store_patterns=True) if keys else None

    def tag(self, item: Item, source_values: Iterable[str] = ()) -> Tagging:
        """Score ``item`` for every value; ``source_values`` are its source's hints."""
        return self.tag_text(item.title, item.summary, source_values)

    def tag_text(self, title: str, summary: str, source_values: Iterable[str] = ()) -> Tagging:
        in_title, elsewhere = self._found(title.lower(), summary.lower())
        found_in_title = tuple(map(self._rules.__getitem__, in_title))
        found_elsewhere = tuple(map(self._rules.__getitem__, elsewhere))
        hints = tuple(filter(None, map(self._hints.get, source_values)))
        scores = dict.fromkeys(self._slugs, 0.0)
        for slug, _term, weight, _elsewhere in found_in_title:
            scores[slug] += weight
        for slug, _term, _in_title, weight in chain(found_elsewhere, hints):
            scores[slug] += weight
        if not self._exact:
            scores = {slug: round(score, 2) for slug, score in scores.items()}
        # The values whose score reaches their threshold.
        reached = map(ge, map(scores.__getitem__, self._slugs), self._thresholds)
        values = list(compress(self._slugs, reached))
        return Tagging(values, scores, found_in_title, found_elsewhere, hints)

    def _found(self, title: str, summary: str) -> tuple[set[int], set[int]]:
        """The rules found in the title, and those found in the summary only.

        The automaton scans title and summary apart; expressions search them joined (one
        search each), a match starting inside the title counting for the title, ``^``
        anchoring at the title.
        """
        keys_in_title: list[str] = []
        keys_in_summary: list[str] = []
        if self._automaton:
            find = self._automaton.find_matches_as_strings
            keys_in_title = find(title, overlapping=True)
            keys_in_summary = find(summary, overlapping=True)
        rules_of = self._key_rules.__getitem__
        in_title = set().union(*map(rules_of, keys_in_title))
        in_summary = set().union(*map(rules_of, keys_in_summary))
        # The bits of the trigger sets the text satisfies.
        triggers = self._triggers.intersection(keys_in_title + keys_in_summary)
        seen = functools.reduce(or_, map(self._trigger_bits.__getitem__, triggers), 0)
        text = None
        for pattern, rules in self._passing(seen):
            text = text or fold_width(f"{title}\n{summary}")
            match = pattern.search(text)
            if match:
                (in_title if match.start() < len(title) else in_summary).update(rules)
        return in_title, in_summary - in_title

    def _passing_patterns(self, seen: int) -> list[tuple[re.Pattern[str], frozenset[int]]]:
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


Gated = tuple[re.Pattern[str], int, frozenset[int]]  # pattern, trigger bits, rules


def _gated_patterns(
    by_pattern: dict[re.Pattern[str], set[int]],
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
        gated.append((pattern, needed, frozenset(rules)))
    trigger_bits: dict[str, int] = {}
    for strings, bit in set_bits.items():
        for string in strings:
            trigger_bits[string] = trigger_bits.get(string, 0) | bit
    return gated, trigger_bits
