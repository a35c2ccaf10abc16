"""The ``feedkb`` command: a thin layer over the library modules, one file per concern."""

from feedkb.cli.base import cli  # each command's module loads when the command is asked for

__all__ = ["cli", "main"]


def main() -> None:
    cli(prog_name="feedkb")
