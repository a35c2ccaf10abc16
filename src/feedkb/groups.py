"""Near-duplicate stories: the same news under slightly different titles, grouped.

No all-pairs comparison: each title is reduced to its set of character bigrams, and titles are only
compared when they share two of their few rarest bigrams (the prefix filter of set-similarity
joins: titles of one story share their rare parts, a company's name usually, while the common
ones say nothing), within a few days of each other. A pair is the same story when its bigrams
overlap enough, its figures agree and the shorter title's rarest bigrams are in the other:
titles that share only a template ("X发布新一代…产品，面向中小企业") are different stories.
Items given the same story key (a deal's company and round) are one story too, however they
are worded.
"""

import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain, filterfalse

from feedkb.model import Item
from feedkb.text import fold_width

WINDOW = timedelta(days=3)
BLOCKING_KEYS = 6  # rarest bigrams a title is filed under
SHARED_BLOCKS = 2  # blocks two titles must share to be compared (fewer if filed in fewer)
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
NONE: frozenset[str] = frozenset()


@dataclass(slots=True)
class Title:
    """What grouping compares of a title."""

    bigrams: array  # see bigrams(); sets of them are made only where one is needed
    numbers: frozenset[str]
    rarest: list[int]  # its rarest bigrams among all titles, set for titles compared


@dataclass(frozen=True)
class Group:
    primary: str  # item id
    others: tuple[str, ...]


def title_features(title: str) -> Title:
    text = NOT_TEXT.sub("", fold_width(title[: MAX_TITLE * 2]).lower())[:MAX_TITLE]
    numbers = NUMBER.findall(text)
    return Title(bigrams(text), frozenset(numbers) if numbers else NONE, [])


