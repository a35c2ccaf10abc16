"""``curation/overrides.yaml``: the curator's word on single items, which always wins."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from feedkb.errors import ConfigError, Problem
from feedkb.values import VALUE_SLUGS
from feedkb.yamlfile import line_of, load_yaml, read_yaml, save_yaml, top_mapping

OVERRIDES_FILE = "overrides.yaml"
LIST_KEYS = ("values", "add", "remove")
BOOL_KEYS = ("hide", "pin")
TEXT_KEYS = ("note", "title")
KNOWN_KEYS = (*LIST_KEYS, *BOOL_KEYS, *TEXT_KEYS)
HEADER = """\
Curator overrides, per item id (see `feedkb explain ID`). They always win over the rules
and survive refetches. Keys: values (replace the computed ones), add, remove, hide, pin,
note, title (a corrected title). Edit by hand or with `feedkb override ID ...`."""


@dataclass(frozen=True)
class Override:
    values: tuple[str, ...] | None = None
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    hide: bool = False
    pin: bool = False
    note: str | None = None
    title: str | None = None

    def apply(self, computed: list[str]) -> list[str]:
        """The item's values once the curator's word is taken into account."""
        base = list(self.values) if self.values is not None else list(computed)
        chosen = set(base) | set(self.add)
        chosen -= set(self.remove)
        return [slug for slug in VALUE_SLUGS if slug in chosen]

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v not in (None, (), False)}


@dataclass(frozen=True)
class Overrides:
    path: Path
    by_id: dict[str, Override]
    lines: dict[str, int | None]  # where each item's entry starts, for doctor's messages


def load_overrides(curation_dir: Path) -> Overrides:
    """The overrides file; a missing file means no overrides."""
    path = curation_dir / OVERRIDES_FILE
    if not path.exists():
        return Overrides(path, {}, {})
    document = read_yaml(path)
    entries = _entries(path, document)
    problems: list[Problem] = []
    by_id = {}
    for item_id, body in entries.items():
        override = _parse_entry(path, entries, str(item_id), body, problems)
        if override:
            by_id[str(item_id)] = override
    if problems:
        raise ConfigError(problems)
    return Overrides(path, by_id, {str(k): line_of(entries, k) for k in entries})


def _entries(path: Path, document: Any) -> dict:
    document = top_mapping(
        path, document, "overrides", "an 'overrides:' mapping of item ids (or delete the file)"
    )
    extra = [
        Problem(path, line_of(document, k), "", f"unknown top-level key {k!r}")
        for k in document
        if k != "overrides"
    ]
    entries = document["overrides"] or {}
    if not isinstance(entries, dict):
        extra.append(
            Problem(
                path,
                line_of(document, "overrides"),
                "overrides",
                "must map item ids to their overrides",
            )
        )
    if extra:
        raise ConfigError(extra)
    return entries


def _parse_entry(
    path: Path, entries: dict, item_id: str, body: Any, problems: list[Problem]
) -> Override | None:
    where = f"item {item_id}"
    if not isinstance(body, dict):
        problems.append(
            Problem(
                path,
                line_of(entries, item_id),
                where,
                f"must be a mapping with some of: {', '.join(KNOWN_KEYS)}",
            )
        )
        return None
    before = len(problems)

    def problem(key: str, message: str) -> None:
        problems.append(Problem(path, line_of(body, key), where, message))

    for key in body:
        if key not in KNOWN_KEYS:
            problem(key, f"unknown key {key!r} (known: {', '.join(KNOWN_KEYS)})")
    lists: dict[str, tuple[str, ...]] = {}
    for key in LIST_KEYS:
        raw = body.get(key)
        if raw is None:
            continue
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            problem(key, f"'{key}' must be a list of value slugs")
            continue
        for slug in raw:
            if slug not in VALUE_SLUGS:
                problem(key, f"unknown value {slug!r} in '{key}' (known: {', '.join(VALUE_SLUGS)})")
        lists[key] = tuple(raw)
    for key in BOOL_KEYS:
        if key in body and not isinstance(body[key], bool):
            problem(key, f"'{key}' must be true or false")
    for key in TEXT_KEYS:
        if body.get(key) is not None and not isinstance(body[key], str):
            problem(key, f"'{key}' must be text")
    if len(problems) > before:
        return None
    return Override(
        values=lists.get("values"),
        add=lists.get("add", ()),
        remove=lists.get("remove", ()),
        hide=body.get("hide", False),
        pin=body.get("pin", False),
        note=body.get("note") or None,
        title=body.get("title") or None,
    )


@dataclass(frozen=True)
class OverrideEdit:
    """A change asked for on the command line; None and empty mean "leave as it is"."""

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    values: tuple[str, ...] | None = None
    hide: bool | None = None
    pin: bool | None = None
    note: str | None = None  # "" deletes the note
    title: str | None = None  # "" deletes the corrected title
    clear: bool = False  # forget everything said about the item first


def edit_override(curation_dir: Path, item_id: str, edit: OverrideEdit) -> Override:
    """Apply ``edit`` to the item's entry in overrides.yaml, keeping comments and order."""
    path = curation_dir / OVERRIDES_FILE
    document = load_yaml(path) if path.exists() else None
    if document is None:
        document = CommentedMap(overrides=CommentedMap())
        document.yaml_set_start_comment(HEADER)
    entries = _entries(path, document)
    if not isinstance(entries, CommentedMap):
        entries = document["overrides"] = CommentedMap()
    if edit.clear:
        entries.pop(item_id, None)
    entry = entries.setdefault(item_id, CommentedMap())
    _edit_lists(entry, edit)
    for key in ("hide", "pin"):
        if getattr(edit, key) is not None:
            _set_or_drop(entry, key, getattr(edit, key) or None)
    for key in TEXT_KEYS:
        if getattr(edit, key) is not None:
            _set_or_drop(entry, key, getattr(edit, key) or None)
    if not entry:
        del entries[item_id]
    save_yaml(path, document)
    return load_overrides(curation_dir).by_id.get(item_id, Override())


def _edit_lists(entry: CommentedMap, edit: OverrideEdit) -> None:
    if edit.values is not None:
        _set_or_drop(entry, "values", _flow(edit.values))
    add = [s for s in entry.get("add", []) if s not in edit.remove]
    remove = [s for s in entry.get("remove", []) if s not in edit.add]
    add += [s for s in edit.add if s not in add]
    remove += [s for s in edit.remove if s not in remove]
    _set_or_drop(entry, "add", _flow(add) if add else None)
    _set_or_drop(entry, "remove", _flow(remove) if remove else None)


def _flow(values: Any) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def _set_or_drop(entry: CommentedMap, key: str, value: Any) -> None:
    if value is None:
        entry.pop(key, None)
    else:
        entry[key] = value
