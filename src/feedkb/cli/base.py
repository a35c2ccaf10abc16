"""What every command shares: the group, the curation folder, output, errors and tables."""

import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from feedkb import __version__
from feedkb.errors import ConfigError, StoreLockedError
from feedkb.opml import OpmlError
from feedkb.sources import SourceList
from feedkb.store import StoreError

if TYPE_CHECKING:
    from feedkb.kb import Entry, KnowledgeBase

EXIT_ALL_FAILED = 1
EXIT_CONFIG = 2
EXIT_LOCKED = 3

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

CURATION_HELP = "Curation folder (sources, rules, overrides, item store). Env: FEEDKB_CURATION."


class Context:
    def __init__(self, curation: Path) -> None:
        self.curation = curation

    def sources(self) -> SourceList:
        return SourceList.load(self.curation)

    def kb(self) -> "KnowledgeBase":
        from feedkb.kb import load_kb  # the tagger and its model: only commands that read the kb

        with user_errors():
            return load_kb(self.curation, notify=note)


def fail(message: str, code: int = EXIT_CONFIG) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    sys.exit(code)


def note(message: str) -> None:
    err.print(message, markup=False, highlight=False)


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


def find(kb: "KnowledgeBase", key: str) -> "Entry":
    try:
        return kb.find(key)
    except KeyError as exc:
        fail(exc.args[0])
        raise  # unreachable: fail exits


def table(
    title: str, columns: list[str], tokens: tuple[str, ...] = (), right: tuple[str, ...] = ()
) -> Table:
    """A table whose ``tokens`` columns (ids, times, numbers) never break inside a value;
    the other columns fold long text, so the tokens keep their width at 80 columns or piped."""
    shown = Table(title=title)
    for column in columns:
        whole = column in tokens or column in right
        shown.add_column(
            column,
            no_wrap=whole,
            overflow="ellipsis" if whole else "fold",
            justify="right" if column in right else "left",
        )
    return shown


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar on a terminal (nothing in a log): call the function yielded as each of
    ``total`` things is done, with what was done."""
    if not err.is_terminal:
        yield lambda _done: None
        return
    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("", total=total)
        yield lambda done: progress.update(task, advance=1, description=done)


def minute(timestamp: str) -> str:
    """A stored UTC time as people read it in a table: 2026-12-01 17:01."""
    return timestamp[:16].replace("T", " ")


def _take_curation(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.find_object(Context).curation = value


def with_curation(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give the command the Context and accept ``--curation`` after its name too, as in
    ``feedkb items --curation DIR``."""
    return click.option(
        "--curation",
        type=click.Path(file_okay=False, path_type=Path),
        expose_value=False,
        callback=_take_curation,
        help=CURATION_HELP,
    )(click.pass_obj(command))


# Each command's module, imported when the command runs: `feedkb fetch` need not load the
# tagger, its model and numpy (a fifth of a second), nor `feedkb --version` anything.
COMMAND_MODULES = {
    "sources": "sources",
    "fetch": "fetching",
    "prune": "fetching",
    "items": "knowledge",
    "explain": "knowledge",
    "override": "knowledge",
    "review": "knowledge",
    "companies": "knowledge",
    "doctor": "knowledge",
    "digest": "knowledge",
    "eval": "quality",
    "ai": "ai",
    "train": "quality",
    "build": "site",
    "serve": "site",
    "init": "site",
    "demo": "site",
}


class LazyGroup(click.Group):
    """A group whose commands register themselves when their module is first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMAND_MODULES and cmd_name not in self.commands:
            importlib.import_module(f"feedkb.cli.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--curation",
    type=click.Path(file_okay=False, path_type=Path),
    default="curation",
    show_default=True,
    envvar="FEEDKB_CURATION",
    help=CURATION_HELP,
)
@click.version_option(__version__, prog_name="feedkb")
@click.pass_context
def cli(ctx: click.Context, curation: Path) -> None:
    """Turn industry news feeds into a curated, value-tagged knowledge base."""
    ctx.obj = Context(curation)
