"""The learned layer: judged on real items nobody tuned on, learning from labels and from the
curator's corrections, explaining itself, and ranking the review queue by uncertainty."""

import json
import math
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedkb.evaluate import ValueScore, macro_f1, read_split
from feedkb.kb import load_kb
from feedkb.learn.examples import Example, load_base
from feedkb.learn.features import NgramFinder, ngrams, rule_features
from feedkb.learn.model import DEFAULT_MODEL, ValueModel, load_model
from feedkb.learn.train import fit
from feedkb.review import review_queue
from feedkb.rules import load_rules
from feedkb.tagging import Tagger
from feedkb.values import VALUE_SLUGS
from tests.conftest import REPO, rss, run, write_sources

REAL = REPO / "tests" / "data" / "real-news"


def test_no_item_of_the_real_test_split_is_learned_from() -> None:
    test_ids = read_split(REAL / "split.tsv", "test")
    assert len(test_ids) >= 200
    keys = {example.key for example in load_base()}
    assert keys and not keys & test_ids


def test_real_test_split(curation: Path) -> None:
    """`feedkb eval` on the frozen real test split, without source hints (see the README's
    "Tagging quality": the issue's targets are higher than these floors)."""
    result = run(
        curation,
        "eval",
        str(REAL / "labels.tsv"),
        "--items",
        str(REAL / "items.jsonl"),
        "--split",
        str(REAL / "split.tsv"),
        "--format",
        "json",
    )
    report = json.loads(result.stdout)
    assert report["matched"] == 222 and not report["missing"]
    assert report["macro_f1"] >= 0.65, report
    assert report["languages"]["zh"]["macro_f1"] >= 0.70
    assert report["languages"]["en"]["macro_f1"] >= 0.46
    deals = report["deals"]
    assert deals["company_precision"] >= 0.9, deals
    assert deals["round_right_where_company_right"] >= 0.9 * deals["company_right"]


def _macro_f1(model: ValueModel, examples: list[Example]) -> float:
    """The model's macro-F1 on examples (which carry n-grams, not text)."""
    scores = []
    for column, slug in enumerate(model.values):
        truth = [e.labels[slug] for e in examples]
        predicted = []
        for e in examples:
            rows = [model.finder.row[g] for g in e.grams if g in model.finder.row]
            logit = model.intercepts[column] + model.weights[rows, column].sum()
            logit += sum(r * w for r, w in zip(e.rules, model.rule_weights[:, column], strict=True))
            predicted.append(1 / (1 + math.exp(-logit)) >= model.thresholds[slug])
        correct = sum(t and p for t, p in zip(truth, predicted, strict=True))
        scores.append(ValueScore(slug, sum(truth), sum(predicted), correct))
    return macro_f1(scores)


WRITTEN_ENGLISH = "we-"
STARTUP_NEWS = {
    "TechCrunch",
    "VentureBeat",
    "The Verge",
    "Wired",
    "Business Insider",
    "Reuters",
    "CNBC",
    "MIT Technology Review",
    "IEEE Spectrum",
}


def test_fifty_labelled_items_of_a_new_domain_teach_it() -> None:
    """English startup and tech news: a model that never saw these outlets, then the same
    with 50 of their labelled items, each judged on the outlets' other items. Ten draws of
    the 50 (23 items are left to judge on, so one draw says little), all from the train side:
    the test split stays for reporting (README, "Tagging quality")."""
    outlet = {
        record["id"]: record["outlet"]
        for record in map(json.loads, (REAL / "items.jsonl").open(encoding="utf-8"))
    }
    domain = [e for e in load_base() if outlet.get(e.key) in STARTUP_NEWS]
    # The English items written for training are startup and tech news too: left out with
    # the domain, so that "before" has never seen it.
    others = [
        e
        for e in load_base()
        if outlet.get(e.key) not in STARTUP_NEWS and not e.key.startswith(WRITTEN_ENGLISH)
    ]
    assert len(domain) >= 70

    before_model = fit(others, VALUE_SLUGS, "")
    gains = []
    for seed in range(10):
        drawn = random.Random(seed).sample(domain, len(domain))
        held = drawn[50:]
        after_model = fit(others + drawn[:50], VALUE_SLUGS, "")
        gains.append(_macro_f1(after_model, held) - _macro_f1(before_model, held))
    assert sum(gains) / len(gains) >= 0.08, gains  # measured: +0.114


