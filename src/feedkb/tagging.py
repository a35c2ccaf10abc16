"""The tagger: which values an item offers, by how much, and why.

All plain terms of all tags go into one Aho-Corasick automaton, so a title or summary is
scanned once whatever the number of terms. Regular expressions only run when the automaton
saw a character every match of theirs needs (a "trigger"), so most never run on most items.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from feedkb.model import Item
from feedkb.regex_triggers import TO_FULL_WIDTH, finite_strings, required_strings
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
        self._regexes: list[tuple[_Rule, frozenset[str] | None]] = []
        for slug, tag in rules.tags.items():
            for terms, sign in ((tag.terms, 1.0), (tag.negative, -1.0)):
                for term in terms:
                    rule = _Rule(slug, sign * term.weight, term)
                    # An expression with a small finite set of matches is found by the
                    # automaton like plain terms; the others run behind their triggers.
                    strings = {term.text} if term.regex is None else finite_strings(term.regex)
                    if strings is None:
                        self._regexes.append((rule, required_strings(term.regex)))
                        continue
                    for text in strings:
                        for form in {text, text.translate(TO_FULL_WIDTH)}:
                            plain.setdefault(form, []).append(rule)
        triggers = {c for _rule, chars in self._regexes for c in chars or ()}
        # Single characters that only trigger expressions occur everywhere (月, 万, :): a
        # plain `in` test per text is cheaper than an automaton hit per occurrence.
        self._char_triggers = {t for t in triggers if len(t) == 1 and t not in plain}
        # The automaton yields small ints; _keys[i] is (rules of key i, is it a trigger, key).
        self._keys = [
            (tuple(plain.get(key, ())), key in triggers, key)
            for key in sorted(plain.keys() | (triggers - self._char_triggers))
        ]
        self._automaton = ahocorasick.Automaton()
        for index, (_rules, _trigger, key) in enumerate(self._keys):
            self._automaton.add_word(key, index)
        self._usable = bool(self._keys)
        if self._usable:
            self._automaton.make_automaton()

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
        if not self._usable:
            return found
        text = f"{title}\n{summary}"
        boundary = len(title)
        automaton = self._automaton
        in_title = {index for _end, index in automaton.iter(title)}
        in_summary = {index for _end, index in automaton.iter(summary)} - in_title
        seen = {char for char in self._char_triggers if char in text}
        for indexes, where in ((in_title, TITLE), (in_summary, BODY)):
            for index in indexes:
                rules, is_trigger, key = self._keys[index]
                for rule in rules:
                    found[rule] = where
                if is_trigger:
                    seen.add(key)
        folded = None
        for rule, triggers in self._regexes:
            if triggers is not None and triggers.isdisjoint(seen):
                continue
            if folded is None:
                folded = fold_width(text)
            match = rule.term.regex.search(folded)
            if match:
                found[rule] = TITLE if match.start() < boundary else BODY
        return found
