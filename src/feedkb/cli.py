"""The ``feedkb`` command: a thin layer over the library modules."""

import csv
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from feedkb import __version__
from feedkb.demo import fetch_demo, init_folder
from feedkb.digest import build_digest, digest_markdown, digest_text, latest_week
from feedkb.doctor import check
from feedkb.errors import ConfigError, StoreLockedError
from feedkb.evaluate import (
    EvalReport,
    ValueScore,
    evaluate,
    macro_f1,
    read_corpus,
    read_labels,
    read_split,
)
from feedkb.fetch import FetchSettings
from feedkb.ingest import DEFAULT_CONCURRENCY, FetchReport, fetch_all, probe
from feedkb.kb import Entry, KnowledgeBase, corpus_kb, load_kb
from feedkb.learn.features import rule_features
from feedkb.learn.kbmodel import model_for, train_knowledge_base
from feedkb.learn.model import Prediction
from feedkb.opml import OpmlError, read_opml, write_opml
from feedkb.overrides import OverrideEdit, edit_override, load_overrides
from feedkb.parse import FeedError
from feedkb.query import parse_since, select_entries
from feedkb.review import default_since, review_queue
from feedkb.rules import load_rules
from feedkb.site.engine import CHOICES, Engine, EngineError, choose_engine
from feedkb.sources import Source, SourceList
from feedkb.store import Store, StoreError
from feedkb.values import VALUE_LABELS, VALUE_SLUGS

EXIT_ALL_FAILED = 1
EXIT_CONFIG = 2
EXIT_LOCKED = 3

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class Context:
    def __init__(self, curation: Path) -> None:
        self.curation = curation

    def sources(self) -> SourceList:
        return SourceList.load(self.curation)


