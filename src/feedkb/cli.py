"""The ``feedkb`` command: a thin layer over the library modules."""

import csv
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from feedkb import __version__
from feedkb.errors import ConfigError, StoreLockedError
from feedkb.ingest import DEFAULT_CONCURRENCY, FetchReport, fetch_all, probe
from feedkb.kb import Entry, load_kb
from feedkb.opml import OpmlError, read_opml, write_opml
from feedkb.parse import FeedError
from feedkb.query import parse_since, select_entries
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
                "state": vars(state),
            }
            for s, state in rows
        ]
        click.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(title=f"{len(rows)} sources in {source_list.path}")
    for column in ("id", "title", "values", "items", "last success", "fails", "problem"):
        table.add_column(column, overflow="fold")
    for source, state in rows:
        problem = state.last_error or ""
        if state.moved_to:
            problem = f"moved permanently to {state.moved_to} (update url) {problem}".strip()
        table.add_row(
            source.id if source.enabled else f"[dim]{source.id} (disabled)[/]",
            source.title,
            ", ".join(source.values),
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
@click.pass_obj
def fetch(
    ctx: Context, source_ids: tuple[str, ...], concurrency: int, json_path: Path | None
) -> None:
    """Pull the enabled sources into the item store."""
    with user_errors():
        source_list = ctx.sources()
        chosen = _chosen_sources(source_list, source_ids)
        with _progress(len(chosen)) as advance:
            report = fetch_all(
                ctx.curation,
                chosen,
                concurrency=concurrency,
                on_done=advance,
                on_wait=lambda: err.print(
                    "another feedkb run holds the store; waiting for it to finish..."
                ),
            )
    _print_report(report)
    if json_path:
        json_path.write_bytes(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2))
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


STATUS_STYLE = {"ok": "green", "not-modified": "cyan", "error": "bold red"}


def _print_report(report: FetchReport) -> None:
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
        kb = load_kb(ctx.curation)
    chosen = select_entries(
        kb.entries.values(),
        source_ids=source_ids,
        since=since_key,
        value=value,
        visible_only=visible,
        limit=limit,
    )
    if fmt == "json":
        click.echo(orjson.dumps([e.to_dict() for e in chosen], option=orjson.OPT_INDENT_2).decode())
    elif fmt == "csv":
        click.echo(_csv([e.to_dict() for e in chosen]), nl=False)
    else:
        _print_items_table(chosen)


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


def main() -> None:
    cli(prog_name="feedkb")
