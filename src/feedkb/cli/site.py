"""The site: ``feedkb build``, ``serve``, ``init`` and ``demo``, on ProperDocs or MkDocs."""

import os
from pathlib import Path

import click

from feedkb.cli.base import Context, cli, fail, out, with_curation
from feedkb.demo import fetch_demo, init_folder
from feedkb.site.engine import CHOICES, Engine, EngineError, choose_engine

CONFIG_FILE = click.option(
    "--config-file",
    "-f",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default="mkdocs.yml",
    show_default=True,
    help="The site's configuration (mkdocs.yml, read by either engine).",
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
@with_curation
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
@with_curation
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
