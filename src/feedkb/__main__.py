"""``python -m feedkb`` and the ``feedkb`` script.

Worker processes (spawned for parsing and tagging) import the parent's main module again: the
command line interface, with every command's imports, loads only when this runs as a program.
"""


def main() -> None:
    from feedkb.cli import main as run

    run()


if __name__ == "__main__":
    main()
