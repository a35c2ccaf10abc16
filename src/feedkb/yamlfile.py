"""Reading and writing curator-owned YAML: errors carry line numbers, edits keep comments."""

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from feedkb.errors import ConfigError
from feedkb.fsutil import atomic_write_bytes


def _yaml() -> YAML:
    yaml = YAML()  # round-trip mode: keeps comments and key order for the curator
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def load_yaml(path: Path) -> Any:
    """Parse ``path``; a syntax error becomes a ConfigError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError.one(path, None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError.one(path, None, f"not UTF-8 text ({exc.reason})") from None
    try:
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise ConfigError.one(path, line, f"YAML syntax error: {message}") from None
    except YAMLError as exc:
        raise ConfigError.one(path, None, f"YAML error: {exc}") from None


def save_yaml(path: Path, data: Any) -> None:
    """Write ``data`` back atomically, keeping the comments it was loaded with."""
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    atomic_write_bytes(path, buffer.getvalue().encode("utf-8"))


def line_of(node: Any, key: str | int | None = None) -> int | None:
    """1-based line of a mapping key or sequence item in a loaded document, if known."""
    try:
        if key is None:
            return node.lc.line + 1
        if isinstance(node, CommentedMap):
            return node.lc.key(key)[0] + 1
        if isinstance(node, CommentedSeq):
            return node.lc.item(key)[0] + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None
    return None


def top_mapping(path: Path, document: Any, key: str, expected: str) -> dict:
    """The document's top-level mapping, which must hold ``key``; ``expected`` says what the
    file should contain, for the message when it is empty or shaped otherwise."""
    if document is None:
        raise ConfigError.one(path, None, f"file is empty: expected {expected}")
    if not isinstance(document, dict) or key not in document:
        raise ConfigError.one(path, line_of(document), f"expected {expected} at the top")
    return document
