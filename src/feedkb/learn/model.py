"""A trained value model: scoring items with it, and keeping it on disk as JSON.

One logistic regression per value: a value's probability is the logistic of its intercept
plus the weights of the n-grams present plus the weighted rule scores; the value is given
when the probability reaches that value's threshold (one half: training weighs the classes
by their frequency).
"""

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, compress
from pathlib import Path
from typing import Any

import numpy as np

from feedkb.errors import ConfigError
from feedkb.fsutil import atomic_write_bytes
from feedkb.learn.features import NgramFinder

FORMAT = 1
DECIMALS = 4  # weights are kept to this many decimals
UNIT = 10**DECIMALS
MODEL_FILE = "model.json"
UNSURE = 0.3  # an uncertainty (1 on a threshold) from which the model's decision is in doubt
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "defaults" / MODEL_FILE


@dataclass
class Prediction:
    """What the model says of one item."""

    probabilities: dict[str, float]
    values: list[str]

    def uncertainty(self, model: "ValueModel") -> float:
        """How close the nearest decision came to going the other way: 1 on a threshold,
        0 when every value is far from its threshold (in log-odds)."""
        margins = [
            abs(_logit(p) - _logit(model.thresholds[slug]))
            for slug, p in self.probabilities.items()
        ]
        return math.exp(-min(margins, default=math.inf))


@dataclass
class ValueModel:
    values: tuple[str, ...]
    vocabulary: list[str]
    weights: np.ndarray  # vocabulary x values
    rule_weights: np.ndarray  # rule feature x values
    intercepts: np.ndarray  # values
    thresholds: dict[str, float]
    fingerprint: str  # what it was trained on: see kbmodel.fingerprint
    info: dict[str, Any] = field(default_factory=dict)  # examples, cross-validated figures
    _finder: NgramFinder | None = field(default=None, repr=False)
    _units: np.ndarray | None = field(default=None, repr=False)

    @property
    def finder(self) -> NgramFinder:
        if self._finder is None:
            self._finder = NgramFinder(self.vocabulary)
        return self._finder

    @property
    def units(self) -> np.ndarray:
        """The n-gram weights as whole units of their last decimal: sums of integers are
        exact in any order, and the n-grams found come in an order that differs between
        processes (string hashes are salted)."""
        if self._units is None:
            self._units = np.rint(self.weights * UNIT).astype(np.int64)
        return self._units

    def probabilities(self, texts: Sequence[tuple[str, str]], rules: np.ndarray) -> np.ndarray:
        """A row per (title, summary) and a column per value; ``rules`` has a row of rule
        features per text. Items are scored together: numpy's cost per call is paid once
        per batch, not once per item."""
        found = [self.finder.rows(title, summary) for title, summary in texts]
        counts = np.fromiter(map(len, found), dtype=np.intp, count=len(found))
        grams = np.zeros((len(found), len(self.values)), dtype=np.int64)
        if counts.any():
            rows = np.fromiter(chain.from_iterable(found), dtype=np.intp, count=counts.sum())
            starts = np.cumsum(counts) - counts
            # Consecutive items' n-grams are consecutive rows: sum each item's run.
            grams[counts > 0] = np.add.reduceat(self.units[rows], starts[counts > 0], axis=0)
        # Elementwise, not a matrix product: the same bits whatever the size of the batch.
        from_rules = (rules[:, :, np.newaxis] * self.rule_weights).sum(axis=1)
        return _sigmoid(self.intercepts + grams / UNIT + from_rules)

    def decide(self, texts: Sequence[tuple[str, str]], rules: np.ndarray) -> list[list[str]]:
        """The values given to each text, as ``predict`` gives them."""
        return self.given(self.probabilities(texts, rules))

    def given(self, probabilities: np.ndarray) -> list[list[str]]:
        """The values given to each row of ``probabilities``."""
        return [list(compress(self.values, row)) for row in (probabilities >= self._cuts).tolist()]

    def unsure(self, probabilities: np.ndarray) -> set[str]:
        """The values of one row whose decision nearly went the other way (an uncertainty,
        as Prediction.uncertainty counts it, of at least UNSURE)."""
        return {
            slug
            for slug, p in zip(self.values, probabilities.tolist(), strict=True)
            if abs(_logit(p) - _logit(self.thresholds[slug])) <= -math.log(UNSURE)
        }

    def predict(self, title: str, summary: str, rules: np.ndarray) -> Prediction:
        """One text with its probabilities; ``rules`` is its row of rule features."""
        [chances] = self.probabilities([(title, summary)], rules.reshape(1, -1)).tolist()
        given = [p >= cut for p, cut in zip(chances, self._cuts, strict=True)]
        return Prediction(
            dict(zip(self.values, chances, strict=True)), list(compress(self.values, given))
        )

    @property
    def _cuts(self) -> list[float]:
        return [self.thresholds[slug] for slug in self.values]

    def strongest(
        self, title: str, summary: str, rules: np.ndarray, slug: str, count: int = 5
    ) -> list[tuple[str, float]]:
        """The features that pushed ``slug`` most, either way: (n-gram or rule score, weight)."""
        column = self.values.index(slug)
        rows = self.finder.rows(title, summary)
        pushes = [(self.vocabulary[r], float(self.weights[r, column])) for r in rows]
        pushes += [
            (f"{self.values[j]} rule score", float(self.rule_weights[j, column] * value))
            for j, value in enumerate(rules)
            if value
        ]
        return sorted(pushes, key=lambda p: -abs(p[1]))[:count]

    def to_json(self) -> str:
        document = {
            "format": FORMAT,
            "values": list(self.values),
            "fingerprint": self.fingerprint,
            "info": self.info,
            "thresholds": self.thresholds,
            "intercepts": _rounded(self.intercepts),
            "rule_weights": [_rounded(row) for row in self.rule_weights],
            "ngrams": {
                gram: _rounded(row) for gram, row in zip(self.vocabulary, self.weights, strict=True)
            },
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))

    @property
    def version(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:12]

    def save(self, path: Path) -> None:
        atomic_write_bytes(path, (self.to_json() + "\n").encode())


def load_model(path: Path) -> ValueModel:
    """A model file; a clear error naming the file when it is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != FORMAT:
            raise ValueError(f"format {document.get('format')!r}, expected {FORMAT}")
        grams = document["ngrams"]
        values = tuple(document["values"])
        return ValueModel(
            values=values,
            vocabulary=list(grams),
            weights=np.array(list(grams.values()), dtype=np.float64).reshape(-1, len(values)),
            rule_weights=np.array(document["rule_weights"], dtype=np.float64),
            intercepts=np.array(document["intercepts"], dtype=np.float64),
            thresholds={slug: float(document["thresholds"][slug]) for slug in values},
            fingerprint=document["fingerprint"],
            info=document.get("info", {}),
        )
    except OSError as exc:
        raise ConfigError.one(path, None, f"cannot read: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError.one(
            path, None, f"not a feedkb model ({exc}); run 'feedkb train' to make it again"
        ) from None


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def _rounded(row: np.ndarray) -> list[float]:
    return [round(float(x), DECIMALS) for x in row]
