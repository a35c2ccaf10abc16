"""``feedkb sources``: the list of feeds in curation/sources.yaml."""

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import orjson
from rich.markup import escape

from feedkb.catalogue import load_catalogue
from feedkb.cli.base import (
    Context,
    cli,
    err,
    fail,
    minute,
    out,
    table,
    user_errors,
    with_curation,
)
from feedkb.ingest import probe
from feedkb.opml import read_opml, write_opml
from feedkb.parse import FeedError
from feedkb.sources import (
    RsshubInstance,
    Source,
    SourceList,
)
from feedkb.store import SourceState, Store
from feedkb.values import VALUE_LABELS, VALUE_SLUGS


@cli.group()
def sources() -> None:
    """List, add, remove, import and export the feeds in curation/sources.yaml."""


@sources.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@with_curation
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
                "rsshub": s.rsshub,
                "homepage": s.homepage,
                "values": list(s.values),
                "tags": list(s.tags),
                "enabled": s.enabled,
                # `listed` is the store's bookkeeping (up to 1,000 ids): not for people.
                "state": {k: v for k, v in vars(state).items() if k != "listed"}
                | {"failing": state.failing},
            }
            for s, state in rows
        ]
        click.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
        return
    shown = table(
        f"{len(rows)} sources in {source_list.path}",
        ["id", "title", "health", "items", "last success", "problem"],
        tokens=("id", "health", "last success"),
        right=("items",),
    )
    for source, state in rows:
        problem = state.last_error or ""
        if state.retry_after:
            problem = f"{problem} (waiting until {state.retry_after})".strip()
        if state.moved_to:
            problem = f"moved permanently to {state.moved_to} (update url) {problem}".strip()
        shown.add_row(
            source.id if source.enabled else f"[dim]{source.id} (disabled)[/]",
            _title(source, state),
            _health(state),
            str(state.item_count),
            minute(state.last_success) if state.last_success else "never",
            f"[red]{problem}[/]" if problem else "",
        )
    out.print(shown)


def _title(source: Source, state: SourceState) -> str:
    """The source's title; for an RSSHub route, the route and the instance that served it."""
    if not source.rsshub:
        return escape(source.title)
    served = f" via {urlsplit(state.instance).netloc}" if state.instance else ""
    return f"{escape(source.title)}\n[dim]{escape(source.location)}{served}[/]"


def _health(state: SourceState) -> str:
    failures = state.consecutive_failures
    if state.failing:
        return f"[bold red]failing{f' ×{failures}' if failures else ''}[/]"
    if failures:
        return f"[yellow]failed ×{failures}[/]"
    return "ok" if state.last_success else "-"


@sources.command("add")
@click.argument("url", metavar="URL|rsshub:/ROUTE", required=False)
@click.option(
    "--pack",
    "packs",
    multiple=True,
    metavar="NAME",
    help="Add a pack of the starter catalogue instead (see `sources catalogue`); repeatable.",
)
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
@with_curation
def sources_add(
    ctx: Context,
    url: str | None,
    packs: tuple[str, ...],
    source_id: str | None,
    title: str | None,
    homepage: str | None,
    values: tuple[str, ...],
    tags: tuple[str, ...],
    disabled: bool,
    no_check: bool,
) -> None:
    """Add the feed at URL (or a local file path), or an RSSHub route (rsshub:/36kr/newsflashes;
    a URL on a known RSSHub instance is kept as its route, served by sources.yaml's instances).
    With --pack, add a catalogue pack's sources, skipping those already listed."""
    if bool(url) == bool(packs):
        fail("give a URL (or rsshub:/ROUTE) or --pack NAME, not both or neither")
    if packs:
        _add_packs(ctx, packs)
        return
    with user_errors():
        source_list = ctx.sources()
        route = source_list.route_of(url)
        draft = Source(
            id=source_id or source_list.unique_id(_id_hint(route or url)),
            title=title or url,
            url="" if route else url,
            rsshub=route,
            homepage=homepage,
            values=values,
            tags=tags,
            enabled=not disabled,
            base_dir=source_list.path.parent,
        )
        if not no_check:
            draft = _checked(draft, keep_title=bool(title), rsshub=source_list.rsshub)
        try:
            source_list.add(draft)
        except ValueError as exc:
            fail(str(exc))
        source_list.save()
    out.print(f"added [bold]{draft.id}[/] ({draft.title}) to {source_list.path}")


def _id_hint(url: str) -> str:
    if url.startswith("/"):  # an RSSHub route: /36kr/newsflashes -> 36kr-newsflashes
        return url.split("?", 1)[0].strip("/").replace("/", "-")
    host = urlsplit(url).hostname or Path(url).stem
    return host.removeprefix("www.").rsplit(".", 1)[0] if "." in host else host


def _checked(draft: Source, keep_title: bool, rsshub: Sequence[RsshubInstance]) -> Source:
    try:
        feed = probe(draft, rsshub=rsshub)
    except FeedError as exc:
        fail(f"{draft.location}: {exc} (use --no-check to add it anyway)")
    err.print(f"checked: the feed lists {len(feed.items)} entries", highlight=False)
    if keep_title or not feed.title:
        return draft
    return Source(**{**vars(draft), "title": feed.title})


