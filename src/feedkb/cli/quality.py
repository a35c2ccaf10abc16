"""How good the tagger is, and making it better: ``feedkb eval`` and ``feedkb train``."""

from pathlib import Path

import click
import orjson

from feedkb.ai.cache import EVAL_DIR, AiCache
from feedkb.ai.config import AI_FILE, load_ai_config
from feedkb.ai.run import ask_about
from feedkb.cli.base import (
    Context,
    cli,
    err,
    fail,
    note,
    out,
    progress_bar,
    table,
    user_errors,
    with_curation,
)
from feedkb.evaluate import (
    EvalReport,
    ValueScore,
    evaluate,
    macro_f1,
    read_corpus,
    read_labels,
    read_split,
)
from feedkb.kb import KnowledgeBase, ai_judgments, corpus_kb, load_kb
from feedkb.learn.kbmodel import model_for, train_knowledge_base
from feedkb.overrides import load_overrides
from feedkb.rules import load_rules
from feedkb.store import Store
from feedkb.values import VALUE_LABELS


@cli.command("eval")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--items",
    "corpus",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Evaluate on the items of this JSON Lines corpus instead of the store's.",
)
@click.option(
    "--split",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A split file (id TAB side): only the labelled items on --side count.",
)
@click.option("--side", default="test", show_default=True, help="The side of --split to use.")
@click.option(
    "--errors", "show_errors", is_flag=True, help="Also list every item the tagger got wrong."
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--ai",
    "with_ai",
    is_flag=True,
    help="Score the AI model of ai.yaml instead: ask it about the labelled --items "
    "(answers kept in curation/ai-eval/) and use its values.",
)
@with_curation
def eval_command(
    ctx: Context,
    labels: Path,
    corpus: Path | None,
    split: Path | None,
    side: str,
    show_errors: bool,
    fmt: str,
    with_ai: bool,
) -> None:
    """Precision, recall and F1 per value of the tagger (model and rules, no overrides)
    against a labelled TSV file, in all and per language, and deal extraction."""
    with user_errors():
        chosen = read_labels(labels)
        if split:
            side_ids = read_split(split, side)
            chosen = [label for label in chosen if label.key in side_ids]
        if with_ai:
            kb = _ai_corpus_kb(ctx, corpus, {label.key for label in chosen})
        elif corpus:
            kb = corpus_kb(ctx.curation, read_corpus(corpus), note)
        else:
            kb = load_kb(ctx.curation, note)
        report = evaluate(kb, chosen)
    if not report.matched:
        fail(
            f"none of the {len(report.missing)} labelled items is in the store "
            f"(fetch their feeds first, or give --items)"
        )
    if fmt == "json":
        click.echo(orjson.dumps(_eval_record(report), option=orjson.OPT_INDENT_2).decode())
        return
    tagger = "AI model" if with_ai else "model and rules" if kb.model else "rules"
    numbers = ("labelled", "predicted", "correct", "precision", "recall", "F1")
    shown = table(
        f"{tagger}: {report.matched} labelled items, macro-F1 {report.macro_f1:.3f}",
        ["value", *numbers],
        right=numbers,
    )
    for s in report.scores:
        shown.add_row(
            f"{s.slug} {VALUE_LABELS[s.slug]}",
            str(s.labelled),
            str(s.predicted),
            str(s.correct),
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
        )
    out.print(shown, markup=False)
    for language, scores in sorted(report.by_language.items()):
        out.print(
            f"{language}: macro-F1 {macro_f1(scores):.3f} over "
            f"{report.items_by_language[language]} items",
            markup=False,
        )
    d = report.deals
    if d.labelled:
        out.print(
            f"deals: {d.labelled} labelled, {d.named} with a company; company given for "
            f"{d.given}, right {d.company_right} (precision {d.company_precision:.3f}, recall "
            f"{d.company_recall:.3f}); round right where the company is: {d.round_right}/"
            f"{d.company_right}",
            markup=False,
        )
    if report.missing:
        err.print(f"{len(report.missing)} labelled items are not in the store", markup=False)
    if show_errors:
        for m in report.mistakes:
            out.print(
                f"{m.entry.id} expected [{','.join(sorted(m.expected))}] got "
                f"[{','.join(sorted(m.got))}] {m.entry.title}",
                markup=False,
                highlight=False,
            )


