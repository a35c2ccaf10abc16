"""Near-duplicate stories: the same news under slightly different titles, grouped.

No all-pairs comparison: each title is reduced to its character bigrams, and titles are only
compared when they share one of their rarest bigrams (a company name, a number), within a few
days of each other. Pairs are then confirmed by bigram overlap.
"""

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from feedkb.model import Item, parse_utc

WINDOW = timedelta(days=3)
BLOCKING_KEYS = 4  # rarest bigrams per title used to find candidates
MAX_BLOCK = 300  # a bigram shared by more titles than this says nothing about identity
MIN_JACCARD = 0.5
MIN_CONTAINMENT = 0.8  # a title that is a shortened version of the other
MIN_BIGRAMS = 5  # shorter titles are too generic to group
NOT_TEXT = re.compile(r"[\W_]+")
NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Title:
    """What grouping compares of a title."""

    bigrams: frozenset[str]
    numbers: frozenset[str]


@dataclass(frozen=True)
class Group:
    primary: str  # item id
    others: tuple[str, ...]


def title_features(title: str) -> Title:
    text = NOT_TEXT.sub("", unicodedata.normalize("NFKC", title).lower())
    return Title(
        frozenset(text[i : i + 2] for i in range(len(text) - 1)), frozenset(NUMBER.findall(text))
    )


def similar(a: Title, b: Title) -> bool:
    # Daily statistics share a template and differ in their figures: different stories.
    if a.numbers and b.numbers and a.numbers.isdisjoint(b.numbers):
        return False
    shared = len(a.bigrams & b.bigrams)
    if not shared:
        return False
    return (
        shared / len(a.bigrams | b.bigrams) >= MIN_JACCARD
        or shared / min(len(a.bigrams), len(b.bigrams)) >= MIN_CONTAINMENT
    )


def group_duplicates(items: Sequence[Item], rank: dict[str, int] | None = None) -> list[Group]:
    """Groups of two or more items telling the same story.

    The primary of a group is the lowest ``rank`` (pinned items first, say), then the earliest
    published, then the smallest id, so the choice is stable from run to run.
    """
    titles = [title_features(item.title) for item in items]
    frequency = Counter(b for title in titles for b in title.bigrams)
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, title in enumerate(titles):
        if len(title.bigrams) >= MIN_BIGRAMS:
            for key in sorted(title.bigrams, key=lambda b: (frequency[b], b))[:BLOCKING_KEYS]:
                blocks[key].append(index)
    times = [parse_utc(item.published) for item in items]
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        members.sort(key=times.__getitem__)
        for n, i in enumerate(members):
            for j in members[n + 1 :]:
                if times[j] - times[i] > WINDOW:
                    break
                if root(i) != root(j) and similar(titles[i], titles[j]):
                    parent[root(j)] = root(i)
    return _groups(items, [root(i) for i in range(len(items))], rank or {})


def _groups(items: Sequence[Item], roots: list[int], rank: dict[str, int]) -> list[Group]:
    members: dict[int, list[Item]] = defaultdict(list)
    for item, group_root in zip(items, roots, strict=True):
        members[group_root].append(item)
    groups = []
    for group in members.values():
        if len(group) > 1:
            group.sort(key=lambda i: (rank.get(i.id, 0), i.published, i.id))
            groups.append(Group(group[0].id, tuple(i.id for i in group[1:])))
    return groups
