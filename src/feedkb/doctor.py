"""``feedkb doctor``: every problem in the curation folder at once."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feedkb.errors import ConfigError, Problem
from feedkb.learn.model import MODEL_FILE, load_model
from feedkb.overrides import load_overrides
from feedkb.rules import load_rules
from feedkb.sources import RsshubInstance, SourceList
from feedkb.store import SourceState, Store, StoreError


@dataclass
class Checkup:
    problems: list[str]
    warnings: list[str]


def check(curation_dir: Path) -> Checkup:
    problems: list[str] = []
    source_list = _collect(problems, lambda: SourceList.load(curation_dir))
    warnings: list[str] = []
    _collect(problems, lambda: load_rules(curation_dir, warnings.append))
    overrides = _collect(problems, lambda: load_overrides(curation_dir))
    if (curation_dir / MODEL_FILE).exists():
        _collect(problems, lambda: load_model(curation_dir / MODEL_FILE))
    store = Store(curation_dir)
    items = _collect(problems, store.load_items)
    if overrides is not None and items is not None:
        known = {item.id for item in items}
        problems += [
            str(
                Problem(
                    overrides.path,
                    overrides.lines.get(item_id),
                    f"item {item_id}",
                    "no such item in the store (a typo, or an id from another knowledge base?)",
                )
            )
            for item_id in overrides.by_id
            if item_id not in known
        ]
    if source_list is not None:
        for source in source_list.sources:
            state = _collect(problems, lambda s=source: store.load_state(s.id))
            if state and state.failing:
                warnings.append(
                    f"source {source.id!r} is failing ({state.consecutive_failures} failures in a "
                    f"row, last status {state.last_status or '-'}): {state.last_error}"
                )
            if state and state.moved_to:
                warnings.append(
                    f"source {source.id!r} moved permanently to {state.moved_to}: update its url"
                )
            if source.rsshub and state:
                warnings += _route_warnings(source.id, state, source_list.rsshub)
    return Checkup(problems, warnings)


def _route_warnings(
    source_id: str, state: SourceState, instances: tuple[RsshubInstance, ...]
) -> list[str]:
    """A route served by another instance than the first: the first is worth a look."""
    if not state.instance or state.instance == instances[0].url:
        return []
    return [
        f"source {source_id!r} is served by the RSSHub instance {state.instance}, not by the "
        f"first one listed ({instances[0].url}): it failed when last tried"
    ]


def _collect(problems: list[str], load: Callable[[], Any]) -> Any:
    try:
        return load()
    except ConfigError as exc:
        problems += [str(p) for p in exc.problems]
    except StoreError as exc:
        problems.append(str(exc))
    return None