@cli.command()
@click.option(
    "--if-stale",
    is_flag=True,
    help="Only when the model does not fit your corrections yet, and without figures "
    "(for CI, before committing curation/model.json).",
)
@with_curation
def train(ctx: Context, if_stale: bool) -> None:
    """Train the value model on the labelled examples shipped with feedkb and your corrections
    (overrides.yaml) into curation/model.json; print its cross-validated P/R/F1 per value.

    Builds do this by themselves when your corrections changed since the last training.
    """
    from feedkb.learn.train import FOLDS  # scikit-learn loads only for training

    with user_errors():
        rules = load_rules(ctx.curation, note)
        overrides = load_overrides(ctx.curation)
        items = Store(ctx.curation).load_items()
        if if_stale:
            model_for(ctx.curation, rules, overrides, items, note)
            out.print("the value model fits your corrections", markup=False)
            return
        training = train_knowledge_base(ctx.curation, rules, overrides, items)
    if training.unsaved:
        fail(f"could not write the model: {training.unsaved}")
    figures = training.figures
    numbers = ("labelled", "precision", "recall", "F1")
    shown = table(
        f"cross-validated ({FOLDS} folds) on {training.examples} examples, "
        f"{training.corrections} of them your corrections: macro-F1 "
        f"{macro_f1(figures):.3f}",
        ["value", *numbers],
        right=numbers,
    )
    for f in figures:
        shown.add_row(
            f"{f.slug} {VALUE_LABELS[f.slug]}",
            str(f.labelled),
            f"{f.precision:.3f}",
            f"{f.recall:.3f}",
            f"{f.f1:.3f}",
        )
    out.print(shown, markup=False)
    path = ctx.curation / "model.json"
    out.print(
        f"{len(training.model.vocabulary)} n-gram features; trained in {training.seconds:.1f} s; "
        f"saved to {path} ({path.stat().st_size / 1e6:.1f} MB)",
        markup=False,
    )


def _ai_corpus_kb(ctx: Context, corpus: Path | None, keys: set[str]) -> KnowledgeBase:
    """The labelled corpus items judged by the AI model (asked about those not answered yet);
    items it could not answer keep the tagger's values, as the note says."""
    config = load_ai_config(ctx.curation)
    if config is None:
        fail(f"--ai needs {ctx.curation / AI_FILE} naming the endpoint and model")
    if corpus is None:
        fail("--ai needs --items: the labelled corpus to ask the model about")
    assert config is not None and corpus is not None
    items = [item for item in read_corpus(corpus) if item.id in keys or item.guid in keys]
    cache = AiCache(ctx.curation, EVAL_DIR)
    with progress_bar("asking", min(len(items), config.max_items)) as advance:
        report = ask_about(ctx.curation, config, items, {}, on_done=advance, cache=cache)
    note(report.summary())
    judgments = ai_judgments(cache, config)
    note(f"the AI model answered {sum(i.id in judgments for i in items)} of {len(items)} items")
    return corpus_kb(ctx.curation, items, note, ai=judgments)


def _eval_record(report: EvalReport) -> dict:
    return {
        "matched": report.matched,
        "missing": report.missing,
        "macro_f1": round(report.macro_f1, 4),
        "values": _value_records(report.scores),
        "languages": {
            language: {"macro_f1": round(macro_f1(scores), 4), "values": _value_records(scores)}
            for language, scores in sorted(report.by_language.items())
        },
        "deals": {
            "labelled": report.deals.labelled,
            "with_company": report.deals.named,
            "company_given": report.deals.given,
            "company_right": report.deals.company_right,
            "company_precision": round(report.deals.company_precision, 4),
            "company_recall": round(report.deals.company_recall, 4),
            "round_right_where_company_right": report.deals.round_right,
        },
    }


def _value_records(scores: list[ValueScore]) -> dict:
    return {
        s.slug: {
            "labelled": s.labelled,
            "predicted": s.predicted,
            "correct": s.correct,
            "precision": round(s.precision, 4),
            "recall": round(s.recall, 4),
            "f1": round(s.f1, 4),
        }
        for s in scores
    }
