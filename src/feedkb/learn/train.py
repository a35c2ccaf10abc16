"""Fitting a value model on labelled examples, and measuring it by cross-validation.

scikit-learn's logistic regression (liblinear, a fixed seed: the same examples give the same
model) fits one model per value on binary n-gram features plus the rule scores. Each value
learns only from the examples labelled for it, so a correction that adds one value teaches
that value alone. Thresholds are chosen on out-of-fold probabilities, so a value that is
rare in the examples is still given when the model leans towards it.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from feedkb.learn.examples import Example
from feedkb.learn.model import ValueModel

REGULARISATION = 0.3  # liblinear's C: smaller spreads the weight over more n-grams
MIN_EXAMPLES = 2  # an n-gram seen once says more about that item than about a value
FOLDS = 5
THRESHOLDS = np.round(np.arange(0.2, 0.81, 0.05), 2)
# N-grams whose every weight is smaller change few decisions (cross-validated F1 the same):
# leaving them out makes the model a tenth of the size and finds half the n-grams per item.
KEEP_WEIGHT = 0.1
DECIMALS = 4


@dataclass
class ValueFigures:
    slug: str
    labelled: int
    precision: float
    recall: float
    f1: float


def fingerprint(examples: Sequence[Example], rules_text: str) -> str:
    """What a model was trained from: the examples' labels and the rules that scored them."""
    digest = hashlib.sha256(rules_text.encode())
    for example in sorted(examples, key=lambda e: e.key):
        digest.update(json.dumps([example.key, example.labels, example.weight]).encode())
    return digest.hexdigest()[:16]


def fit(
    examples: Sequence[Example],
    values: Sequence[str],
    fingerprint: str,
    *,
    thresholds: dict[str, float] | None = None,
) -> ValueModel:
    """A model of every value; thresholds from cross-validation unless given."""
    vocabulary = _vocabulary(examples)
    matrix = _matrix(examples, vocabulary)
    weights = np.zeros((len(vocabulary), len(values)))
    rule_weights = np.zeros((len(values), len(values)))
    intercepts = np.zeros(len(values))
    for column, slug in enumerate(values):
        chosen = [i for i, e in enumerate(examples) if slug in e.labels]
        coef, intercept = _fit_value(matrix, examples, chosen, slug)
        weights[:, column], rule_weights[:, column] = (
            coef[: len(vocabulary)],
            coef[len(vocabulary) :],
        )
        intercepts[column] = intercept
    # Rounded as the model file keeps them: a model just trained tags as it will once loaded.
    weights, rule_weights, intercepts = (
        np.round(a, DECIMALS) for a in (weights, rule_weights, intercepts)
    )
    kept = np.abs(weights).max(axis=1) >= KEEP_WEIGHT
    if thresholds is None:
        thresholds = cross_validate(examples, values)[1]
    return ValueModel(
        values=tuple(values),
        vocabulary=[gram for gram, keep in zip(vocabulary, kept, strict=True) if keep],
        weights=weights[kept],
        rule_weights=rule_weights,
        intercepts=intercepts,
        thresholds=thresholds,
        fingerprint=fingerprint,
        info={"examples": len(examples)},
    )


def cross_validate(
    examples: Sequence[Example], values: Sequence[str], folds: int = FOLDS
) -> tuple[list[ValueFigures], dict[str, float]]:
    """Per value: precision, recall and F1 of out-of-fold predictions at the threshold that
    suits them best, and that threshold."""
    probabilities = np.full((len(examples), len(values)), np.nan)
    splitter = KFold(folds, shuffle=True, random_state=0)
    for train_rows, test_rows in splitter.split(np.arange(len(examples))):
        train = [examples[i] for i in train_rows]
        model = fit(train, values, "", thresholds=dict.fromkeys(values, 0.5))
        for row in test_rows:
            probabilities[row] = _probabilities(model, examples[row])
    figures: list[ValueFigures] = []
    best: dict[str, float] = {}
    for column, slug in enumerate(values):
        rows = [i for i, e in enumerate(examples) if slug in e.labels]
        truth = np.array([examples[i].labels[slug] for i in rows], dtype=bool)
        scored = [(_figures(slug, truth, probabilities[rows, column] >= t), t) for t in THRESHOLDS]
        chosen, threshold = max(scored, key=lambda s: (s[0].f1, -abs(s[1] - 0.5)))
        figures.append(chosen)
        best[slug] = float(threshold)
    return figures, best


def _probabilities(model: ValueModel, example: Example) -> np.ndarray:
    row = model.finder.row
    rows = sorted(row[g] for g in example.grams if g in row)
    logits = (
        model.intercepts
        + model.weights[rows].sum(axis=0)
        + np.dot(example.rules, model.rule_weights)
    )
    return 1.0 / (1.0 + np.exp(-logits))


def _figures(slug: str, truth: np.ndarray, predicted: np.ndarray) -> ValueFigures:
    correct = int((truth & predicted).sum())
    precision = correct / predicted.sum() if predicted.sum() else 0.0
    recall = correct / truth.sum() if truth.sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ValueFigures(slug, int(truth.sum()), precision, recall, f1)


def _vocabulary(examples: Sequence[Example]) -> list[str]:
    counts: dict[str, int] = {}
    for example in examples:
        for gram in example.grams:
            counts[gram] = counts.get(gram, 0) + 1
    return sorted(gram for gram, count in counts.items() if count >= MIN_EXAMPLES)


def _matrix(examples: Sequence[Example], vocabulary: list[str]) -> sparse.csr_matrix:
    """Binary n-gram columns, then one column per rule score."""
    column = {gram: i for i, gram in enumerate(vocabulary)}
    indices, indptr = [], [0]
    for example in examples:
        indices.extend(sorted(column[g] for g in example.grams if g in column))
        indptr.append(len(indices))
    grams = sparse.csr_matrix(
        (np.ones(len(indices)), indices, indptr), shape=(len(examples), len(vocabulary))
    )
    rules = sparse.csr_matrix(np.array([e.rules for e in examples], dtype=np.float64))
    return sparse.hstack([grams, rules], format="csr")


def _fit_value(
    matrix: sparse.csr_matrix, examples: Sequence[Example], chosen: list[int], slug: str
) -> tuple[np.ndarray, float]:
    truth = np.array([examples[i].labels[slug] for i in chosen], dtype=bool)
    if truth.all() or not truth.any():
        # One class only: nothing to learn but the prior.
        return np.zeros(matrix.shape[1]), 4.0 if truth.all() else -4.0
    model = LogisticRegression(
        C=REGULARISATION, class_weight="balanced", solver="liblinear", random_state=0
    )
    model.fit(matrix[chosen], truth, sample_weight=[examples[i].weight for i in chosen])
    return model.coef_[0], float(model.intercept_[0])
