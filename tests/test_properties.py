"""Property-based tests: date fallbacks and the store's write/read round trip."""

import time
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from feedkb.model import Item, format_utc
from feedkb.parse import EARLIEST_DATE, FUTURE_TOLERANCE, normalise_entry
from feedkb.store import KeyIndex, Store

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
moments = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


def struct(moment: datetime | None) -> time.struct_time | None:
    return moment.utctimetuple() if moment else None


@given(published=st.none() | moments, updated=st.none() | moments)
def test_published_is_the_first_plausible_date_or_first_seen(published, updated) -> None:
    entry = {
        "title": "t",
        "link": "http://e.example.com/1",
        "published_parsed": struct(published),
        "updated_parsed": struct(updated),
    }
    item, _keys = normalise_entry(entry, "s", NOW)

    def plausible(moment: datetime | None) -> bool:
        return moment is not None and EARLIEST_DATE <= moment <= NOW + FUTURE_TOLERANCE

    expected = next((m for m in (published, updated) if plausible(m)), NOW)
    assert item.published == format_utc(expected)
    assert item.first_seen == format_utc(NOW)


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
items = st.builds(
    Item,
    id=st.from_regex(r"[0-9a-f]{16}", fullmatch=True),
    source=st.sampled_from(["a", "b"]),
    title=texts,
    url=st.just(""),
    guid=texts,
    published=moments.map(lambda m: format_utc(m.replace(year=max(m.year, 1970)))),
    first_seen=st.just(format_utc(NOW)),
    authors=st.lists(texts, max_size=2),
    categories=st.lists(texts, max_size=2),
    summary=texts,
    content_html=texts,
    lang=st.sampled_from(["", "zh", "en"]),
)


@settings(max_examples=40, deadline=None)
@given(batch=st.lists(items, max_size=12, unique_by=lambda i: i.id))
def test_store_write_read_round_trip(tmp_path_factory, batch) -> None:
    curation = tmp_path_factory.mktemp("store")
    store = Store(curation)
    existing: list[Item] = []
    added = store.add_items(KeyIndex([]), existing, [(i, [f"id:{i.id}"]) for i in batch])
    assert {i.id for i in added} == {i.id for i in batch}
    loaded = {i.id: i for i in Store(curation).load_items()}
    assert loaded == {i.id: i for i in batch}
    again = store.add_items(KeyIndex(existing), existing, [(i, [f"id:{i.id}"]) for i in batch])
    assert again == []  # stored once


def test_dates_far_in_the_future_are_not_trusted() -> None:
    entry = {"title": "t", "published_parsed": struct(NOW + timedelta(days=400))}
    item, _keys = normalise_entry(entry, "s", NOW)
    assert item.published == format_utc(NOW)
