"""The site: ``feedkb build``, ``serve``, ``init`` and ``demo``."""

import logging
import os
from pathlib import Path

import click

from feedkb.cli.base import (
    Context,
    cli,
    out,
    with_curation,
)
from feedkb.demo import fetch_demo, init_folder

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


@cli.command()
@CONFIG_FILE
@click.option(
    "--site-dir",
    "-d",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (default: the configuration's site_dir).",
)
@click.option("--strict", is_flag=True, help="Fail on any MkDocs warning.")
@with_curation
def build(ctx: Context, config_file: Path, site_dir: Path | None, strict: bool) -> None:
    """Build the static site from this curation folder (`mkdocs build` with feedkb's data)."""
    os.environ["FEEDKB_CURATION"] = str(ctx.curation.resolve())
    written = _build_site(config_file, site_dir, strict)
    out.print(f"site written to {written}")


# MkDocs is imported where it is used: a tenth of a second every other command would pay.


def _build_site(config_file: Path, site_dir: Path | None, strict: bool) -> str:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    # Relative to where the command runs (MkDocs would take it relative to mkdocs.yml).
    options: dict[str, object] = {"site_dir": str(site_dir.resolve())} if site_dir else {}
    if strict:
        options["strict"] = True
    _show_mkdocs_log()
    config = load_config(config_file=str(config_file), **options)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        mkdocs_build(config)
    finally:
        config.plugins.on_shutdown()
    return config.site_dir


@cli.command()
@CONFIG_FILE
@DEV_ADDR
@with_curation
def serve(ctx: Context, config_file: Path, dev_addr: str) -> None:
    """Serve the site and rebuild it when curation files change (`mkdocs serve`)."""
    os.environ["FEEDKB_CURATION"] = str(ctx.curation.resolve())
    _serve_site(config_file, dev_addr)


def _serve_site(config_file: Path, dev_addr: str) -> None:
    from mkdocs.commands.serve import serve as mkdocs_serve

    _show_mkdocs_log()
    mkdocs_serve(config_file=str(config_file), dev_addr=dev_addr)


def _show_mkdocs_log() -> None:
    # What `mkdocs` itself prints: builds, warnings, detected changes (once: demo builds and
    # then serves).
    logger = logging.getLogger("mkdocs")
    if logger.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


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
def demo(folder: Path, no_serve: bool, dev_addr: str) -> None:
    """Build a complete site from sample feeds bundled with feedkb, and serve it (offline)."""
    stored = fetch_demo(folder)
    out.print(f"fetched the sample feeds into {folder / 'curation'} ({stored} new items)")
    os.environ["FEEDKB_CURATION"] = str((folder / "curation").resolve())
    config_file = folder / "mkdocs.yml"
    _build_site(config_file, folder / "site", strict=True)
    out.print(f"demo site built in {folder / 'site'}")
    if not no_serve:
        out.print(f"serving on http://{dev_addr}/ (Ctrl-C to stop)")
        _serve_site(config_file, dev_addr)