@sources.command("remove")
@click.argument("source_id", metavar="ID")
@with_curation
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
@with_curation
def sources_import(ctx: Context, opml_file: Path) -> None:
    """Add every feed of an OPML file (a feed reader's export, or wewe-rss's list of WeChat
    official accounts); feeds already listed (same id, URL or route) are skipped, and a URL on
    a known RSSHub instance is kept as its route."""
    with user_errors():
        source_list = ctx.sources()
        drafts = [_draft_of(source_list, feed) for feed in read_opml(opml_file)]
        added, skipped = _add_new(source_list, drafts)
    out.print(f"imported {added} sources from {opml_file} ({skipped} skipped)")


def _draft_of(source_list: SourceList, feed: Any) -> Source:
    """The source an OPML feed becomes. An id the file names (feedkb's own export, a wewe-rss
    account) says which source it is; one made from the host only has to be free."""
    route = source_list.route_of(feed.url)
    return Source(
        id=feed.wanted_id or source_list.unique_id(_id_hint(route or feed.url)),
        title=feed.title,
        url="" if route else feed.url,
        rsshub=route,
        homepage=feed.homepage,
        values=feed.values,
        tags=feed.tags,
        enabled=feed.enabled,
    )


def _add_new(source_list: SourceList, drafts: Iterable[Source]) -> tuple[int, int]:
    """Add each draft not listed yet, saying which are skipped and why; saves the file.
    Returns how many were added and how many skipped."""
    added = skipped = 0
    for draft in drafts:
        reason = _listed_as(source_list, draft)
        if reason is None:
            source = replace(draft, id=source_list.unique_id(draft.id))
            try:
                source_list.add(source)
            except ValueError as exc:
                reason = str(exc)
        if reason:
            err.print(f"[yellow]skipped[/] {escape(draft.location)}: {reason}", highlight=False)
            skipped += 1
        else:
            added += 1
    source_list.save()
    return added, skipped


def _listed_as(source_list: SourceList, draft: Source) -> str | None:
    """Why ``draft`` is already in the list (a source with its id, URL or route), or None."""
    for source in source_list.sources:
        if source.id == draft.id:
            return f"already listed as {source.id}"
        if draft.rsshub and source.rsshub == draft.rsshub:
            return f"already listed as {source.id} (same RSSHub route)"
        if draft.url and source.url == draft.url:
            return f"already listed as {source.id} (same URL)"
    return None


@sources.command("export")
@click.argument("opml_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_curation
def sources_export(ctx: Context, opml_file: Path | None) -> None:
    """Write the sources as OPML 2.0 to OPML_FILE, or to standard output."""
    with user_errors():
        source_list = ctx.sources()
        document = write_opml(source_list.sources, source_list.rsshub[0])
    if opml_file is None:
        click.echo(document, nl=False)
    else:
        opml_file.write_text(document, encoding="utf-8")
        err.print(f"wrote {opml_file}")


def _add_packs(ctx: Context, slugs: tuple[str, ...]) -> None:
    with user_errors():
        catalogue = load_catalogue()
        unknown = [slug for slug in slugs if slug not in catalogue]
        if unknown:
            fail(f"no pack {', '.join(map(repr, unknown))} (packs: {', '.join(catalogue)})")
        source_list = ctx.sources()
        for slug in slugs:
            pack = catalogue[slug]
            added, skipped = _add_new(source_list, pack.sources)
            out.print(
                f"added {added} sources of pack [bold]{slug}[/] ({pack.title}) to "
                f"{source_list.path} ({skipped} already listed)"
            )


@sources.command("catalogue")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def sources_catalogue(fmt: str) -> None:
    """The starter catalogue: packs of real sources per field, to add with
    `feedkb sources add --pack NAME`."""
    with user_errors():
        catalogue = load_catalogue()
    if fmt == "json":
        records = {
            pack.slug: {
                "title": pack.title,
                "sources": [_catalogue_record(s, pack.checked_from[s.id]) for s in pack.sources],
            }
            for pack in catalogue.values()
        }
        click.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
        return
    for pack in catalogue.values():
        shown = table(
            f"pack {pack.slug}: {pack.title} ({len(pack.sources)} sources)",
            ["id", "title", "route or URL", "values"],
            tokens=("id",),
        )
        for source in pack.sources:
            values = ", ".join(f"{v} {VALUE_LABELS[v]}" for v in source.values)
            shown.add_row(source.id, escape(source.title), escape(source.location), values)
        out.print(shown)
    out.print("add one with: feedkb sources add --pack NAME")


def _catalogue_record(source: Source, checked_from: dict[str, str]) -> dict[str, Any]:
    return {
        "id": source.id,
        "title": source.title,
        "url": source.url,
        "rsshub": source.rsshub,
        "homepage": source.homepage,
        "values": list(source.values),
        "tags": list(source.tags),
        "checked_from": checked_from,
    }
