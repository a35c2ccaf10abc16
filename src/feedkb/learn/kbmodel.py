"""Which model a knowledge base tags with, trained again when what it learns from changed.

A model records a fingerprint of what it was trained on: the curator's corrections and the
rules that scored them. While they are unchanged the knowledge base's own
``curation/model.json`` (or, without corrections, the packaged model) is used as it is;
after a correction the next load trains a new one in seconds and keeps it in
``curation/model.json``, so the next build reflects the change.
"""

import functools
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from feedkb.learn.examples import BASE_EXAMPLES, Example, correction_examples, load_base
from feedkb.learn.model import DEFAULT_MODEL, MODEL_FILE, ValueModel, load_model
from feedkb.model import Item
from feedkb.overrides import Overrides
from feedkb.rules import Rules
from feedkb.values import VALUE_SLUGS

if TYPE_CHECKING:  # evaluate imports the knowledge base, which imports this module
    from feedkb.evaluate import ValueScore


@dataclass
class Training:
    model: ValueModel
    examples: int
    corrections: int
    seconds: float
    figures: "list[ValueScore]"
    unsaved: str = ""  # why the model file could not be written, if it could not


def rules_signature(rules: Rules) -> str:
    """What in the rules changes a score (not labels or descriptions)."""
    return json.dumps(
        [
            rules.title_weight,
            [
                [slug, tag.threshold, tag.source_hint]
                + [[t.text, t.weight, t.regex is not None] for t in tag.terms]
                + [["-", t.text, t.weight, t.regex is not None] for t in tag.negative]
                for slug, tag in sorted(rules.tags.items())
            ],
        ],
        ensure_ascii=False,
    )


def fingerprint(examples: Sequence[Example], context: str) -> str:
    """What a model was trained from: the examples' labels, and ``context``."""
    digest = hashlib.sha256(context.encode())
    for example in sorted(examples, key=lambda e: e.key):
        digest.update(json.dumps([example.key, example.labels, example.weight]).encode())
    return digest.hexdigest()[:16]


def wanted_fingerprint(corrections: Sequence[Example], rules: Rules) -> str:
    """Without corrections the shipped examples alone are learned from: the packaged model
    serves whatever the rules (their scores are features read as items are tagged). The
    corrections are scored by the current rules, so with them a rule change retrains."""
    return fingerprint(
        corrections, f"{rules_signature(rules) if corrections else ''}|{_base_version()}"
    )


@functools.cache
def _base_version() -> str:
    return hashlib.sha256(BASE_EXAMPLES.read_bytes()).hexdigest()[:16]


def model_for(
    curation_dir: Path,
    rules: Rules,
    overrides: Overrides,
    items: Iterable[Item],
    notify: Callable[[str], None] = lambda _message: None,
) -> ValueModel:
    """The model that fits this knowledge base's corrections and rules, trained if none does."""
    corrections = correction_examples(items, overrides, rules, VALUE_SLUGS)
    wanted = wanted_fingerprint(corrections, rules)
    path = curation_dir / MODEL_FILE
    for candidate in (path, DEFAULT_MODEL):
        if candidate.exists():
            model = load_model(candidate)
            if model.fingerprint == wanted:
                return model
    notify(
        f"training the value model on your {len(corrections)} corrections and the shipped "
        f"examples; it goes to {path}"
    )
    training = train(curation_dir, corrections, wanted, cross_validated=False)
    if training.unsaved:
        notify(f"could not keep the model ({training.unsaved}): it is trained again next time")
    return training.model


def train_knowledge_base(
    curation_dir: Path, rules: Rules, overrides: Overrides, items: Iterable[Item]
) -> Training:
    """``feedkb train``: a model from the shipped examples and the curator's corrections,
    with cross-validated figures."""
    corrections = correction_examples(items, overrides, rules, VALUE_SLUGS)
    return train(curation_dir, corrections, wanted_fingerprint(corrections, rules))


def train(
    curation_dir: Path, corrections: list[Example], wanted: str, *, cross_validated: bool = True
) -> Training:
    """Fit on the shipped examples and the corrections and keep the model in
    ``curation_dir``; cross-validated figures only when asked (a build needs none)."""
    from feedkb.learn.train import cross_validate, fit

    started = time.perf_counter()
    examples = load_base() + corrections
    figures = cross_validate(examples, VALUE_SLUGS) if cross_validated else []
    model = fit(examples, VALUE_SLUGS, wanted)
    model.info["corrections"] = len(corrections)
    try:
        model.save(curation_dir / MODEL_FILE)
        unsaved = ""
    except OSError as exc:  # a read-only checkout still builds, with the model in memory
        unsaved = f"{curation_dir / MODEL_FILE}: {exc.strerror or exc}"
    return Training(
        model,
        len(examples),
        len(corrections),
        time.perf_counter() - started,
        figures,
        unsaved,
    )
