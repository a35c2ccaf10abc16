"""Commands that read and correct the knowledge base: items, explain, override, review,
companies, digest, doctor."""

import csv
import io
import sys

import click
import orjson

from feedkb.ai.judgment import DealFields, Judgment
from feedkb.cli.base import (
    EXIT_CONFIG,
    Context,
    cli,
    err,
    find,
    minute,
    out,
    table,
    user_errors,
    with_curation,
)
from feedkb.deals import Deal
from feedkb.digest import build_digest, digest_markdown, digest_text, latest_week
from feedkb.doctor import check
from feedkb.kb import Entry, KnowledgeBase
from feedkb.learn.features import rule_features
from feedkb.learn.model import Prediction
from feedkb.overrides import Override, OverrideEdit, edit_override
from feedkb.query import parse_since, select_entries
from feedkb.review import default_since, review_queue
from feedkb.site.localtime import DEFAULT_TIMEZONE, LocalTime
from feedkb.values import VALUE_LABELS, VALUE_SLUGS


@cli.command()
@click.option("--source", "source_ids", multiple=True, metavar="ID", help="Repeatable.")
@click.option("--since", help="Only items published on or after this date (YYYY-MM-DD).")
@click.option(
    "--value",
    type=click.Choice(VALUE_SLUGS),
    help="Only items with this value tag: "
    + ", ".join(f"{k} {v}" for k, v in VALUE_LABELS.items()),
)
@click.option(
    "--visible", is_flag=True, help="Only what members see: no hidden items, one item per story."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option("--limit", type=click.IntRange(min=0), help="At most this many, newest first.")
@with_curation
def items(
    ctx: Context,
    source_ids: tuple[str, ...],
    since: str | None,
    value: str | None,
    visible: bool,
    fmt: str,
    limit: int | None,
) -> None:
    """List stored items with their values, newest first."""
    try:
        since_key = parse_since(since) if since else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    kb = ctx.kb()
    chosen = select_entries(
        kb.entries.values(),
        source_ids=source_ids,
        since=since_key,
        value=value,
        visible_only=visible,
        limit=limit,
    )
    if fmt == "json":
        records = [_with_probabilities(kb, e) for e in chosen]
        click.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
    elif fmt == "csv":
        click.echo(_csv([e.to_dict() for e in chosen]), nl=False)
    else:
        _print_items_table(chosen)


def _with_probabilities(kb: KnowledgeBase, entry: Entry) -> dict:
    prediction = kb.prediction(entry)
    return {**entry.to_dict(), "probabilities": prediction.probabilities if prediction else None}


def _csv(records: list[dict]) -> str:
    buffer = io.StringIO()
    if records:
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]))
        writer.writeheader()
        for record in records:
            writer.writerow({k: _csv_cell(v) for k, v in record.items()})
    return buffer.getvalue()


def _csv_cell(value: object) -> object:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode() if value else ""
    return value


def _print_items_table(chosen: list[Entry]) -> None:
    shown = table(
        f"{len(chosen)} items",
        ["published", "source", "values", "title", "id"],
        ("published", "source", "id"),
    )
    for e in chosen:
        flags = " [hidden]" if e.hidden else " [dup]" if e.duplicate_of else ""
        shown.add_row(
            minute(e.item.published),
            e.item.source,
            ", ".join(e.values),
            e.title + flags,
            e.id,
        )
    out.print(shown, markup=False)


@cli.command()
@click.argument("item_id", metavar="ITEM_ID")
@with_curation
def explain(ctx: Context, item_id: str) -> None:
    """Why an item has (or has not) each value: the model's probabilities and strongest
    features, the rules' scores and matched terms, hints, overrides."""
    kb = ctx.kb()
    entry = find(kb, item_id)
    item = entry.item
    out.print(f"[bold]{entry.title}[/]", highlight=False)
    if entry.override.title:
        out.print(f"  original title: {item.title}", markup=False)
    for label, value in (
        ("id", item.id),
        ("source", item.source),
        ("published", item.published),
        ("url", item.url or "-"),
        ("guid", item.guid or "-"),
        ("summary", item.summary or "-"),
    ):
        out.print(f"  {label}: {value}", markup=False, highlight=False)
    out.print(f"values: {', '.join(entry.values) or 'none'}", markup=False)
    for slug, rule in kb.rules.tags.items():
        out.print(f"\n{slug} {rule.label}:", markup=False, highlight=False)
        if prediction := kb.prediction(entry):
            _explain_model(kb, entry, prediction, slug)
        if entry.ai:
            out.print(f"  AI: {_ai_verdict(entry.ai, slug)}", markup=False, highlight=False)
        score = entry.scores.get(slug, 0)
        verdict = "yes" if slug in entry.tagging.values else "no"
        out.print(
            f"  rules: score {score:g}, threshold {rule.threshold:g} -> {verdict}",
            markup=False,
            highlight=False,
        )
        for m in entry.evidence.get(slug, []):
            out.print(f"    {m.weight:+g}  {m.term} ({m.where})", markup=False, highlight=False)
    if entry.override.to_dict():
        out.print(f"override: {_describe_override(entry.override)}", markup=False, highlight=False)
    if entry.deal:
        out.print(f"deal: {_describe_deal(entry.deal)}", markup=False, highlight=False)
    if entry.ai:
        out.print(f"AI takeaway (解读): {entry.ai.takeaway}", markup=False, highlight=False)
        if told := entry.ai.deal:
            out.print(f"AI deal: {_describe_told_deal(told)}", markup=False, highlight=False)
    if entry.companies:
        out.print(f"companies: {', '.join(entry.companies)}", markup=False)
    if entry.duplicate_of:
        out.print(f"same story as {entry.duplicate_of} (shown there)", markup=False)
    if entry.also_covered_by:
        out.print(f"also covered by: {', '.join(entry.also_covered_by)}", markup=False)


