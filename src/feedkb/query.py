"""Selecting stored items for listing: the library side of ``feedkb items``."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from feedkb.model import Item, format_utc
from feedkb.sources import Source


def parse_since(text: str) -> str:
    """A ``--since`` value (a date or an ISO date-time) as a store date string."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD or an ISO date-time)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_utc(moment)


def item_values(item: Item, sources: dict[str, Source]) -> list[str]:
    """The value tags of an item: for now, the hints of the source it came from."""
    source = sources.get(item.source)
    return list(source.values) if source else []


def select_items(
    items: Iterable[Item],
    sources: dict[str, Source],
    *,
    source_ids: Iterable[str] = (),
    since: str | None = None,
    value: str | None = None,
    limit: int | None = None,
) -> list[Item]:
    """Items matching every given filter, newest first."""
    wanted_sources = set(source_ids)
    chosen = [
        item
        for item in items
        if (not wanted_sources or item.source in wanted_sources)
        and (since is None or item.published >= since)
        and (value is None or value in item_values(item, sources))
    ]
    chosen.sort(key=lambda i: (i.published, i.id), reverse=True)
    return chosen[:limit] if limit is not None else chosen


def item_record(item: Item, sources: dict[str, Source]) -> dict[str, Any]:
    """Every stored field of ``item`` plus the computed ones, as ``items --format json`` shows."""
    return {**item.to_dict(), "values": item_values(item, sources)}
