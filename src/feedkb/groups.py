"""Near-duplicate stories: the same news under slightly different titles, grouped.

No all-pairs comparison: each title is reduced to its character bigrams, and titles are only
compared when they share one of their bottom-k bigrams under a fixed hash (a MinHash sketch:
two titles with Jaccard similarity J share the minimum with probability J), within a few days
of each other. A pair is the same story when its bigrams overlap enough, its figures agree and
the shorter title's rarest bigrams (a company's name, usually) are in the other: titles that
share only a template ("X发布新一代…产品，面向中小企业") are different stories. Items given
the same story key (a deal's company and round) are one story too, however they are worded.
"""

import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from feedkb.model import Item
from feedkb.text import fold_width

WINDOW = timedelta(days=3)
BLOCKING_KEYS = 6  # bottom-k sketch size: a pair with J = 0.5 is missed about 1.5% of the time
COMMON_SHARE = 0.01  # bigrams in more than 1% of titles (融资, 发布) say nothing about identity
MIN_COMMON = 50
MAX_BLOCK = 300
MIN_JACCARD = 0.5
MIN_CONTAINMENT = 0.8  # a title that is a shortened version of the other
RARE_KEPT = 3  # the shorter title's rarest bigrams looked for in the other...
RARE_NEEDED = 2  # ...and how many of them must be there
MIN_BIGRAMS = 5  # shorter titles are too generic to group
MAX_TITLE = 200  # characters of a title compared: enough to tell stories apart
NOT_TEXT = re.compile(r"[\W_]+")
NUMBER = re.compile(r"\d+")
HAS_DIGIT = re.compile(r"\d")
NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Title:
    """What grouping compares of a title."""

    bigrams: frozenset[str]
    numbers: frozenset[str]
    rarest: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    primary: str  # item id
    others: tuple[str, ...]


def title_features(title: str) -> Title:
    text = NOT_TEXT.sub("", fold_width(title[: MAX_TITLE * 2]).lower())[:MAX_TITLE]
    bigrams = frozenset([text[i : i + 2] for i in range(len(text) - 1)])
    return Title(bigrams, frozenset(NUMBER.findall(text)) if HAS_DIGIT.search(text) else NONE)


def similar(a: Title, b: Title) -> bool:
    # Daily statistics share a template and differ in their figures: different stories.
    if a.numbers and b.numbers and a.numbers != b.numbers:
        return False
    size_a, size_b = len(a.bigrams), len(b.bigrams)
    shorter, longer = (a, b) if size_a <= size_b else (b, a)
    kept = sum(bigram in longer.bigrams for bigram in shorter.rarest)
    if kept < min(RARE_NEEDED, len(shorter.rarest)):
        return False
    shared = len(a.bigrams & b.bigrams)
    return (
        shared / (size_a + size_b - shared) >= MIN_JACCARD
        or shared / min(size_a, size_b) >= MIN_CONTAINMENT
    )


class _Stories:
    """Union-find over item indexes: which items tell one story."""

    def __init__(self, parent: list[int], times: list[float]) -> None:
        self.parent, self.times = parent, times

    def root(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(self, members: list[int], judge: Callable[[int, int], bool] | None = None) -> None:
        """Join members published within the window of each other that ``judge`` accepts."""
        members.sort(key=self.times.__getitem__)
        window = WINDOW.total_seconds()
        for n, i in enumerate(members):
            for j in members[n + 1 :]:
                if self.times[j] - self.times[i] > window:
                    break
                if self.root(i) != self.root(j) and (judge is None or judge(i, j)):
                    self.parent[self.root(j)] = self.root(i)


def similar_title_roots(titles: Sequence[str], published: Sequence[str]) -> list[int]:
    """For each title, a representative index of the titles telling the same story.

    Takes and returns plain lists so it can run in another process.
    """
    features = [title_features(title) for title in titles]
    frequency = Counter(b for f in features for b in f.bigrams)
    features = [
        Title(f.bigrams, f.numbers, tuple(sorted(f.bigrams, key=frequency.__getitem__)[:RARE_KEPT]))
        for f in features
    ]
    stories = _Stories(list(range(len(titles))), _timestamps(published))
    compared: set[tuple[int, int]] = set()  # a pair sharing several keys is judged once

    def judge(i: int, j: int) -> bool:
        if (i, j) in compared:
            return False
        compared.add((i, j))
        return similar(features[i], features[j])

    for members in _candidate_blocks(features, frequency, len(titles)):
        stories.join(members, judge)
    return [stories.root(i) for i in range(len(titles))]


def group_duplicates(
    items: Sequence[Item],
    rank: dict[str, int] | None = None,
    story_keys: dict[str, str] | None = None,
    title_roots: list[int] | None = None,
) -> list[Group]:
    """Groups of two or more items telling the same story: alike titles (``title_roots``, if
    already computed by ``similar_title_roots``) or the same story key.

    The primary of a group is the lowest ``rank`` (pinned items first, say), then the earliest
    published, then the smallest id, so the choice is stable from run to run.
    """
    published = [item.published for item in items]
    if title_roots is None:
        title_roots = similar_title_roots([item.title for item in items], published)
    stories = _Stories(list(title_roots), _timestamps(published))
    by_key: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        key = (story_keys or {}).get(item.id)
        if key:
            by_key[key].append(index)
    for members in by_key.values():
        stories.join(members)
    return _groups(items, [stories.root(i) for i in range(len(items))], rank or {})


def _timestamps(published: Sequence[str]) -> list[float]:
    return [datetime.fromisoformat(moment).timestamp() for moment in published]


def _candidate_blocks(titles: list[Title], frequency: Counter, count: int) -> list[list[int]]:
    common = max(MIN_COMMON, int(count * COMMON_SHARE))
    hashes: dict[str, int] = {}
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, title in enumerate(titles):
        if len(title.bigrams) < MIN_BIGRAMS:
            continue
        telling = [b for b in title.bigrams if frequency[b] <= common] or list(title.bigrams)
        for bigram in telling:
            if bigram not in hashes:
                # A fixed hash, not Python's salted hash(): the same groups on every run.
                hashes[bigram] = zlib.crc32(bigram.encode())
        for key in sorted(telling, key=hashes.__getitem__)[:BLOCKING_KEYS]:
            blocks[key].append(index)
    return [m for m in blocks.values() if 2 <= len(m) <= MAX_BLOCK]


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
