"""The tagger: which values an item offers, by how much, and why.

All plain terms of all tags go into one Aho-Corasick automaton, so a title or summary is
scanned once whatever the number of terms. Regular expressions only run when the text holds
the strings every match of theirs needs ("triggers": a digit and 股 for ``\\d+股``), so most
never run on most items.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick_rs

from feedkb.model import Item
from feedkb.regex_triggers import TO_FULL_WIDTH, finite_strings, requirements
from feedkb.rules import Rules, Term
from feedkb.text import fold_width

TITLE, BODY, SOURCE = "title", "summary", "source"


@dataclass(frozen=True)
class Match:
    """One reason for (positive weight) or against (negative) a value."""

    term: str
    where: str  # "title", "summary" or "source"
    weight: float


@dataclass(frozen=True, eq=False)  # identity hash: found rules are kept in dicts
class _Rule:
    slug: str
    weight: float  # negative for negative terms
    term: Term


class Tagging:
    """Scores and values of one item; the evidence is spelled out only when asked for.

    Plain data (no reference to the rules), so it crosses process boundaries cheaply.
    """

    __slots__ = ("_matched", "scores", "values")

    def __init__(
        self,
        values: list[str],
        scores: dict[str, float],
        matched: tuple[tuple[str, str, float, str], ...],
    ) -> None:
        self.values, self.scores = values, scores
        self._matched = matched  # (slug, term, weighted score, where)

    @property
    def evidence(self) -> dict[str, list[Match]]:
        evidence: dict[str, list[Match]] = {}
        for slug, term, weight, where in self._matched:
            evidence.setdefault(slug, []).append(Match(term, where, weight))
        return evidence

    def __reduce__(self) -> tuple:
        return Tagging, (self.values, self.scores, self._matched)


class Tagger:
    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self._slugs = list(rules.tags)
        self._thresholds = [rules.tags[s].threshold for s in self._slugs]
        self._hints = {s: rules.tags[s].source_hint for s in self._slugs}
        plain: dict[str, list[_Rule]] = {}
        by_pattern: dict[re.Pattern[str], list[_Rule]] = {}
        for slug, tag in rules.tags.items():
            for terms, sign in ((tag.terms, 1.0), (tag.negative, -1.0)):
                for term in terms:
                    rule = _Rule(slug, sign * term.weight, term)
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
        # Single characters that only trigger expressions occur everywhere (月, 万, digits):
        # one character-class search per text is cheaper than an automaton hit per occurrence.
        chars = sorted(t for t in trigger_bits if len(t) == 1 and t not in plain)
        self._char_bits = {char: trigger_bits[char] for char in chars}
        self._char_triggers = re.compile(f"[{re.escape(''.join(chars))}]") if chars else None
        keys = sorted(plain.keys() | (trigger_bits.keys() - set(chars)))
        # The automaton yields indexes into keys; _keys[i] is (the rules of key i, the
        # trigger bits it sets).
        self._keys = [(tuple(plain.get(key, ())), trigger_bits.get(key, 0)) for key in keys]
        self._automaton = ahocorasick_rs.AhoCorasick(keys) if keys else None

    def tag(self, item: Item, source_values: Iterable[str] = ()) -> Tagging:
        """Score ``item`` for every value; ``source_values`` are its source's hints."""
        return self.tag_text(item.title, item.summary, source_values)

    def tag_text(self, title: str, summary: str, source_values: Iterable[str] = ()) -> Tagging:
        title_weight = self.rules.title_weight
        scores = dict.fromkeys(self._slugs, 0.0)
        matched = []
        for rule, where in self._matches(title.lower(), summary.lower()).items():
            weight = rule.weight * title_weight if where == TITLE else rule.weight
            scores[rule.slug] += weight
            matched.append((rule.slug, rule.term.text, weight, where))
        for slug in source_values:
            hint = self._hints.get(slug)
            if hint:
                scores[slug] += hint
                matched.append((slug, "source hint", hint, SOURCE))
        scores = {slug: round(score, 2) for slug, score in scores.items()}
        values = [
            slug
            for slug, threshold in zip(self._slugs, self._thresholds, strict=True)
            if scores[slug] >= threshold
        ]
        return Tagging(values, scores, tuple(matched))

    def _matches(self, title: str, summary: str) -> dict[_Rule, str]:
        """Each rule found, with its best place: the title if it is there at all.

        The automaton scans title and summary apart; expressions search them joined (one
        search each), a match starting inside the title counting for the title, ``^``
        anchoring at the title.
        """
        found: dict[_Rule, str] = {}
        text = f"{title}\n{summary}"
        seen = 0  # bits of the trigger sets the text satisfies
        if self._char_triggers:
            for char in set(self._char_triggers.findall(text)):
                seen |= self._char_bits[char]
        if self._automaton:
            find, keys = self._automaton.find_matches_as_indexes, self._keys
            in_title = {index for index, _start, _end in find(title, overlapping=True)}
            in_summary = {index for index, _start, _end in find(summary, overlapping=True)}
            for indexes, where in ((in_summary - in_title, BODY), (in_title, TITLE)):
                for index in indexes:
                    rules, bits = keys[index]
                    seen |= bits
                    for rule in rules:
                        found[rule] = where
        folded = None
        for pattern, needed, rules in self._regexes:
            if seen & needed != needed:
                continue
            folded = folded or fold_width(text)
            match = pattern.search(folded)
            if match:
                where = TITLE if match.start() < len(title) else BODY
                for rule in rules:
                    found[rule] = where
        return found


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
