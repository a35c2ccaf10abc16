"""The ``feedkb`` command: a thin layer over the library modules, one file per concern."""

from feedkb.cli import fetching, knowledge, quality, site, sources  # noqa: F401 (they register)
from feedkb.cli.base import cli

__all__ = ["cli", "main"]


def main() -> None:
    cli(prog_name="feedkb")
