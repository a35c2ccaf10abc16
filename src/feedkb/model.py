"""The plain data that flows between the stages."""

from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_utc(moment: datetime) -> str:
    """``moment`` as the store writes dates: ISO 8601 in UTC, to the second."""
    return moment.astimezone(UTC).strftime(DATE_FORMAT)


def parse_utc(text: str) -> datetime:
    return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=UTC)


@dataclass(slots=True)
class Item:
    """One stored story. Dates are strings in ``DATE_FORMAT`` so they sort as text.

    No article body is kept: the summary (plain text, at most ``text.SUMMARY_WIDTH``
    columns) is all the text that pages, search, tagging and the model read, and full-text
    feeds would make the store in git grow by gigabytes a year. Stores written before kept the
    sanitised body as ``content_html``: reading ignores it, and a file loses it when next
    written.
    """

    id: str
    source: str
    title: str
    url: str
    guid: str
    published: str
    first_seen: str
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    summary: str = ""
    lang: str = ""

    @property
    def month(self) -> str:
        """The store partition this item lives in, ``YYYY-MM``."""
        return self.published[:7]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Item":
        # Unknown keys are ignored so an older feedkb can read a newer store.
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})