def _describe_override(override: Override) -> str:
    parts = []
    if override.values is not None:
        parts.append(f"values set to {', '.join(override.values) or 'none'}")
    if override.add:
        parts.append(f"adds {', '.join(override.add)}")
    if override.remove:
        parts.append(f"removes {', '.join(override.remove)}")
    parts += [flag for flag, on in (("hidden", override.hide), ("pinned", override.pin)) if on]
    if override.title:
        parts.append(f"title “{override.title}”")
    if override.note:
        parts.append(f"note “{override.note}”")
    return "; ".join(parts)


def _describe_deal(deal: Deal) -> str:
    parts = [
        f"company {deal.company or 'not named'}",
        f"round {deal.round or 'not said'}",
        f"amount {deal.amount.text if deal.amount else 'not said'}",
    ]
    if lead := deal.investors.get("lead"):
        parts.append(f"led by {', '.join(lead)}")
    if others := deal.investors.get("others"):
        parts.append(f"with {', '.join(others)}")
    return "; ".join(parts)


def _ai_verdict(judgment: Judgment, slug: str) -> str:
    judged = judgment.judged(slug)
    if judged is None:
        return "not given (not considered)"
    verdict = "given" if slug in judgment.given else "not given"
    reason = f": {judged.reason}" if judged.reason else ""
    return f"{verdict}, confidence {judged.confidence:.2f}{reason}"


def _describe_told_deal(told: DealFields) -> str:
    parts = [
        f"{name} {value}"
        for name, value in (
            ("company", told.company),
            ("round", told.round),
            ("amount", told.amount),
        )
        if value
    ]
    if told.investors:
        parts.append(f"investors {', '.join(told.investors)}")
    return "; ".join(parts) or "no details"


def _explain_model(kb: KnowledgeBase, entry: Entry, prediction: Prediction, slug: str) -> None:
    assert kb.model
    probability = prediction.probabilities[slug]
    threshold = kb.model.thresholds[slug]
    verdict = "yes" if slug in prediction.values else "no"
    out.print(
        f"  model: probability {probability:.2f}, threshold {threshold:.2f} -> {verdict}; "
        "strongest features:",
        markup=False,
        highlight=False,
    )
    [features] = rule_features([entry.tagging], kb.rules, kb.model.values)
    for feature, weight in kb.model.strongest(entry.item.title, entry.item.summary, features, slug):
        out.print(f"    {weight:+.2f}  “{feature}”", markup=False, highlight=False)


@cli.command()
@click.argument("item_id", metavar="ITEM_ID")
@click.option(
    "--add",
    "add",
    multiple=True,
    type=click.Choice(VALUE_SLUGS),
    help="Give the item this value (repeatable).",
)
@click.option(
    "--remove",
    "remove",
    multiple=True,
    type=click.Choice(VALUE_SLUGS),
    help="Take this value away (repeatable).",
)
@click.option(
    "--set",
    "set_values",
    multiple=True,
    type=click.Choice(VALUE_SLUGS),
    help="Replace the computed values with these (repeatable).",
)
@click.option("--no-values", is_flag=True, help="The item has no value, whatever the rules say.")
@click.option("--hide/--show", default=None, help="Hide the item everywhere, or show it again.")
@click.option("--pin/--unpin", default=None, help="Pin the item first on the home page.")
@click.option("--note", help="A curator's note shown with the item ('' removes it).")
@click.option("--title", help="A corrected title ('' goes back to the feed's).")
@click.option("--clear", is_flag=True, help="Forget every override of this item first.")
@with_curation
def override(
    ctx: Context,
    item_id: str,
    add: tuple[str, ...],
    remove: tuple[str, ...],
    set_values: tuple[str, ...],
    no_values: bool,
    hide: bool | None,
    pin: bool | None,
    note: str | None,
    title: str | None,
    clear: bool,
) -> None:
    """Correct the tagger on one item; the change goes to curation/overrides.yaml."""
    kb = ctx.kb()
    entry = find(kb, item_id)
    values = () if no_values else set_values or None
    edit = OverrideEdit(
        add=add,
        remove=remove,
        values=values,
        hide=hide,
        pin=pin,
        note=note,
        title=title,
        clear=clear,
    )
    with user_errors():
        result = edit_override(ctx.curation, entry.id, edit)
    final = result.apply(entry.computed_values)
    out.print(
        f"{entry.id}: values {', '.join(final) or 'none'}"
        f"{' (hidden)' if result.hide else ''}{' (pinned)' if result.pin else ''}",
        markup=False,
    )