def test_training_is_deterministic_and_prints_cross_validated_figures(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    shutil.copytree(REPO / "curation", folder, ignore=shutil.ignore_patterns("items", "state"))
    first = run(folder, "train")
    assert first.exit_code == 0, first.output
    for slug in VALUE_SLUGS:
        assert slug in first.output
    assert "cross-validated (5 folds)" in first.output and "macro-F1" in first.output
    model = (folder / "model.json").read_bytes()
    run(folder, "train")
    assert (folder / "model.json").read_bytes() == model


def _corrections_kb(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir()
    shutil.copy(REPO / "curation" / "rules.yaml", folder / "rules.yaml")
    entries = [
        {"title": f"岭南茶话会第{n}期：{topic}", "link": f"http://e.com/{n}"}
        for n, topic in enumerate(["茶山", "节气", "器物", "水源", "焙火", "茶席", "冲泡", "陈化"])
    ]
    entries.append({"title": "岭南茶话会第九期：茶人", "link": "http://e.com/9"})
    feed = tmp_path / "tea.xml"
    feed.write_bytes(rss(entries))
    write_sources(folder, [{"id": "tea", "url": str(feed)}])
    assert run(folder, "fetch").exit_code == 0
    return folder


def test_the_curators_corrections_change_the_next_build(tmp_path: Path) -> None:
    folder = _corrections_kb(tmp_path)
    kb = load_kb(folder)
    unseen = next(e for e in kb.entries.values() if "第九期" in e.item.title)
    before = kb.prediction(unseen).probabilities["resource"]
    assert "resource" not in unseen.values
    for entry in kb.entries.values():
        if entry is not unseen:
            assert run(folder, "override", entry.id, "--set", "resource").exit_code == 0
    messages: list[str] = []
    kb = load_kb(folder, notify=messages.append)
    assert messages and "8 corrections" in messages[0]
    assert (folder / "model.json").exists()
    after = kb.entries[unseen.id]
    assert kb.prediction(after).probabilities["resource"] > before + 0.2
    assert "resource" in after.values
    # Trained once: the next load finds the model fits and says nothing.
    messages.clear()
    load_kb(folder, notify=messages.append)
    assert not messages
    stale = run(folder, "train", "--if-stale")
    assert stale.exit_code == 0 and "training" not in stale.stderr


def test_a_model_that_cannot_be_kept_still_tags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _corrections_kb(tmp_path)
    [entry_id, *_] = load_kb(folder).entries

    def read_only(_model: ValueModel, path: Path) -> None:  # as on a read-only checkout
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(ValueModel, "save", read_only)
    assert run(folder, "override", entry_id, "--set", "resource").exit_code == 0
    messages: list[str] = []
    kb = load_kb(folder, notify=messages.append)
    assert kb.entries[entry_id].values == ["resource"]
    assert any("could not keep the model" in m for m in messages)
    failed = run(folder, "train")
    assert failed.exit_code == 2 and "could not write the model" in failed.stderr


def test_explain_names_the_strongest_model_features(tmp_path: Path) -> None:
    folder = _corrections_kb(tmp_path)
    [entry_id] = [e.id for e in load_kb(folder).entries.values() if "第九期" in e.item.title]
    text = run(folder, "explain", entry_id).output
    assert "model: probability" in text and "strongest features" in text
    assert "rules: score" in text


def test_review_ranks_the_most_uncertain_first(tmp_path: Path) -> None:
    folder = _corrections_kb(tmp_path)
    kb = load_kb(folder)
    queue = review_queue(kb, None)
    assert queue
    ranks = [row.uncertainty for row in queue]
    assert ranks == sorted(ranks, reverse=True)
    assert "model probability" in queue[0].reason


def test_a_damaged_model_file_is_named(tmp_path: Path) -> None:
    folder = _corrections_kb(tmp_path)
    (folder / "model.json").write_text("{not json", encoding="utf-8")
    for command in ("items", "doctor"):
        result = run(folder, command)
        assert result.exit_code == 2
        assert "model.json: not a feedkb model" in result.stderr and "feedkb train" in result.stderr


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="融资收购发布 AIai raise,$ 1轮", max_size=30), st.text(max_size=30))
def test_the_automaton_finds_exactly_the_vocabularys_ngrams(title: str, summary: str) -> None:
    vocabulary = sorted(ngrams("融资 raises $1 收购发布", "ai轮 a"))
    finder = NgramFinder(vocabulary)
    found = {vocabulary[r] for r in finder.rows(title, summary)}
    assert found == ngrams(title, summary) & set(vocabulary)


def test_the_packaged_model_loads_and_predicts() -> None:
    model = load_model(DEFAULT_MODEL)
    rules = load_rules(DEFAULT_MODEL.parent)
    tagging = Tagger(rules).tag_text("某公司完成A轮融资", "")
    [features] = rule_features([tagging], rules, model.values)
    prediction = model.predict("某公司完成A轮融资", "", features)
    assert "deal" in prediction.values


def test_the_packaged_model_and_examples_are_small() -> None:
    assert DEFAULT_MODEL.stat().st_size < 2_000_000
    assert (DEFAULT_MODEL.parent / "examples.json.gz").stat().st_size < 500_000
