"""``feedkb prune``: what a curator does when the knowledge base has grown too big.

Items published before a date lose their summary (``summaries``: headline, link and date
stay, on every page) or go altogether (``items``). A dropped item's id stays in
``items/pruned/YYYY-MM.txt``, so a feed that still lists it, or lists it again, never brings
it back as new. Items the curator corrected (an entry in overrides.yaml) are kept whole: the
overrides name them, and they are the value model's examples.

A month's pruned ids are written before its files lose the items, and every file is replaced
atomically: a prune cut short leaves each item stored or known, and running it again
finishes the work.
"""

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from feedkb.model import Item
from feedkb.overrides import load_overrides
from feedkb.store import IDENTITY_DECODER, Store, read

DROPS = ("summaries", "items")


@dataclass
class PruneReport:
    before: str
    drop: str
    items: int = 0  # items that lost their summary, or were dropped
    files_rewritten: int = 0
    files_removed: int = 0
    bytes_before: int = 0  # of every file under items/
    bytes_after: int = 0


def prune(curation_dir: Path, before: date, drop: str) -> PruneReport:
    """Drop the summaries (``drop="summaries"``) or the whole items (``drop="items"``) of the
    items published before ``before`` (UTC), but for those the curator corrected."""
    if drop not in DROPS:
        raise ValueError(f"drop is one of {', '.join(DROPS)}, not {drop!r}")
    store = Store(curation_dir)
    corrected = load_overrides(curation_dir).by_id.keys()
    report = PruneReport(before.isoformat(), drop)
    with store.locked():
        report.bytes_before = _size(store)
        for month, paths in store.parts().items():
            if month <= report.before[:7]:
                _prune_month(store, month, paths, corrected, report)
        if drop == "items":
            _recount(store)
        report.bytes_after = _size(store)
    return report


def _prune_month(
    store: Store, month: str, paths: list[Path], corrected: Collection[str], report: PruneReport
) -> None:
    contents = {path: list(read(path)) for path in paths}

    def prunable(item: Item) -> bool:
        return item.published < report.before and item.id not in corrected

    if report.drop == "items":
        dropped = [item.id for items in contents.values() for item in items if prunable(item)]
        if not dropped:
            return
        store.add_pruned_ids(month, dropped)  # before the items go: never unknown in between
        contents = {path: [i for i in items if not prunable(i)] for path, items in contents.items()}
        report.items += len(dropped)
    else:
        for item in (i for items in contents.values() for i in items if prunable(i)):
            report.items += bool(item.summary)
            item.summary = ""
    rewritten, removed = store.replace_parts(contents)
    report.files_rewritten += rewritten
    report.files_removed += removed


def _recount(store: Store) -> None:
    """Each source's item count, counted from the store (fetch adds to it run by run)."""
    counts = Counter(
        identity.source
        for paths in store.parts().values()
        for path in paths
        for identity in read(path, IDENTITY_DECODER)
    )
    changed = {sid: s for sid, s in store.load_states().items() if s.item_count != counts[sid]}
    for source_id, state in changed.items():
        state.item_count = counts[source_id]
    store.save_states(changed)


def _size(store: Store) -> int:
    return sum(path.stat().st_size for path in store.items_dir.rglob("*") if path.is_file())