def bigrams(text: str) -> array:
    """Each pair of neighbouring characters as one int, their two UTF-32 code units side by
    side: made in C, and unlike strings hashed the same on every run. An array, 8 bytes a
    pair: sets of ints take over 100, and the titles' sets were most of the memory, and much
    of the time, that grouping a large store took."""
    data = text.encode("utf-32-le")
    pairs = array("Q", data[: len(data) // 8 * 8])  # the pairs from even positions...
    pairs.frombytes(data[4 : 4 + (len(data) - 4) // 8 * 8])  # ...and from odd ones
    return pairs


def similar(a: Title, b: Title) -> bool:
    # Daily statistics share a template and differ in their figures: different stories.
    if a.numbers and b.numbers and a.numbers != b.numbers:
        return False
    in_a, in_b = set(a.bigrams), set(b.bigrams)
    shorter, in_longer = (a, in_b) if len(in_a) <= len(in_b) else (b, in_a)
    kept = len(in_longer.intersection(shorter.rarest))
    if kept < min(RARE_NEEDED, len(shorter.rarest)):
        return False
    shared = len(in_a & in_b)
    return (
        shared / (len(in_a) + len(in_b) - shared) >= MIN_JACCARD
        or shared / min(len(in_a), len(in_b)) >= MIN_CONTAINMENT
    )


class _Stories:
    """Union-find over item indexes: which items tell one story."""

    def __init__(self, parent: list[int]) -> None:
        self.parent = parent

    def root(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        self.parent[self.root(j)] = self.root(i)

    def roots(self) -> list[int]:
        parent = self.parent
        # Most items are a story of their own, or one step from its root: looked up inline.
        return [up if parent[up] == up else self.root(i) for i, up in enumerate(parent)]


def similar_title_roots(titles: Sequence[str], published: Sequence[str]) -> list[int]:
    """For each title, a representative index of the titles telling the same story.

    Takes and returns plain lists so it can run in another process.
    """
    features = [title_features(title) for title in titles]
    # A bigram twice in one title counts twice: rare, and the counts only order bigrams.
    frequency = Counter(chain.from_iterable(title.bigrams for title in features))
    judged = _pairs_to_judge(_candidate_blocks(features, frequency), _timestamps(published))
    for i in set(chain.from_iterable(judged)):
        features[i].rarest = _rarest_first(features[i].bigrams, frequency)[:RARE_KEPT]
    stories = _Stories(list(range(len(titles))))
    root = stories.root
    for i, j in judged:
        if root(i) != root(j) and similar(features[i], features[j]):
            stories.join(i, j)
    return stories.roots()


def _pairs_to_judge(blocks: list[list[int]], times: Sequence[float]) -> list[tuple[int, int]]:
    """Pairs in a block within the window that share ``SHARED_BLOCKS`` blocks, or every block
    one of them is in. Titles sharing one rare bigram of several are mostly different stories
    that share a fragment of a name; judging all of them was most of the time spent here."""
    pairs = _pairs_in_window(blocks, times)
    judged = [pair for pair, shared in pairs.items() if shared >= SHARED_BLOCKS]
    filed = Counter(chain.from_iterable(blocks))  # how many blocks each title is in
    few = {i for i, count in filed.items() if count < SHARED_BLOCKS}
    judged += [
        (i, j)
        for (i, j), shared in pairs.items()
        if shared < SHARED_BLOCKS and (i in few or j in few) and shared >= min(filed[i], filed[j])
    ]
    return judged


def group_duplicates(
    items: Sequence[Item],
    rank: dict[str, int] | None = None,
    story_keys: dict[str, str] | None = None,
    title_roots: list[int] | None = None,
) -> list[Group]:
    """Groups of two or more items telling the same story: alike titles (``title_roots``, if
    already computed by ``similar_title_roots``) or the same story key.

    The primary of a group is the lowest ``rank`` (0 for items it does not name; pinned items
    first, say), then the earliest published, then the smallest id, so the choice is stable
    from run to run.
    """
    published = [item.published for item in items]
    if title_roots is None:
        title_roots = similar_title_roots([item.title for item in items], published)
    stories = _Stories(list(title_roots))
    by_key: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        key = (story_keys or {}).get(item.id)
        if key:
            by_key[key].append(index)
    keyed = [members for members in by_key.values() if len(members) > 1]
    times = {i: _timestamp(published[i]) for members in keyed for i in members}
    for i, j in _pairs_in_window(keyed, times):
        stories.join(i, j)
    return _groups(items, stories.roots(), rank or {})


def _timestamps(published: Sequence[str]) -> list[float]:
    return list(map(_timestamp, published))


def _timestamp(moment: str) -> float:
    return datetime.fromisoformat(moment).timestamp()


def _pairs_in_window(
    blocks: list[list[int]], times: Sequence[float] | Mapping[int, float]
) -> Counter[tuple[int, int]]:
    """Pairs of members of a block published within the window of each other, with the
    number of blocks they share. The components the pairs make do not depend on order."""
    window = WINDOW.total_seconds()
    pairs: Counter[tuple[int, int]] = Counter()
    for members in blocks:
        members.sort(key=times.__getitem__)
        for n, i in enumerate(members):
            latest = times[i] + window
            for j in members[n + 1 :]:
                if times[j] > latest:
                    break
                pairs[(i, j)] += 1
    return pairs


def _candidate_blocks(titles: list[Title], frequency: Counter[int]) -> list[list[int]]:
    """Titles filed under each of their rarest bigrams that another title has too, the
    bigrams too common to tell stories apart left out unless a title has nothing else."""
    limit = max(MIN_COMMON, int(len(titles) * COMMON_SHARE))
    # A bigram no other title has would file a title alone.
    no_key = {bigram for bigram, count in frequency.items() if count == 1 or count > limit}
    blocks: dict[int, list[int]] = defaultdict(list)
    for index, title in enumerate(titles):
        if len(title.bigrams) < MIN_BIGRAMS:
            continue
        # Most titles have a few bigrams that are neither: only those are sorted.
        keys = sorted(
            set(filterfalse(no_key.__contains__, title.bigrams)), key=frequency.__getitem__
        )
        if not keys:
            keys = [key for key in _rarest_first(title.bigrams, frequency) if frequency[key] > 1]
        for key in keys[:BLOCKING_KEYS]:
            blocks[key].append(index)
    return [m for m in blocks.values() if 2 <= len(m) <= MAX_BLOCK]


def _rarest_first(pairs: array, frequency: Counter[int]) -> list[int]:
    return sorted(set(pairs), key=frequency.__getitem__)


def _groups(items: Sequence[Item], roots: list[int], rank: dict[str, int]) -> list[Group]:
    shared = {group_root for group_root, size in Counter(roots).items() if size > 1}
    members: dict[int, list[Item]] = defaultdict(list)
    for item, group_root in zip(items, roots, strict=True):
        if group_root in shared:  # most items are a story of their own
            members[group_root].append(item)
    groups = []
    for group in members.values():
        group.sort(key=lambda i: (rank.get(i.id, 0), i.published, i.id))
        groups.append(Group(group[0].id, tuple(i.id for i in group[1:])))
    return groups