def fail(message: str, code: int = EXIT_CONFIG) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    sys.exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a curator can fix into messages and exit codes, not tracebacks."""
    try:
        yield
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(f"[bold red]error:[/] {problem}", highlight=False, markup=True)
        sys.exit(EXIT_CONFIG)
    except (StoreError, OpmlError) as exc:
        fail(str(exc))
    except StoreLockedError as exc:
        fail(str(exc), EXIT_LOCKED)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--curation",
    type=click.Path(file_okay=False, path_type=Path),
    default="curation",
    show_default=True,
    envvar="FEEDKB_CURATION",
    help="Curation folder (sources, rules, overrides, item store). Env: FEEDKB_CURATION.",
)
@click.version_option(__version__, prog_name="feedkb")
@click.pass_context
def cli(ctx: click.Context, curation: Path) -> None:
    """Turn industry news feeds into a curated, value-tagged knowledge base."""
    ctx.obj = Context(curation)


# --- sources ---------------------------------------------------------------------------


@cli.group()
def sources() -> None:
    """List, add, remove, import and export the feeds in curation/sources.yaml."""


@sources.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
def sources_list(ctx: Context, fmt: str) -> None:
    """Every source with its health from the last runs."""
    with user_errors():
        source_list = ctx.sources()
        store = Store(ctx.curation)
        rows = [(s, store.load_state(s.id)) for s in source_list.sources]
    if fmt == "json":
        records = [
            {
                "id": s.id,
                "title": s.title,
                "url": s.url,
                "homepage": s.homepage,
                "values": list(s.values),
                "tags": list(s.tags),
                "enabled": s.enabled,
                "state": {**vars(state), "failing": state.failing},
            }
            for s, state in rows
        ]
        click.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(title=f"{len(rows)} sources in {source_list.path}")
    for column in ("id", "title", "health", "items", "last success", "fails", "problem"):
        table.add_column(column, overflow="fold")
    for source, state in rows:
        problem = state.last_error or ""
        if state.retry_after:
            problem = f"{problem} (waiting until {state.retry_after})".strip()
        if state.moved_to:
            problem = f"moved permanently to {state.moved_to} (update url) {problem}".strip()
        table.add_row(
            source.id if source.enabled else f"[dim]{source.id} (disabled)[/]",
            source.title,
            "[bold red]failing[/]" if state.failing else "ok" if state.last_success else "-",
            str(state.item_count),
            state.last_success or "never",
            str(state.consecutive_failures or ""),
            f"[red]{problem}[/]" if problem else "",
        )
    out.print(table)


@sources.command("add")
@click.argument("url")
@click.option("--id", "source_id", help="Slug for the source (default: from the URL's host).")
@click.option("--title", help="Display title (default: the feed's own title).")
@click.option("--homepage", help="The site's front page.")
@click.option(
    "--value",
    "values",
    multiple=True,
    type=click.Choice(VALUE_SLUGS),
    help="Value-tag hint for the source's items; repeatable.",
)
@click.option("--tag", "tags", multiple=True, help="Free-form tag; repeatable.")
@click.option("--disabled", is_flag=True, help="Add it switched off.")
@click.option("--no-check", is_flag=True, help="Do not fetch the feed to check it first.")
@click.pass_obj
def sources_add(
    ctx: Context,
    url: str,
    source_id: str | None,
    title: str | None,
    homepage: str | None,
    values: tuple[str, ...],
    tags: tuple[str, ...],
    disabled: bool,
    no_check: bool,
) -> None:
    """Add the feed at URL (or a local file path)."""
    with user_errors():
        source_list = ctx.sources()
        draft = Source(
            id=source_id or source_list.unique_id(_id_hint(url)),
            title=title or url,
            url=url,
            homepage=homepage,
            values=values,
            tags=tags,
            enabled=not disabled,
            base_dir=source_list.path.parent,
        )
        if not no_check:
            draft = _checked(draft, keep_title=bool(title))
        try:
            source_list.add(draft)
        except ValueError as exc:
            fail(str(exc))
        source_list.save()
    out.print(f"added [bold]{draft.id}[/] ({draft.title}) to {source_list.path}")


def _id_hint(url: str) -> str:
    host = urlsplit(url).hostname or Path(url).stem
    return host.removeprefix("www.").rsplit(".", 1)[0] if "." in host else host


def _checked(draft: Source, keep_title: bool) -> Source:
    try:
        feed = probe(draft)
    except FeedError as exc:
        fail(f"{draft.url}: {exc} (use --no-check to add it anyway)")
    err.print(f"checked: the feed lists {len(feed.items)} entries", highlight=False)
    if keep_title or not feed.title:
        return draft
    return Source(**{**vars(draft), "title": feed.title})


@sources.command("remove")
@click.argument("source_id", metavar="ID")
@click.pass_obj
def sources_remove(ctx: Context, source_id: str) -> None:
    """Remove a source. Its stored items stay in the knowledge base."""
    with user_errors():
        source_list = ctx.sources()
        try:
            removed = source_list.remove(source_id)
        except KeyError as exc:
            fail(exc.args[0])
        source_list.save()
    out.print(f"removed [bold]{removed.id}[/] ({removed.title})")


@sources.command("import")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def sources_import(ctx: Context, opml_file: Path) -> None:
    """Add every feed of an OPML file; feeds already listed (same URL) are skipped."""
    with user_errors():
        source_list = ctx.sources()
        known_urls = {s.url for s in source_list.sources}
        added = skipped = 0
        for feed in read_opml(opml_file):
            if feed.url in known_urls:
                skipped += 1
                continue
            source = Source(
                id=source_list.unique_id(feed.wanted_id or _id_hint(feed.url)),
                title=feed.title,
                url=feed.url,
                homepage=feed.homepage,
                values=feed.values,
                tags=feed.tags,
                enabled=feed.enabled,
            )
            try:
                source_list.add(source)
            except ValueError as exc:
                err.print(f"[yellow]skipped[/] {feed.url}: {exc}", highlight=False)
                skipped += 1
                continue
            known_urls.add(feed.url)
            added += 1
        source_list.save()
    out.print(f"imported {added} sources from {opml_file} ({skipped} skipped)")


@sources.command("export")
@click.argument("opml_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def sources_export(ctx: Context, opml_file: Path | None) -> None:
    """Write the sources as OPML 2.0 to OPML_FILE, or to standard output."""
    with user_errors():
        document = write_opml(ctx.sources().sources)
    if opml_file is None:
        click.echo(document, nl=False)
    else:
        opml_file.write_text(document, encoding="utf-8")
        err.print(f"wrote {opml_file}")


# --- fetch -----------------------------------------------------------------------------


@cli.command()
@click.option(
    "--source",
    "source_ids",
    multiple=True,
    metavar="ID",
    help="Fetch only this source (repeatable); disabled sources can be named.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Sources fetched at the same time.",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report as JSON to this file.",
)
@click.option(
    "--markdown",
    "markdown_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report as a Markdown table (for a CI job summary).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=FetchSettings.timeout,
    show_default=True,
    help="Seconds to connect, and between bytes read.",
)
@click.option(
    "--total-timeout",
    type=click.FloatRange(min=0.1),
    default=FetchSettings.total_timeout,
    show_default=True,
    help="Seconds a source's whole response may take.",
)
@click.option(
    "--max-mb",
    type=click.FloatRange(min=0.01),
    default=FetchSettings.max_bytes / 1024 / 1024,
    show_default=True,
    help="Largest response read, in MB after decompression.",
)
@click.option(
    "--parse-timeout",
    type=click.FloatRange(min=0.1),
    default=FetchSettings.parse_timeout,
    show_default=True,
    help="Seconds a feed may take to parse.",
)
@click.pass_obj
def fetch(
    ctx: Context,
    source_ids: tuple[str, ...],
    concurrency: int,
    json_path: Path | None,
    markdown_path: Path | None,
    timeout: float,
    total_timeout: float,
    max_mb: float,
    parse_timeout: float,
) -> None:
    """Pull the enabled sources into the item store."""
    settings = FetchSettings(
        timeout=timeout,
        total_timeout=total_timeout,
        max_bytes=int(max_mb * 1024 * 1024),
        parse_timeout=parse_timeout,
    )
    with user_errors():
        source_list = ctx.sources()
        chosen = _chosen_sources(source_list, source_ids)
        with _progress(len(chosen)) as advance:
            report = fetch_all(
                ctx.curation,
                chosen,
                concurrency=concurrency,
                settings=settings,
                on_done=advance,
                on_wait=lambda: err.print(
                    "another feedkb run holds the store; waiting for it to finish..."
                ),
            )
    _print_report(report)
    if json_path:
        json_path.write_bytes(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2))
    if markdown_path:
        markdown_path.write_text(report.to_markdown(), encoding="utf-8")
    if report.all_failed:
        sys.exit(EXIT_ALL_FAILED)


def _chosen_sources(source_list: SourceList, source_ids: tuple[str, ...]) -> list[Source]:
    if not source_ids:
        return source_list.enabled()
    unknown = [i for i in source_ids if source_list.get(i) is None]
    if unknown:
        fail(f"unknown source id(s): {', '.join(unknown)} (see 'feedkb sources list')")
    return [source_list.get(i) for i in dict.fromkeys(source_ids)]


@contextmanager
def _progress(total: int) -> Iterator:
    if not err.is_terminal:
        yield lambda _source_id: None
        return
    columns = (
        TextColumn("fetching"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("", total=total)
        yield lambda source_id: progress.update(task, advance=1, description=source_id)


STATUS_STYLE = {"ok": "green", "not-modified": "cyan", "deferred": "yellow", "error": "bold red"}


def _print_report(report: FetchReport) -> None:
    if not out.is_terminal:
        # A CI log or a file: the Markdown report (a rich table of 500 sources takes a
        # fifth of a second to lay out, and Markdown pastes into a job summary).
        out.print(report.to_markdown(), markup=False, highlight=False, end="")
        return
    table = Table(
        title=f"fetch: {report.new_items} new items, "
        f"{report.failed} of {len(report.sources)} sources failed"
    )
    for column in ("source", "status", "HTTP", "entries", "new", "seconds", "error"):
        table.add_column(
            column,
            overflow="fold",
            justify="right" if column in ("entries", "new", "seconds") else "left",
        )
    for row in report.sources:
        notes = [row.error or "", *row.warnings]
        if row.moved_to:
            notes.append(f"moved permanently to {row.moved_to}")
        table.add_row(
            row.source,
            f"[{STATUS_STYLE[row.status]}]{row.status}[/]",
            str(row.http_status or ""),
            str(row.entries),
            str(row.new_items),
            f"{row.seconds:.2f}",
            "; ".join(n for n in notes if n),
        )
    out.print(table)


# --- items ---------------------------------------------------------------------------


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
@click.pass_obj
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
    with user_errors():
        kb = load_kb(ctx.curation, notify=_note)
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
    table = Table(title=f"{len(chosen)} items")
    for column in ("published", "source", "values", "title", "id"):
        table.add_column(column, overflow="fold")
    for e in chosen:
        flags = " [hidden]" if e.hidden else " [dup]" if e.duplicate_of else ""
        table.add_row(
            e.item.published[:16].replace("T", " "),
            e.item.source,
            ", ".join(e.values),
            e.title + flags,
            e.id,
        )
    out.print(table, markup=False)


# --- tagging: explain, override, review, companies, doctor, eval ------------------------


def _load_kb(ctx: Context) -> KnowledgeBase:
    with user_errors():
        return load_kb(ctx.curation, notify=_note)


def _note(message: str) -> None:
    err.print(message, markup=False, highlight=False)


def _find(kb: KnowledgeBase, key: str) -> Entry:
    try:
        return kb.find(key)
    except KeyError as exc:
        fail(exc.args[0])
        raise  # unreachable: fail exits


@cli.command()
@click.argument("item_id", metavar="ITEM_ID")
@click.pass_obj
def explain(ctx: Context, item_id: str) -> None:
    """Why an item has (or has not) each value: the model's probabilities and strongest
    features, the rules' scores and matched terms, hints, overrides."""
    kb = _load_kb(ctx)
    entry = _find(kb, item_id)
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
        out.print(f"override: {entry.override.to_dict()}", markup=False, highlight=False)
    if entry.deal:
        out.print(f"deal: {asdict(entry.deal)}", markup=False, highlight=False)
    if entry.companies:
        out.print(f"companies: {', '.join(entry.companies)}", markup=False)
    if entry.duplicate_of:
        out.print(f"same story as {entry.duplicate_of} (shown there)", markup=False)
    if entry.also_covered_by:
        out.print(f"also covered by: {', '.join(entry.also_covered_by)}", markup=False)


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
        out.print(f"    {weight:+.2f}  {feature!r}", markup=False, highlight=False)


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
@click.pass_obj
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
    kb = _load_kb(ctx)
    entry = _find(kb, item_id)
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
@click.pass_obj
def review(ctx: Context, since: str | None, fmt: str) -> None:
    """Recent items the tagger was unsure about, the most uncertain first, with the reason."""
    kb = _load_kb(ctx)
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
    table = Table(title=f"review: {len(queue)} items since {since_key}")
    for column in ("id", "published", "title", "values", "why unsure"):
        table.add_column(column, overflow="fold")
    for row in queue:
        e = row.entry
        table.add_row(e.id, e.item.published[:10], e.title, ", ".join(e.values), row.reason)
    out.print(table, markup=False)
    if queue:
        err.print(
            "settle one with: feedkb override ID --add VALUE | --remove VALUE | --no-values",
            markup=False,
        )


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
def companies(ctx: Context, fmt: str) -> None:
    """The company directory: companies named in lead and deal items, with their items."""
    kb = _load_kb(ctx)
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
    table = Table(title=f"{len(directory)} companies")
    for column in ("company", "items", "latest"):
        table.add_column(column, overflow="fold")
    for company in directory:
        latest = kb.entries[company.item_ids[0]]
        table.add_row(
            company.name, str(len(company.item_ids)), f"{latest.item.published[:10]} {latest.title}"
        )
    out.print(table, markup=False)


