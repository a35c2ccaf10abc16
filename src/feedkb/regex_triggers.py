"""What a regular expression's syntax tree tells before running it: the finite set of strings
it matches, when there is one (so an Aho-Corasick automaton can find them), or the strings it
cannot match without (a cheap test to skip running it)."""

import re
from typing import Any

try:  # the parser behind re; public as sre_parse before Python 3.11
    from re import _constants as constants
    from re import _parser as parser
except ImportError:  # pragma: no cover
    import sre_constants as constants
    import sre_parse as parser

MAX_CLASS = 32  # a character class wider than this is not worth testing for
MAX_EXPANSION = 2000  # more strings than this: leave the expression to the regex engine
DIGITS = frozenset("0123456789")
TO_FULL_WIDTH = str.maketrans({c: chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def requirements(pattern: re.Pattern[str]) -> tuple[frozenset[str], ...]:
    """Sets of lower-case strings such that every match contains a string of each set (in
    either width): ``第\\d+代`` needs 第 and 代. Empty when nothing small is required. Sets
    with a digit are left out: nearly every text has one, so they would rule out nothing."""
    try:
        found = _requirements(parser.parse(pattern.pattern, pattern.flags))
    except (re.error, RecursionError):
        return ()
    return tuple(
        frozenset(s | {c.translate(TO_FULL_WIDTH) for c in s})
        for s in found
        if DIGITS.isdisjoint(s)
    )


def _requirements(items: Any) -> list[set[str]]:
    needed: list[set[str]] = []
    run = ""  # consecutive literal characters form one required string
    for op, av in items:
        if op is constants.LITERAL:
            run += chr(av).lower()
            continue
        if run:
            needed.append({run})
            run = ""
        needed += _item(op, av)
    if run:
        needed.append({run})
    return needed


def _item(op: Any, av: Any) -> list[set[str]]:
    if op is constants.IN:
        chars = _char_class(av)
        return [chars] if chars else []
    if op is constants.BRANCH:
        branches = [_requirements(branch) for branch in av[1]]
        if not all(branches):
            return []
        # One set per branch, the one least likely to be present by chance, joined.
        return [set().union(*(max(b, key=_rarity) for b in branches))]
    if op is constants.SUBPATTERN:
        return _requirements(av[-1])
    if op in (constants.MAX_REPEAT, constants.MIN_REPEAT) and av[0] >= 1:
        return _requirements(av[2])
    return []


def _rarity(strings: set[str]) -> tuple[int, int]:
    """Longer strings and fewer alternatives are rarer in text."""
    return min(map(len, strings)), -len(strings)


def _char_class(entries: Any) -> set[str] | None:
    chars: set[str] = set()
    for op, av in entries:
        if op is constants.CATEGORY and av is constants.CATEGORY_DIGIT:
            chars |= DIGITS
        elif op is constants.LITERAL:
            chars.add(chr(av).lower())
        elif op is constants.RANGE and av[1] - av[0] < MAX_CLASS:
            chars.update(chr(c).lower() for c in range(av[0], av[1] + 1))
        else:
            return None
    return chars if len(chars) <= MAX_CLASS else None


def finite_strings(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Lower-case strings such that ``pattern`` matches somewhere in a line exactly when one
    of them is there, if that is a small finite set and the pattern needs no context (no
    anchors or lookarounds); otherwise None. ``\\d+股`` matches where ``\\d股`` does: a
    repeated character at either end counts once, and an optional end not at all."""
    try:
        found = _expand_sequence(_core(list(parser.parse(pattern.pattern, pattern.flags))))
    except (re.error, RecursionError):
        return None
    if not found or "" in found:
        return None
    return frozenset(found)


def _core(items: list[Any]) -> list[Any]:
    """The part of a pattern every match in a line has: its ends trimmed as above."""
    while len(items) > 1 and _optional(items[-1]):
        items.pop()
    while len(items) > 1 and _optional(items[0]):
        items.pop(0)
    for end in (0, -1) if items else ():
        op, av = items[end]
        repeated = av[2] if op in (constants.MAX_REPEAT, constants.MIN_REPEAT) else ()
        if len(repeated) == 1 and av[0] >= 1 and _one_character(*repeated[0]):
            items[end] = repeated[0]
    return items


def _optional(item: Any) -> bool:
    op, av = item
    return op in (constants.MAX_REPEAT, constants.MIN_REPEAT) and av[0] == 0


def _one_character(op: Any, av: Any) -> bool:
    """A single character that is never a line break (so trimming keeps a match's line)."""
    if op is constants.LITERAL:
        return chr(av) != "\n"
    return op is constants.IN and _char_class(av) is not None


def _expand_sequence(items: Any) -> set[str] | None:
    strings = {""}
    for op, av in items:
        options = _expand_item(op, av)
        if options is None or len(strings) * len(options) > MAX_EXPANSION:
            return None
        strings = {head + tail for head in strings for tail in options}
    return strings


def _expand_item(op: Any, av: Any) -> set[str] | None:
    if op is constants.LITERAL:
        return {chr(av).lower()}
    if op is constants.IN:
        return _char_class(av)
    if op is constants.BRANCH:
        branches = [_expand_sequence(branch) for branch in av[1]]
        return None if any(b is None for b in branches) else set().union(*branches)
    if op is constants.SUBPATTERN:
        return _expand_sequence(av[-1])
    if op in (constants.MAX_REPEAT, constants.MIN_REPEAT) and av[1] <= 4:
        inner = _expand_sequence(av[2])
        if inner is None:
            return None
        options: set[str] = set()
        for count in range(av[0], av[1] + 1):
            repeated = {""}
            for _ in range(count):
                repeated = {head + tail for head in repeated for tail in inner}
                if len(repeated) > MAX_EXPANSION:
                    return None
            options |= repeated
        return options
    return None  # anchors, lookarounds, ".", unbounded repeats: context or infinity
