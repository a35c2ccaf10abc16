"""The store: ``feedkb fetch`` pulls the sources into it, with progress and a report;
``feedkb prune`` shrinks it."""

import sys
from datetime import datetime
from pathlib import Path

import click
import orjson

from feedkb.cli.ai import ask_after_fetch
from feedkb.cli.base import (
    EXIT_ALL_FAILED,
    Context,
    cli,
    err,
    fail,
    out,
    progress_bar,
    table,
    user_errors,
    with_curation,
)
from feedkb.fetch import FetchSettings
from feedkb.ingest import DEFAULT_CONCURRENCY, FetchReport, fetch_all
from feedkb.prune import DROPS
from feedkb.prune import prune as prune_store
from feedkb.sources import Source, SourceList


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
@with_curation
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
        with progress_bar("fetching", len(chosen)) as advance:
            report = fetch_all(
                ctx.curation,
                chosen,
                concurrency=concurrency,
                settings=settings,
                on_done=advance,
                rsshub=source_list.rsshub,
                on_wait=lambda: err.print(
                    "another feedkb run holds the store; waiting for it to finish..."
                ),
            )
    _print_report(report)
    ask_after_fetch(ctx, report.added)
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


STATUS_STYLE = {"ok": "green", "not-modified": "cyan", "deferred": "yellow", "error": "bold red"}


def _print_report(report: FetchReport) -> None:
    if not out.is_terminal:
        # A CI log or a file: the Markdown report (a rich table of 500 sources takes a
        # fifth of a second to lay out, and Markdown pastes into a job summary).
        out.print(report.to_markdown(), markup=False, highlight=False, end="")
        return
    shown = table(
        f"fetch: {report.new_items} new items, "
        f"{report.failed} of {len(report.sources)} sources failed",
        ["source", "status", "HTTP", "entries", "new", "seconds", "error"],
        tokens=("source", "status", "HTTP"),
        right=("entries", "new", "seconds"),
    )
    for row in report.sources:
        notes = [row.error or "", *row.warnings]
        if row.moved_to:
            notes.append(f"moved permanently to {row.moved_to}")
        shown.add_row(
            row.source,
            f"[{STATUS_STYLE[row.status]}]{row.status}[/]",
            str(row.http_status or ""),
            str(row.entries),
            str(row.new_items),
            f"{row.seconds:.2f}",
            "; ".join(n for n in notes if n),
        )
    out.print(shown)


@cli.command()
@click.option(
    "--before",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Items published before this day (YYYY-MM-DD).",
)
@click.option(
    "--drop",
    type=click.Choice(DROPS),
    required=True,
    help="summaries: the items keep headline, link and date; items: they go, their ids stay known.",
)
@with_curation
def prune(ctx: Context, before: datetime, drop: str) -> None:
    """Shrink a big store: old items lose their summaries or go; a feed never brings a pruned
    item back. Items you corrected in overrides.yaml are kept whole."""
    with user_errors():
        report = prune_store(ctx.curation, before.date(), drop)
    out.print(
        f"{report.items} items before {report.before}: {report.drop} dropped; "
        f"{report.files_rewritten} files rewritten, {report.files_removed} removed; "
        f"items/ {report.bytes_before / 1e6:.1f} MB -> {report.bytes_after / 1e6:.1f} MB "
        "(commit curation/ to keep it)",
        markup=False,
    )
