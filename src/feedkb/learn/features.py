"""What the model reads of an item: the character n-grams of its title and summary, and the
rules' score for each value.

Character bigrams and trigrams need no segmenter and work alike for Chinese (融资, 收购) and
English ("rai", "qui", " ip"). Single characters were measured to add nothing (grouped
cross-validation on the train side) but were five in six of the n-grams found, and longer
n-grams added nothing either. A model keeps only the n-grams it learned weights for, so
finding them is one Aho-Corasick pass over each text: every vocabulary n-gram present,
found in Rust.
"""

import re
from collections.abc import Iterable, Sequence

import ahocorasick_rs
import numpy as np

from feedkb.rules import Rules
from feedkb.tagging import Tagging
from feedkb.text import fold_width

NGRAM_SIZES = range(2, 4)
RULE_CAP = 3.0  # a rule score this many times its threshold says all it can
WHITESPACE = re.compile(r"\s+")
SEPARATOR = "\n"  # normalised text has no line breaks


def normalise(text: str) -> str:
    """The form n-grams are taken from: full-width folded, lower case, one space for any run."""
    return WHITESPACE.sub(" ", fold_width(text).lower()).strip()


def ngrams(title: str, summary: str) -> set[str]:
    """Every n-gram of the title and of the summary (none spans the two)."""
    found: set[str] = set()
    for text in (normalise(title), normalise(summary)):
        for size in NGRAM_SIZES:
            found.update(text[i : i + size] for i in range(len(text) - size + 1))
    return found


def rule_features(taggings: Sequence[Tagging], rules: Rules, values: Sequence[str]) -> np.ndarray:
    """A row per tagging: each value's rule score as a share of its threshold, capped both
    ways (a value the rules do not know scores 0)."""
    scores = np.array([[t.scores.get(slug, 0.0) for slug in values] for t in taggings])
    known = [slug in rules.tags for slug in values]
    thresholds = np.array(
        [rules.tags[s].threshold if k else np.inf for s, k in zip(values, known, strict=True)]
    )
    return np.clip(scores.reshape(len(taggings), len(values)) / thresholds, -RULE_CAP, RULE_CAP)


class NgramFinder:
    """The vocabulary n-grams present in a title and summary, as row numbers of the vocabulary.

    Finds exactly what ``ngrams`` would list, restricted to the vocabulary.
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = list(vocabulary)
        self.row = {gram: row for row, gram in enumerate(self.vocabulary)}
        self._automaton = (
            ahocorasick_rs.AhoCorasick(self.vocabulary, store_patterns=True)
            if self.vocabulary
            else None
        )

    def rows(self, title: str, summary: str) -> list[int]:
        if self._automaton is None:
            return []
        # One scan of both: no vocabulary n-gram holds the separator, so none spans the two.
        text = f"{normalise(title)}{SEPARATOR}{normalise(summary)}" if summary else normalise(title)
        found = set(self._automaton.find_matches_as_strings(text, overlapping=True))
        return list(map(self.row.__getitem__, found))
