"""The item store: JSON Lines per month under ``curation/items/``, state in ``curation/state/``.

A month is one file, ``YYYY-MM.jsonl``, until the file would pass ``MAX_PART_BYTES``; later
items of that month go to ``YYYY-MM.2.jsonl``, ``YYYY-MM.3.jsonl``... Readers see every part
of a month as one month. Writing only ever adds to a month's last part or starts a new one:
an item never moves from one file to another, so no crash can lose one between two files.

Every file is replaced atomically, so a crash leaves each file old or new, never torn. Items are
written before source state, so a crash in between only means the next run fetches again and
the dedupe index drops what is already stored.
"""

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import orjson
from filelock import FileLock, Timeout

from feedkb.errors import StoreLockedError
from feedkb.fsutil import atomic_write_files, remove_files
from feedkb.identity import identity_keys
from feedkb.model import Item, format_utc, parse_utc

ITEMS_DIR = "items"
PRUNED_DIR = "pruned"  # under ITEMS_DIR: ids of pruned items, a file a month
STATE_DIR = "state"
# Every source's state in one file, not a file each: each run changes every source's state,
# and git stores a file's every version, so one file a commit costs a third of 300 files
# (~35 MB a year instead of ~110 at 300 sources). "_" begins no source id.
STATE_FILE = "_sources.json"
LOCK_FILE = ".lock"
FAILING_AFTER = 3
# GitHub warns about files over 50 MB and refuses 100 MB. Each run rewrites the last part of
# the months it adds to, so a smaller part is also less to write and for git to store.
MAX_PART_BYTES = 10 * 1024 * 1024
# A new entry is looked for among the items stored with dates up to this far from its own:
# a story retold by another source a few days later is still one story, and a run reads a
# month or two, not the whole store.
DEDUPE_SLACK = timedelta(days=7)
PART_NAME = re.compile(r"(?P<month>\d{4}-\d{2})(?:\.(?P<number>\d+))?\.jsonl")
URL_CONTROLS = str.maketrans("", "", "\t\r\n")  # urlsplit drops these wherever they are


class StoreError(Exception):
    """A store file cannot be read; names the file and line."""


@dataclass
class SourceState:
    """What feedkb remembers about a source between runs."""

    etag: str | None = None
    last_modified: str | None = None
    last_attempt: str | None = None
    last_success: str | None = None
    last_status: str | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    item_count: int = 0
    moved_to: str | None = None  # set when the feed answered with a permanent redirect
    retry_after: str | None = None  # the server asked us to wait until then (429/503)
    instance: str | None = None  # the RSSHub instance that last served a route: tried first
    # A route's etag and last-modified per RSSHub instance: each server has its own.
    validators: dict[str, list[str | None]] = field(default_factory=dict)
    # Ids of the entries the feed listed when it was last read: they are not looked up again
    # (a feed keeps listing an entry for days or years, undated ones under a new date each
    # time, and a run must not read the months they were stored in).
    listed: list[str] = field(default_factory=list)

    @property
    def failing(self) -> bool:
        """Gone (410) or failed FAILING_AFTER times in a row: a curator should look at it."""
        return self.last_status == "410" or self.consecutive_failures >= FAILING_AFTER

    @classmethod
    def from_dict(cls, data: dict) -> "SourceState":
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


class Identity(msgspec.Struct):
    """The fields of a stored item that dedupe reads: decoding only these skips the text."""

    id: str
    source: str
    guid: str = ""
    url: str = ""


ITEM_DECODER = msgspec.json.Decoder(Item)
IDENTITY_DECODER = msgspec.json.Decoder(Identity)


