"""Fitting a value model on labelled examples, and measuring it by cross-validation.

scikit-learn's logistic regression (liblinear, a fixed seed: the same examples give the same
model) fits one model per value on binary n-gram features plus the rule scores. Each value
learns only from the examples labelled for it, so a correction that adds one value teaches
that value alone. Classes are weighted by their frequency, so a rare value is still given
when its probability reaches one half: thresholds tuned by (ungrouped) cross-validation did
worse on outlets the model had not seen, measured by cross-validation grouped by outlet.
"""

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from feedkb.evaluate import ValueScore
from feedkb.learn.examples import Example
from feedkb.learn.model import DECIMALS, ValueModel

REGULARISATION = 0.3  # liblinear's C: smaller spreads the weight over more n-grams
MIN_EXAMPLES = 2  # an n-gram seen once says more about that item than about a value
FOLDS = 5
THRESHOLD = 0.5
# N-grams whose every weight is smaller change few decisions (cross-validated F1 the same):
# leaving them out makes the model a tenth of the size and finds half the n-grams per item.
KEEP_WEIGHT = 0.1


def fit(
    examples: Sequence[Example],
    values: Sequence[str],
    fingerprint: str,  # of what it learns from: see kbmodel.fingerprint
) -> ValueModel:
    """A model of every value."""
    vocabulary = _vocabulary(examples)
    matrix = _matrix(examples, vocabulary)
    coefficients, intercepts = _fit_values(matrix, examples, range(len(examples)), values)
    weights, rule_weights = coefficients[: len(vocabulary)], coefficients[len(vocabulary) :]
    kept = np.abs(weights).max(axis=1) > 0
    return ValueModel(
        values=tuple(values),
        vocabulary=[gram for gram, keep in zip(vocabulary, kept, strict=True) if keep],
        weights=weights[kept],
        rule_weights=rule_weights,
        intercepts=intercepts,
        thresholds=dict.fromkeys(values, THRESHOLD),
        fingerprint=fingerprint,
        info={"examples": len(examples)},
    )


def cross_validate(
    examples: Sequence[Example], values: Sequence[str], folds: int = FOLDS
) -> list[ValueScore]:
    """Per value: precision, recall and F1 of out-of-fold predictions. The n-grams are those
    of all the examples; those of the held-out fold alone get no weight, being in no training
    row."""
    matrix = _matrix(examples, _vocabulary(examples))
    probabilities = np.full((len(examples), len(values)), np.nan)
    splitter = KFold(folds, shuffle=True, random_state=0)
    for train_rows, test_rows in splitter.split(np.arange(len(examples))):
        coefficients, intercepts = _fit_values(matrix, examples, train_rows, values)
        logits = matrix[test_rows] @ coefficients + intercepts
        probabilities[test_rows] = 1.0 / (1.0 + np.exp(-logits))
    figures = []
    for column, slug in enumerate(values):
        rows = [i for i, e in enumerate(examples) if slug in e.labels]
        truth = np.array([examples[i].labels[slug] for i in rows], dtype=bool)
        figures.append(_score(slug, truth, probabilities[rows, column] >= THRESHOLD))
    return figures


def _fit_values(
    matrix: sparse.csr_matrix,
    examples: Sequence[Example],
    rows: Sequence[int],
    values: Sequence[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Every value's coefficients (a column each: n-grams, then rule scores) and intercepts,
    learned from ``rows``; rounded as the model file keeps them, so a model just trained tags
    as it will once loaded, and n-grams whose every weight is small left at zero."""
    coefficients = np.zeros((matrix.shape[1], len(values)))
    intercepts = np.zeros(len(values))
    for column, slug in enumerate(values):
        chosen = [i for i in rows if slug in examples[i].labels]
        coefficients[:, column], intercepts[column] = _fit_value(matrix, examples, chosen, slug)
    coefficients, intercepts = np.round(coefficients, DECIMALS), np.round(intercepts, DECIMALS)
    grams = matrix.shape[1] - len(values)
    small = np.abs(coefficients[:grams]).max(axis=1) < KEEP_WEIGHT
    coefficients[:grams][small] = 0.0
    return coefficients, intercepts


def _score(slug: str, truth: np.ndarray, predicted: np.ndarray) -> ValueScore:
    return ValueScore(slug, int(truth.sum()), int(predicted.sum()), int((truth & predicted).sum()))


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
    # The dual problem is the smaller one while n-grams outnumber examples: a third of the time.
    model = LogisticRegression(
        C=REGULARISATION, class_weight="balanced", solver="liblinear", dual=True, random_state=0
    )
    model.fit(matrix[chosen], truth, sample_weight=[examples[i].weight for i in chosen])
    return model.coef_[0], float(model.intercept_[0])
