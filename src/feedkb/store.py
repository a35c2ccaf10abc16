"""The item store: JSON Lines per month under ``curation/items/``, state under ``curation/state/``.

Every file is replaced atomically, so a crash leaves each file old or new, never torn. Items are
written before source state, so a crash in between only means the next run fetches again and
the dedupe index drops what is already stored.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import orjson
from filelock import FileLock, Timeout

from feedkb.errors import StoreLockedError
from feedkb.fsutil import atomic_write_files
from feedkb.identity import identity_keys
from feedkb.model import Item

ITEMS_DIR = "items"
STATE_DIR = "state"
LOCK_FILE = ".lock"
FAILING_AFTER = 3


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
    # Ids of the entries the feed listed when last read: those are in the store (or were
    # found there), so a run whose feeds list nothing else need not read the store at all.
    entry_ids: list[str] = field(default_factory=list)

    @property
    def failing(self) -> bool:
        """Gone (410) or failed FAILING_AFTER times in a row: a curator should look at it."""
        return self.last_status == "410" or self.consecutive_failures >= FAILING_AFTER

    @classmethod
    def from_dict(cls, data: dict) -> "SourceState":
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


class Store:
    def __init__(self, curation_dir: Path) -> None:
        self.items_dir = curation_dir / ITEMS_DIR
        self.state_dir = curation_dir / STATE_DIR
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

    def month_files(self) -> list[Path]:
        return sorted(self.items_dir.glob("*.jsonl"))

    def load_items(self) -> list[Item]:
        """Every stored item, oldest month first."""
        items: list[Item] = []
        for path in self.month_files():
            items.extend(self._read_month(path))
        return items

    def _read_month(self, path: Path) -> Iterator[Item]:
        with path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    yield Item.from_dict(orjson.loads(line))
                except (orjson.JSONDecodeError, TypeError) as exc:
                    raise StoreError(f"{path}:{number}: not a valid item: {exc}") from None

    def add_items(
        self, index: "KeyIndex", existing: list[Item], candidates: Iterable[tuple[Item, list[str]]]
    ) -> list[Item]:
        """Store the candidate items (each with its identity keys) not already known.

        ``existing`` is what ``load_items`` returned and ``index`` was built from it; both are
        updated in place so a caller can add several batches. Returns the items added.
        """
        added = [item for item, keys in candidates if index.add(item.id, keys)]
        if added:
            touched = {item.month for item in added}
            by_month = group_by_month(i for i in existing if i.month in touched)
            for item in added:
                by_month[item.month].append(item)
            atomic_write_files(
                {
                    self.items_dir / f"{month}.jsonl": _month_file(month_items)
                    for month, month_items in by_month.items()
                }
            )
            existing.extend(added)
        return added

    # --- per-source state ----------------------------------------------------------------

    def load_state(self, source_id: str) -> SourceState:
        path = self.state_dir / f"{source_id}.json"
        try:
            return SourceState.from_dict(orjson.loads(path.read_bytes()))
        except FileNotFoundError:
            return SourceState()
        except (orjson.JSONDecodeError, TypeError) as exc:
            raise StoreError(f"{path}: not a valid source state: {exc}") from None

    def save_states(self, states: dict[str, SourceState]) -> None:
        """Each source's state in its own file, written in one batch."""
        atomic_write_files(
            {
                self.state_dir / f"{source_id}.json": orjson.dumps(
                    asdict(state), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
                )
                + b"\n"
                for source_id, state in states.items()
            }
        )


class KeyIndex:
    """Identity keys of stored items, for dedupe across URL variants and guids."""

    def __init__(self, items: Iterable[Item]) -> None:
        self._ids: set[str] = set()
        keys_per_item = [
            (item.id, identity_keys(item.source, item.guid, item.url)) for item in items
        ]
        # A URL several stored stories share (a feed linking every entry to one page)
        # identifies none of them.
        url_uses = Counter(k for _id, keys in keys_per_item for k in keys if k.startswith("url:"))
        self._keys: set[str] = {
            k for _id, keys in keys_per_item for k in keys if url_uses.get(k, 0) <= 1
        }
        self._ids.update(item_id for item_id, _keys in keys_per_item)

    def add(self, item_id: str, keys: list[str]) -> bool:
        """Remember a story; False when it is already known by its id or any key."""
        if item_id in self._ids or not self._keys.isdisjoint(keys):
            return False
        self._ids.add(item_id)
        self._keys.update(keys)
        return True


def group_by_month(items: Iterable[Item]) -> dict[str, list[Item]]:
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        groups[item.month].append(item)
    return groups


def _month_file(items: list[Item]) -> bytes:
    # Sorted so a new run's additions land at predictable places: small git diffs.
    items.sort(key=lambda i: (i.published, i.id))
    # orjson writes dataclasses itself, fields in their declared order.
    return b"".join(orjson.dumps(i, option=orjson.OPT_APPEND_NEWLINE) for i in items)
