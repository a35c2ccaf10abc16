"""Labelled examples the model learns from: the labelled corpora shipped with feedkb, and
the curator's own decisions in ``overrides.yaml``.

The shipped corpora are real outlets' text, which may be used to train but not republished:
the package carries them reduced to what the model reads (each example's n-grams seen in at
least two examples, its rule scores under the packaged rules, its labels), never the text.
"""

import gzip
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from feedkb.errors import ConfigError
from feedkb.learn.features import ngrams, rule_features
from feedkb.model import Item
from feedkb.overrides import Overrides
from feedkb.rules import Rules
from feedkb.tagging import Tagger

BASE_EXAMPLES = Path(__file__).resolve().parent.parent / "defaults" / "examples.json.gz"
CORRECTION_WEIGHT = 2.0  # the curator's word on an item of this knowledge base counts double


@dataclass(frozen=True)
class Example:
    key: str  # where it comes from: an item id or a corpus id
    grams: frozenset[str]
    rules: tuple[float, ...]
    labels: dict[str, bool]  # value -> whether the item has it; unsaid values are absent
    weight: float = 1.0
    lang: str = ""


def example_of(
    key: str,
    title: str,
    summary: str,
    labels: dict[str, bool],
    tagger: Tagger,
    values: Sequence[str],
    *,
    weight: float = 1.0,
    lang: str = "",
) -> Example:
    """An example from an item's text, scored by the rules without any source hint."""
    tagging = tagger.tag_text(title, summary)
    return Example(
        key,
        frozenset(ngrams(title, summary)),
        tuple(rule_features([tagging], tagger.rules, values)[0].tolist()),
        labels,
        weight,
        lang,
    )


def correction_examples(
    items: Iterable[Item], overrides: Overrides, rules: Rules, values: Sequence[str]
) -> list[Example]:
    """The curator's value decisions as examples: ``values`` labels every value, ``add`` and
    ``remove`` label the values they name. Overrides that only hide, pin or retitle teach
    nothing."""
    tagger = Tagger(rules)
    examples = []
    for item in items:
        override = overrides.by_id.get(item.id)
        if override is None:
            continue
        labels = (
            {slug: slug in override.values for slug in values}
            if override.values is not None
            else {}
        )
        labels.update(dict.fromkeys(override.add, True))
        labels.update(dict.fromkeys(override.remove, False))
        if labels:
            examples.append(
                example_of(
                    item.id,
                    override.title or item.title,
                    item.summary,
                    labels,
                    tagger,
                    values,
                    weight=CORRECTION_WEIGHT,
                    lang=item.lang,
                )
            )
    return examples


def labelled_corpus(
    items_path: Path,
    labels_path: Path,
    tagger: Tagger,
    values: Sequence[str],
    *,
    split_path: Path | None = None,
    side: str = "train",
) -> list[Example]:
    """A labelled corpus (JSON Lines items with ``id``, ``title``, ``summary``, and a labels
    file as ``feedkb eval`` reads); with a split file, only the items on ``side``."""
    from feedkb.evaluate import read_corpus, read_labels, read_split  # evaluate imports the kb

    items = {item.id: item for item in read_corpus(items_path)}
    chosen = read_split(split_path, side) if split_path else None
    examples = []
    for label in read_labels(labels_path):
        if chosen is not None and label.key not in chosen:
            continue
        item = items.get(label.key)
        if item is None:
            raise ConfigError.one(labels_path, None, f"no item {label.key!r} in {items_path}")
        truth = {slug: slug in label.values for slug in values}
        examples.append(
            example_of(label.key, item.title, item.summary, truth, tagger, values, lang=item.lang)
        )
    return examples


def save_base(examples: Sequence[Example], values: Sequence[str], path: Path) -> None:
    """The shipped examples reduced to what the model reads: n-grams of at least two
    examples (numbered), rule scores, labels."""
    counts: dict[str, int] = {}
    for example in examples:
        for gram in example.grams:
            counts[gram] = counts.get(gram, 0) + 1
    vocabulary = sorted(gram for gram, count in counts.items() if count >= 2)
    number = {gram: i for i, gram in enumerate(vocabulary)}
    document = {
        "format": 1,
        "values": list(values),
        "vocabulary": vocabulary,
        "examples": [
            {
                "key": e.key,
                "grams": sorted(number[g] for g in e.grams if g in number),
                "rules": [round(r, 4) for r in e.rules],
                "values": [slug for slug in values if e.labels.get(slug)],
                "lang": e.lang,
            }
            for e in examples
        ],
    }
    path.write_bytes(gzip.compress(json.dumps(document, ensure_ascii=False).encode(), mtime=0))


def load_base(path: Path = BASE_EXAMPLES) -> list[Example]:
    document = json.loads(gzip.decompress(path.read_bytes()))
    vocabulary, values = document["vocabulary"], document["values"]
    return [
        Example(
            record["key"],
            frozenset(vocabulary[i] for i in record["grams"]),
            tuple(record["rules"]),
            {slug: slug in record["values"] for slug in values},
            1.0,
            record["lang"],
        )
        for record in document["examples"]
    ]
