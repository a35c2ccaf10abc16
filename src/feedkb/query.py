"""Selecting knowledge-base entries for listing: the library side of ``feedkb items``."""

from collections.abc import Iterable
from datetime import UTC, datetime

from feedkb.kb import Entry
from feedkb.model import format_utc


def parse_since(text: str) -> str:
    """A ``--since`` value (a date or an ISO date-time) as a store date string."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD or an ISO date-time)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_utc(moment)


def select_entries(
    entries: Iterable[Entry],
    *,
    source_ids: Iterable[str] = (),
    since: str | None = None,
    value: str | None = None,
    visible_only: bool = False,
    limit: int | None = None,
) -> list[Entry]:
    """Entries matching every given filter, newest first."""
    wanted_sources = set(source_ids)
    chosen = [
        e
        for e in entries
        if (not wanted_sources or e.item.source in wanted_sources)
        and (since is None or e.item.published >= since)
        and (value is None or value in e.values)
        and not (visible_only and (e.hidden or e.duplicate_of))
    ]
    chosen.sort(key=lambda e: (e.item.published, e.id), reverse=True)
    return chosen[:limit] if limit is not None else chosen