def _company_item(entry: Entry) -> dict:
    return {
        "id": entry.id,
        "title": entry.title,
        "url": entry.item.url,
        "published": entry.item.published,
        "values": entry.values,
    }


@cli.command()
@click.pass_obj
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
@click.pass_obj
def eval_command(
    ctx: Context,
    labels: Path,
    corpus: Path | None,
    split: Path | None,
    side: str,
    show_errors: bool,
    fmt: str,
) -> None:
    """Precision, recall and F1 per value of the tagger (model and rules, no overrides)
    against a labelled TSV file, in all and per language, and deal extraction."""
    with user_errors():
        kb = (
            corpus_kb(ctx.curation, read_corpus(corpus), _note)
            if corpus
            else load_kb(ctx.curation, _note)
        )
        chosen = read_labels(labels)
        if split:
            side_ids = read_split(split, side)
            chosen = [label for label in chosen if label.key in side_ids]
        report = evaluate(kb, chosen)
    if not report.matched:
        fail(
            f"none of the {len(report.missing)} labelled items is in the store "
            f"(fetch their feeds first, or give --items)"
        )
    if fmt == "json":
        click.echo(orjson.dumps(_eval_record(report), option=orjson.OPT_INDENT_2).decode())
        return
    tagger = "model and rules" if kb.model else "rules"
    table = Table(
        title=f"{tagger}: {report.matched} labelled items, macro-F1 {report.macro_f1:.3f}"
    )
    for column in ("value", "labelled", "predicted", "correct", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "value" else "right")
    for s in report.scores:
        table.add_row(
            f"{s.slug} {VALUE_LABELS[s.slug]}",
            str(s.labelled),
            str(s.predicted),
            str(s.correct),
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
        )
    out.print(table, markup=False)
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
@click.pass_obj
def train(ctx: Context, if_stale: bool) -> None:
    """Train the value model on the labelled examples shipped with feedkb and your corrections
    (overrides.yaml) into curation/model.json; print its cross-validated P/R/F1 per value.

    Builds do this by themselves when your corrections changed since the last training.
    """
    from feedkb.learn.train import FOLDS  # scikit-learn loads only for training

    with user_errors():
        rules = load_rules(ctx.curation)
        overrides = load_overrides(ctx.curation)
        items = Store(ctx.curation).load_items()
        if if_stale:
            model_for(ctx.curation, rules, overrides, items, _note)
            out.print("the value model fits your corrections", markup=False)
            return
        training = train_knowledge_base(ctx.curation, rules, overrides, items)
    if training.unsaved:
        fail(f"could not write the model: {training.unsaved}")
    figures = training.figures
    table = Table(
        title=f"cross-validated ({FOLDS} folds) on {training.examples} examples, "
        f"{training.corrections} of them your corrections: macro-F1 "
        f"{macro_f1(figures):.3f}"
    )
    for column in ("value", "labelled", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "value" else "right")
    for f in figures:
        table.add_row(
            f"{f.slug} {VALUE_LABELS[f.slug]}",
            str(f.labelled),
            f"{f.precision:.3f}",
            f"{f.recall:.3f}",
            f"{f.f1:.3f}",
        )
    out.print(table, markup=False)
    path = ctx.curation / "model.json"
    out.print(
        f"{len(training.model.vocabulary)} n-gram features; trained in {training.seconds:.1f} s; "
        f"saved to {path} ({path.stat().st_size / 1e6:.1f} MB)",
        markup=False,
    )


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
@click.pass_obj
def digest(ctx: Context, week: str | None, fmt: str, per_value: int) -> None:
    """The week's best items per value."""
    kb = _load_kb(ctx)
    try:
        weekly = build_digest(kb, week or latest_week(kb), per_value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    click.echo(digest_markdown(weekly) if fmt == "md" else digest_text(weekly), nl=False)


# --- site ------------------------------------------------------------------------------

CONFIG_FILE = click.option(
    "--config-file",
    "-f",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default="mkdocs.yml",
    show_default=True,
    help="The site's MkDocs configuration.",
)
DEV_ADDR = click.option(
    "--dev-addr", "-a", default="127.0.0.1:8000", show_default=True, help="Address to serve on."
)
ENGINE = click.option(
    "--engine",
    type=click.Choice(CHOICES),
    default="auto",
    show_default=True,
    envvar="FEEDKB_ENGINE",
    help="The site generator; auto: ProperDocs if installed, else MkDocs. Env: FEEDKB_ENGINE.",
)


@cli.command()
@CONFIG_FILE
@click.option(
    "--site-dir",
    "-d",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (default: the configuration's site_dir).",
)
@click.option("--strict", is_flag=True, help="Fail on any warning of the build.")
@ENGINE
@click.pass_obj
def build(
    ctx: Context, config_file: Path, site_dir: Path | None, strict: bool, engine: str
) -> None:
    """Build the static site from this curation folder (`properdocs build` with feedkb's data)."""
    os.environ["FEEDKB_CURATION"] = str(ctx.curation.resolve())
    chosen = _engine(engine)
    written = chosen.build(config_file, site_dir, strict)
    out.print(f"site written to {written} by {chosen.label}")


@cli.command()
@CONFIG_FILE
@DEV_ADDR
@ENGINE
@click.pass_obj
def serve(ctx: Context, config_file: Path, dev_addr: str, engine: str) -> None:
    """Serve the site and rebuild it when curation files change (`properdocs serve`)."""
    os.environ["FEEDKB_CURATION"] = str(ctx.curation.resolve())
    _engine(engine).serve(config_file, dev_addr)


def _engine(requested: str) -> Engine:
    try:
        return choose_engine(requested)
    except EngineError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
def init(folder: Path) -> None:
    """Lay out a new knowledge base in FOLDER: mkdocs.yml, docs/, curation/ (default rules)."""
    written = init_folder(folder)
    for path in written:
        out.print(f"wrote {path}", highlight=False)
    if not written:
        out.print(f"{folder} already has a knowledge base; nothing written")


@cli.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default="feedkb-demo",
    show_default=True,
    help="Where to build the demo.",
)
@click.option("--no-serve", is_flag=True, help="Only build the site; do not serve it.")
@DEV_ADDR
@ENGINE
def demo(folder: Path, no_serve: bool, dev_addr: str, engine: str) -> None:
    """Build a complete site from sample feeds bundled with feedkb, and serve it (offline)."""
    chosen = _engine(engine)
    stored = fetch_demo(folder)
    out.print(f"fetched the sample feeds into {folder / 'curation'} ({stored} new items)")
    os.environ["FEEDKB_CURATION"] = str((folder / "curation").resolve())
    config_file = folder / "mkdocs.yml"
    chosen.build(config_file, folder / "site", strict=True)
    out.print(f"demo site built in {folder / 'site'} by {chosen.label}")
    if not no_serve:
        out.print(f"serving on http://{dev_addr}/ (Ctrl-C to stop)")
        chosen.serve(config_file, dev_addr)


def main() -> None:
    cli(prog_name="feedkb")