class Store:
    def __init__(self, curation_dir: Path, max_part_bytes: int = MAX_PART_BYTES) -> None:
        self.items_dir = curation_dir / ITEMS_DIR
        self.pruned_dir = self.items_dir / PRUNED_DIR
        self.state_dir = curation_dir / STATE_DIR
        self.state_path = self.state_dir / STATE_FILE
        self._states_read: tuple[tuple[int, int] | None, dict[str, dict]] = (None, {})
        self.max_part_bytes = max_part_bytes
        self._lock = FileLock(curation_dir / LOCK_FILE)

    @contextmanager
    def locked(
        self, timeout: float = 600, on_wait: Callable[[], None] | None = None
    ) -> Iterator[None]:
        """Hold the store lock; ``on_wait`` is called once if another run holds it."""
        self.items_dir.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            if on_wait:
                on_wait()
            try:
                self._lock.acquire(timeout=timeout)
            except Timeout:
                raise StoreLockedError(
                    f"another feedkb run still holds {self._lock.lock_file} after {timeout:.0f} s"
                ) from None
        try:
            yield
        finally:
            self._lock.release()

    # --- items -------------------------------------------------------------------------

    def parts(self) -> dict[str, list[Path]]:
        """Each month's files, months and parts in order."""
        months: dict[str, list[Path]] = defaultdict(list)
        for path in sorted(self.items_dir.glob("*.jsonl"), key=_month_and_part):
            months[_month_and_part(path)[0]].append(path)
        return months

    def load_items(self) -> list[Item]:
        """Every stored item, oldest month first."""
        return [item for paths in self.parts().values() for path in paths for item in read(path)]

    def add_items(self, candidates: Iterable[tuple[Item, list[str]]]) -> list[Item]:
        """Store the candidate items (each with its identity keys) not already known; return
        the items added.

        A candidate is known when an item stored, or pruned, with a date within DEDUPE_SLACK
        of its own has its id or shares a key with it, or an earlier candidate does. Only
        those months are read, so a run takes as long in a store of ten years as of one.
        """
        candidates = list(candidates)
        months = sorted({m for item, _keys in candidates for m in _months_near(item.published)})
        parts = self.parts()
        index = KeyIndex(
            (i for m in months for path in parts.get(m, []) for i in read(path, IDENTITY_DECODER)),
            self.pruned_ids(months),
            {key for _item, keys in candidates for key in keys},
        )
        added = [item for item, keys in candidates if index.add(item.id, keys)]
        if added:
            files: dict[Path, bytes] = {}
            for month, month_items in group_by_month(added).items():
                files.update(self._parts_after_adding(month, parts.get(month, []), month_items))
            atomic_write_files(files)
        return added

    def _parts_after_adding(
        self, month: str, parts: list[Path], new: list[Item]
    ) -> dict[Path, bytes]:
        """The month's last part with ``new`` items added while it stays under the size limit,
        and the new parts that take the rest."""
        number = _month_and_part(parts[-1])[1] if parts else 1
        rows = _rows(parts[-1]) if parts else []
        size = sum(len(line) for _order, line in rows)
        files = {}
        for row in sorted(map(_row, new)):
            # A part holds at least one item, however big: a single item is never split.
            if rows and size + len(row[1]) > self.max_part_bytes:
                files[self.part_path(month, number)] = _part_file(rows)
                number, rows, size = number + 1, [], 0
            rows.append(row)
            size += len(row[1])
        files[self.part_path(month, number)] = _part_file(rows)
        return files

    def part_path(self, month: str, number: int) -> Path:
        return self.items_dir / (f"{month}.jsonl" if number == 1 else f"{month}.{number}.jsonl")

    def replace_parts(self, contents: dict[Path, list[Item]]) -> tuple[int, int]:
        """Write each part anew with these of its items, removing the parts left empty;
        returns how many files were rewritten and how many removed. Unchanged parts are left
        alone."""
        rewritten = {
            path: data
            for path, items in contents.items()
            if items and (data := _part_file([_row(item) for item in items])) != path.read_bytes()
        }
        emptied = [path for path, items in contents.items() if not items]
        atomic_write_files(rewritten)
        remove_files(emptied)
        return len(rewritten), len(emptied)

    def add_pruned_ids(self, month: str, ids: Iterable[str]) -> None:
        """Remember ``ids`` as pruned from ``month``, one id a line, sorted for small diffs."""
        known = self.pruned_ids([month]) | set(ids)
        lines = "".join(f"{item_id}\n" for item_id in sorted(known))
        atomic_write_files({self.pruned_path(month): lines.encode()})

    def pruned_ids(self, months: Iterable[str]) -> set[str]:
        """Ids of the items pruned from these months: known, though no longer stored."""
        ids: set[str] = set()
        for month in months:
            path = self.pruned_path(month)
            if path.exists():
                ids.update(path.read_text(encoding="utf-8").split())
        return ids

    def pruned_path(self, month: str) -> Path:
        return self.pruned_dir / f"{month}.txt"

    # --- per-source state ----------------------------------------------------------------

    def load_states(self) -> dict[str, SourceState]:
        """Every source's state; a source never fetched has none."""
        return {sid: SourceState.from_dict(data) for sid, data in self._state_records().items()}

    def load_state(self, source_id: str) -> SourceState:
        return SourceState.from_dict(self._state_records().get(source_id, {}))

    def save_states(self, states: dict[str, SourceState]) -> None:
        """Note these sources' states, the others' as they were, in the one state file."""
        # vars, not asdict: asdict copies every list of ids on the way (0.09 s at 300 sources).
        records = {**self._state_records(), **{sid: vars(s) for sid, s in states.items()}}
        data = orjson.dumps(records, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
        atomic_write_files({self.state_path: data})
        remove_files(self._state_files_of_old())  # now in the state file

    def _state_records(self) -> dict[str, dict]:
        """The state file read once per version of it: commands ask source by source."""
        try:
            version = self.state_path.stat()
        except FileNotFoundError:
            return self._old_state_records()
        if self._states_read[0] != (version.st_mtime_ns, version.st_size):
            records = _json_object(self.state_path)
            for source_id, record in records.items():
                if not isinstance(record, dict):
                    raise StoreError(f"{self.state_path}: {source_id}: not a valid source state")
            self._states_read = (version.st_mtime_ns, version.st_size), records
        return self._states_read[1]

    def _old_state_records(self) -> dict[str, dict]:
        # Before STATE_FILE, each source had a file of its own: read until the next save.
        return {path.stem: _json_object(path) for path in self._state_files_of_old()}

    def _state_files_of_old(self) -> list[Path]:
        return [p for p in self.state_dir.glob("*.json") if p.name != STATE_FILE]


def _json_object(path: Path) -> dict:
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise StoreError(f"{path}: not a valid source state: {exc}") from None
    if not isinstance(data, dict):
        raise StoreError(f"{path}: not a valid source state: not a JSON object")
    return data


def read(path: Path, decoder: msgspec.json.Decoder = ITEM_DECODER) -> list[Any]:
    """The records of a month file, each line decoded by ``decoder``."""
    return _decoded(path, path.read_bytes(), decoder)


def _decoded(path: Path, data: bytes, decoder: msgspec.json.Decoder) -> list[Any]:
    try:
        return decoder.decode_lines(data)  # the whole file at once: twice as fast as by line
    except msgspec.DecodeError as error:
        for number, line in enumerate(data.splitlines(), 1):  # which line it is
            try:
                decoder.decode_lines(line)
            except msgspec.DecodeError as exc:
                raise StoreError(f"{path}:{number}: not a valid item: {exc}") from None
        raise StoreError(f"{path}: not valid JSON Lines: {error}") from None


class KeyIndex:
    """Identity keys of stored items, for dedupe across URL variants and guids."""

    def __init__(
        self, stored: Iterable[Identity], known_ids: Iterable[str], wanted: set[str]
    ) -> None:
        """Index the ``stored`` items and ``known_ids``, keying only the stored items that can
        have one of the ``wanted`` keys (the candidates' keys): working out every stored
        item's keys parses its URLs, most of a run's time when all were keyed."""
        self._ids: set[str] = set(known_ids)
        ends = {_path_end(key) for key in wanted if key.startswith("url:")}
        keys_per_item = []
        for item in stored:
            self._ids.add(item.id)
            if (
                f"guid:{item.source}:{item.guid}" in wanted
                or _may_have_url_key(item.url, ends)
                or (item.guid != item.url and _may_have_url_key(item.guid, ends))
            ):
                keys_per_item.append(identity_keys(item.source, item.guid, item.url))
        # A URL several stored stories share (a feed linking every entry to one page)
        # identifies none of them.
        url_uses = Counter(k for keys in keys_per_item for k in keys if k.startswith("url:"))
        self._keys: set[str] = {
            k for keys in keys_per_item for k in keys if url_uses.get(k, 0) <= 1
        }

    def add(self, item_id: str, keys: list[str]) -> bool:
        """Remember a story; False when it is already known by its id or any key."""
        if item_id in self._ids or not self._keys.isdisjoint(keys):
            return False
        self._ids.add(item_id)
        self._keys.update(keys)
        return True


def _month_and_part(path: Path) -> tuple[str, int]:
    match = PART_NAME.fullmatch(path.name)
    if not match:
        raise StoreError(
            f"{path}: not a month file of the store (YYYY-MM.jsonl, or YYYY-MM.N.jsonl for a "
            "month's later parts)"
        )
    return match["month"], int(match["number"] or 1)


def _path_end(key: str) -> str:
    """The last segment of the path in a ``url:`` key (the host, for a front page)."""
    return key.removeprefix("url:").split("?", 1)[0].rsplit("/", 1)[-1]


def _may_have_url_key(text: str, ends: set[str]) -> bool:
    """False only when ``url_key(text)`` can have none of these path ends.

    url_key keeps a page's path as it is but for trailing slashes (and tabs and newlines,
    which urlsplit drops anywhere), so comparing the last segment takes a few string
    operations where url_key parses the URL. A front page's key is its host, which url_key
    rewrites (case, ``www.``, port): a front page may always have the key.
    """
    if "\n" in text or "\t" in text or "\r" in text:  # rare: translate costs more than the rest
        text = text.translate(URL_CONTROLS)
    _scheme, sep, rest = text.strip().partition("://")
    if not sep:
        return False  # not an absolute URL: url_key gives it no key
    path = rest.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    return "/" not in path or path.rsplit("/", 1)[1] in ends


def _months_near(published: str) -> frozenset[str]:
    # By day: the slack is whole days, so the day decides the months, and a run's items
    # share a few days (parsing the date of each of thousands of items cost a tenth of a fetch).
    return _months_near_day(published[:10])


@functools.lru_cache(maxsize=1024)
def _months_near_day(day: str) -> frozenset[str]:
    moment = parse_utc(day + "T00:00:00Z")
    return frozenset(
        format_utc(moment + delta)[:7] for delta in (-DEDUPE_SLACK, timedelta(), DEDUPE_SLACK)
    )


def group_by_month(items: Iterable[Item]) -> dict[str, list[Item]]:
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        groups[item.month].append(item)
    return groups


class _Order(msgspec.Struct):
    published: str
    id: str


ORDER_DECODER = msgspec.json.Decoder(_Order)


def _rows(path: Path) -> list[tuple[tuple[str, str], bytes]]:
    """A part's lines as they are, each with its place in the order: decoding and encoding
    every item of the part again was a third of a run's time."""
    data = path.read_bytes()
    if b'"content_html"' in data:  # written before bodies were dropped: write its items anew
        return [_row(item) for item in read(path)]
    lines = [line + b"\n" for line in data.splitlines() if line.strip()]
    orders = _decoded(path, data, ORDER_DECODER)
    return [((o.published, o.id), line) for o, line in zip(orders, lines, strict=True)]


def _row(item: Item) -> tuple[tuple[str, str], bytes]:
    # orjson writes dataclasses itself, fields in their declared order.
    return (item.published, item.id), orjson.dumps(item, option=orjson.OPT_APPEND_NEWLINE)


def _part_file(rows: list[tuple[tuple[str, str], bytes]]) -> bytes:
    # Sorted so a new run's additions land at predictable places: small git diffs.
    return b"".join(line for _order, line in sorted(rows))
