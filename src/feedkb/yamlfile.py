"""Reading and writing curator-owned YAML: errors carry line numbers, edits keep comments.

Two loaders give the same values (YAML 1.2's rules, which ruamel follows): ``read_yaml``, for
reading, composes the document with libyaml (C, through PyYAML) into plain dicts and lists that
know their lines, ten times faster than ruamel's round-trip loader; ``load_yaml``, for edits,
keeps comments and key order so ``save_yaml`` writes the curator's file back as it was.
"""

import io
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.resolver import implicit_resolvers
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from feedkb.errors import ConfigError
from feedkb.fsutil import atomic_write_bytes
from feedkb.gcpause import paused_gc

TAG = "tag:yaml.org,2002:"
STR, MAP, SEQ, MERGE = f"{TAG}str", f"{TAG}map", f"{TAG}seq", f"{TAG}merge"


def _plain_types() -> dict[str, list[tuple[str, Any]]]:
    """ruamel's own table of YAML 1.2 plain-scalar types (tag and matcher), by first character:
    read_yaml types a scalar as load_yaml does (PyYAML's table is YAML 1.1's, where yes, on
    and 010 mean other things)."""
    table: dict[str, list[tuple[str, Any]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions:
            for char in first:
                # The pattern's own match: ruamel wraps patterns in a slower lazy proxy.
                table.setdefault(char, []).append((tag, regexp.match))
    return table


PLAIN_TYPES = _plain_types()
SCALARS = {
    STR: lambda node: node.value,
    f"{TAG}null": lambda node: None,
    f"{TAG}bool": lambda node: {"true": True, "false": False}[node.value.lower()],
    f"{TAG}int": lambda node: _int(node.value),
    f"{TAG}float": lambda node: float(
        node.value.lower().replace("_", "").replace(".inf", "inf").replace(".nan", "nan")
    ),
    f"{TAG}timestamp": SafeConstructor().construct_yaml_timestamp,
}
# libyaml's parser where PyYAML was built with it, as its wheels are; else PyYAML's own.
_BaseLoader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class LineMap(dict):
    """A mapping from ``read_yaml``, with the line it starts on and the line of each key."""

    __slots__ = ("key_lines", "line")


class LineList(list):
    """A sequence from ``read_yaml``, with the line it starts on and the line of each item."""

    __slots__ = ("item_lines", "line")


def read_yaml(path: Path) -> Any:
    """Parse ``path`` for reading: plain dicts and lists that know their lines (see
    ``line_of``); a syntax error becomes a ConfigError naming file and line."""
    text = _read_text(path)
    with paused_gc():  # tens of thousands of nodes, no cycles: the collector only slows it
        try:
            node = _Composer(text).get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise _syntax_error(path, exc) from None
        except yaml.YAMLError as exc:
            raise ConfigError.one(path, None, f"YAML error: {exc}") from None
        return None if node is None else _Builder(path).value(node)


class _Composer(_BaseLoader):
    """libyaml's node tree, plain scalars typed by YAML 1.2's rules."""

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is not ScalarNode:
            return SEQ if kind is SequenceNode else MAP
        if implicit[0]:
            for tag, match in PLAIN_TYPES.get(value[:1], ()):
                if match(value):
                    return tag
        return STR


class _Builder:
    """Values from a node tree: scalars typed by their tags, containers with their lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.built: dict[int, Any] = {}  # containers by node, for aliases to share them

    def value(self, node: Node) -> Any:
        if type(node) is ScalarNode:
            # Text first, straight from the node: most values and nearly every key are.
            return node.value if node.tag == STR else self.scalar(node)
        if id(node) in self.built:
            return self.built[id(node)]
        if node.tag not in (MAP, SEQ):
            raise self.error(node, f"unsupported tag {node.tag!r}")
        return self.mapping(node) if isinstance(node, MappingNode) else self.sequence(node)

    def scalar(self, node: ScalarNode) -> Any:
        make = SCALARS.get(node.tag)
        if make is None:
            raise self.error(node, f"unsupported tag {node.tag!r}")
        try:
            return make(node)
        except (KeyError, ValueError, yaml.YAMLError):
            raise self.error(node, f"{node.value!r} is not a valid {node.tag}") from None

    def sequence(self, node: SequenceNode) -> LineList:
        items = self.built[id(node)] = LineList()
        items.line = _line(node)
        items.extend(self.value(item) for item in node.value)
        items.item_lines = [_line(item) for item in node.value]
        return items

    def mapping(self, node: MappingNode) -> LineMap:
        mapping = self.built[id(node)] = LineMap()
        mapping.line, mapping.key_lines = _line(node), {}
        merged: list[LineMap] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE:
                merged += self.merged(value_node)
                continue
            key = self.value(key_node)
            if isinstance(key, LineMap | LineList):
                raise self.error(key_node, "a key must be text, a number or a date")
            if key in mapping:
                first = mapping.key_lines[key]
                raise self.error(key_node, f"duplicate key {key!r} (first on line {first})")
            mapping[key], mapping.key_lines[key] = self.value(value_node), _line(key_node)
        for source in merged:  # YAML's merge keys (<<): own keys win, then earlier sources
            for key in source:
                if key not in mapping:
                    mapping[key], mapping.key_lines[key] = source[key], source.key_lines[key]
        return mapping

    def merged(self, node: Node) -> list[LineMap]:
        sources = self.value(node)
        sources = sources if isinstance(sources, LineList) else [sources]
        if not all(isinstance(source, LineMap) for source in sources):
            raise self.error(node, "a merge key (<<) takes a mapping or a list of mappings")
        return sources

    def error(self, node: Node, message: str) -> ConfigError:
        return ConfigError.one(self.path, _line(node), f"YAML error: {message}")


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _int(text: str) -> int:
    digits = text.replace("_", "")
    prefixed = digits.lstrip("+-")[:2].lower() in ("0b", "0o", "0x")
    return int(digits, 0 if prefixed else 10)  # YAML 1.2: 010 is ten, 0o10 is eight


def _yaml() -> YAML:
    round_trip = YAML()  # keeps comments and key order for the curator
    round_trip.indent(mapping=2, sequence=4, offset=2)
    round_trip.width = 4096
    return round_trip


def load_yaml(path: Path) -> Any:
    """Parse ``path`` for editing (comments kept); a syntax error becomes a ConfigError
    naming file and line. To read only, ``read_yaml`` is ten times faster."""
    text = _read_text(path)
    try:
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        raise _syntax_error(path, exc) from None
    except YAMLError as exc:
        raise ConfigError.one(path, None, f"YAML error: {exc}") from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError.one(path, None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError.one(path, None, f"not UTF-8 text ({exc.reason})") from None


def _syntax_error(path: Path, exc: MarkedYAMLError | yaml.MarkedYAMLError) -> ConfigError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
    return ConfigError.one(path, line, f"YAML syntax error: {message}")


def save_yaml(path: Path, data: Any) -> None:
    """Write ``data`` back atomically, keeping the comments it was loaded with."""
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    atomic_write_bytes(path, buffer.getvalue().encode("utf-8"))


def line_of(node: Any, key: str | int | None = None) -> int | None:
    """1-based line of a mapping key or sequence item in a loaded document, if known."""
    try:
        if isinstance(node, LineMap | LineList):
            lines = node.key_lines if isinstance(node, LineMap) else node.item_lines
            return node.line if key is None else lines[key]
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
