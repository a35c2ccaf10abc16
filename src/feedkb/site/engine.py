"""The site generator that builds and serves the site: ProperDocs, the maintained continuation
of MkDocs 1.x, or MkDocs 1.x itself. Both read the same mkdocs.yml, run the feedkb plugin
unchanged and offer the same Python API (``config.load_config``, ``commands.build.build``,
``commands.serve.serve``), which is used here in process, as their own commands do.

An engine is imported only when a command builds or serves: the other commands never pay for it.
"""

import importlib
import importlib.util
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

# The order ``auto`` tries them in: ProperDocs first, as it is maintained (MkDocs 1.x has had
# no release since August 2024, and MkDocs 2.0 announces the end of plugins).
ENGINES = {"properdocs": "ProperDocs", "mkdocs": "MkDocs"}
CHOICES = ("auto", *ENGINES)


class EngineError(Exception):
    """The engine asked for cannot run here; the message says why and what to do instead."""


@dataclass(frozen=True)
class Engine:
    name: str

    @property
    def label(self) -> str:
        return ENGINES[self.name]

    def build(self, config_file: Path, site_dir: Path | None, strict: bool) -> Path:
        """Build the site as ``<engine> build`` does; returns the folder it was written to."""
        load_config = self._module("config").load_config
        build = self._module("commands.build").build
        # Relative to where the command runs (the engine would take it relative to mkdocs.yml).
        options: dict[str, object] = {"site_dir": str(site_dir.resolve())} if site_dir else {}
        if strict:
            options["strict"] = True
        config = load_config(config_file=str(config_file), **options)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
        return Path(config.site_dir)

    def serve(self, config_file: Path, dev_addr: str) -> None:
        """Serve the site and rebuild it when a watched file changes, as ``<engine> serve``."""
        self._module("commands.serve").serve(config_file=str(config_file), dev_addr=dev_addr)

    def _module(self, name: str) -> ModuleType:
        return importlib.import_module(f"{self.name}.{name}")


def choose_engine(requested: str) -> Engine:
    """The engine ``requested`` (one of CHOICES), ready to build; raises EngineError."""
    name = _auto() if requested == "auto" else _available(requested)
    _start(name)
    return Engine(name)


def _auto() -> str:
    """The engine this process already runs, else the first of ENGINES that is installed."""
    name = _running() or next((n for n in ENGINES if _installed(n)), None)
    if name is None:
        raise EngineError("neither ProperDocs nor MkDocs is installed: pip install properdocs")
    return name


def _available(name: str) -> str:
    if name not in ENGINES:
        raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(CHOICES)}")
    running = _running()
    if running and running != name:
        raise EngineError(
            f"{ENGINES[running]} already runs in this process and {ENGINES[name]} cannot run "
            f"beside it (ProperDocs answers every `import mkdocs`): run feedkb with "
            f"--engine {name} in a new process"
        )
    if not _installed(name):
        raise EngineError(f"{ENGINES[name]} is not installed: pip install {name}, or --engine auto")
    return name


def _running() -> str | None:
    """The engine this process has imported: ProperDocs puts itself in sys.modules as mkdocs."""
    module = sys.modules.get("mkdocs")
    return module.__name__ if module else None


def _installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _start(name: str) -> None:
    if name == "properdocs":
        # As `properdocs` itself does first: the plugins' and the theme's `mkdocs.*` imports
        # then load ProperDocs' modules.
        importlib.import_module("properdocs.replacement")
    _show_log(name)


def _show_log(name: str) -> None:
    """Print what ``<engine> build`` prints: builds, warnings, detected changes."""
    logger = logging.getLogger(name)
    if name == "properdocs":
        # As its own command does: the theme logs under "mkdocs.*", and strict mode counts the
        # warnings that reach "properdocs".
        legacy = logging.getLogger("mkdocs")
        legacy.parent, legacy.propagate = logger, True
        legacy.setLevel(logging.NOTSET)
    if logger.handlers:  # once: the demo builds and then serves
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