@cli.command()
@click.option(
    "--since",
    help="Only items published on or after this date (default: two weeks before the newest item).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "md"]), default="table", show_default=True
)
@with_curation
def review(ctx: Context, since: str | None, fmt: str) -> None:
    """Recent items the tagger was unsure about, the most uncertain first, with the reason."""
    kb = ctx.kb()
    try:
        since_key = parse_since(since) if since else default_since(kb)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    queue = review_queue(kb, since_key)
    if fmt == "md":
        click.echo(f"# Review queue: {len(queue)} items since {since_key}\n")
        for row in queue:
            e = row.entry
            click.echo(
                f"- [ ] `{e.id}` {e.item.published[:10]} **{e.title}** "
                f"({', '.join(e.values) or 'no value'}): {row.reason}"
            )
        return
    shown = table(
        f"review: {len(queue)} items since {since_key}",
        ["id", "published", "title", "values", "why unsure"],
        ("id", "published"),
    )
    for row in queue:
        e = row.entry
        shown.add_row(e.id, e.item.published[:10], e.title, ", ".join(e.values), row.reason)
    out.print(shown, markup=False)
    if queue:
        err.print(
            "settle one with: feedkb override ID --add VALUE | --remove VALUE | --no-values",
            markup=False,
        )


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@with_curation
def companies(ctx: Context, fmt: str) -> None:
    """The company directory: companies named in lead and deal items, with their items."""
    kb = ctx.kb()
    directory = kb.companies()
    if fmt == "json":
        records = [
            {
                "name": c.name,
                "key": c.key,
                "items": [_company_item(kb.entries[i]) for i in c.item_ids],
            }
            for c in directory
        ]
        click.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
        return
    shown = table(f"{len(directory)} companies", ["company", "items", "latest"], right=("items",))
    for company in directory:
        latest = kb.entries[company.item_ids[0]]
        shown.add_row(
            company.name, str(len(company.item_ids)), f"{latest.item.published[:10]} {latest.title}"
        )
    out.print(shown, markup=False)


def _company_item(entry: Entry) -> dict:
    return {
        "id": entry.id,
        "title": entry.title,
        "url": entry.item.url,
        "published": entry.item.published,
        "values": entry.values,
    }


@cli.command()
@with_curation
def doctor(ctx: Context) -> None:
    """Check sources, rules, overrides and the store together; report every problem."""
    checkup = check(ctx.curation)
    for problem in checkup.problems:
        err.print(f"[bold red]error:[/] {problem}", highlight=False)
    for warning in checkup.warnings:
        err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if checkup.problems:
        sys.exit(EXIT_CONFIG)
    out.print(
        f"{ctx.curation}: no problems found"
        f"{f' ({len(checkup.warnings)} warnings)' if checkup.warnings else ''}"
    )


@cli.command()
@click.option("--week", help="ISO week, e.g. 2026-W47 (default: the newest item's week).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "text"]),
    default="md",
    show_default=True,
    help="md for the site or a document; text for a chat group.",
)
@click.option("--per-value", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option(
    "--timezone",
    "zone",
    default=DEFAULT_TIMEZONE,
    show_default=True,
    envvar="FEEDKB_TIMEZONE",
    help="The time zone whose days the weeks are cut by, as the site's. Env: FEEDKB_TIMEZONE.",
)
@with_curation
def digest(ctx: Context, week: str | None, fmt: str, per_value: int, zone: str) -> None:
    """The week's best items per value."""
    try:
        day = LocalTime(zone).day
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--timezone") from None
    kb = ctx.kb()
    try:
        weekly = build_digest(kb, week or latest_week(kb, day), per_value, day=day)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    text = digest_markdown(weekly, kb.source_title) if fmt == "md" else digest_text(weekly)
    click.echo(text, nl=False)
