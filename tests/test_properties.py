"""Property-based tests: date fallbacks, the store's write/read round trip, the fast YAML
reader typing scalars as the round-trip loader does, and the tagger's shortcuts (automaton,
expression triggers) finding what a plain search of every term finds."""

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from feedkb.model import Item, format_utc
from feedkb.parse import EARLIEST_DATE, FUTURE_TOLERANCE, normalise_entry
from feedkb.regex_triggers import TO_FULL_WIDTH
from feedkb.rules import Rules, load_rules
from feedkb.store import Store
from feedkb.tagging import BODY, TITLE, Tagger
from feedkb.text import fold_width
from feedkb.yamlfile import load_yaml, read_yaml
from tests.conftest import REPO

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
    published=moments.filter(lambda m: m.year >= 1970).map(format_utc),
    first_seen=st.just(format_utc(NOW)),
    authors=st.lists(texts, max_size=2),
    categories=st.lists(texts, max_size=2),
    summary=texts,
    lang=st.sampled_from(["", "zh", "en"]),
)


@settings(max_examples=40, deadline=None)
@given(batch=st.lists(items, max_size=12, unique_by=lambda i: i.id))
def test_store_write_read_round_trip(tmp_path_factory, batch) -> None:
    curation = tmp_path_factory.mktemp("store")
    store = Store(curation)
    added = store.add_items((i, [f"id:{i.id}"]) for i in batch)
    assert {i.id for i in added} == {i.id for i in batch}
    loaded = {i.id: i for i in Store(curation).load_items()}
    assert loaded == {i.id: i for i in batch}
    again = store.add_items((i, [f"id:{i.id}"]) for i in batch)
    assert again == []  # stored once


# Characters of YAML's numbers, booleans, nulls and dates, to find where the two loaders'
# rules for plain scalars could part.
plain_scalars = st.text("0123456789.-+_:eEoxbOXBtrueTRUEFalsnNL~ yYinfINF", min_size=1, max_size=10)


def loaded(load, path: Path) -> object:
    try:
        return load(path)["k"]
    except Exception as exc:
        return type(exc)


def kind(value: object) -> type:
    return next(
        t for t in (bool, int, float, str, datetime, date, type(None), type) if isinstance(value, t)
    )


@settings(max_examples=300, deadline=None)
@given(value=plain_scalars)
def test_fast_reader_types_scalars_as_the_round_trip_loader(tmp_path_factory, value) -> None:
    path = tmp_path_factory.mktemp("yaml") / "x.yaml"
    path.write_text(f"k: {value}\n", encoding="utf-8")
    fast, round_trip = loaded(read_yaml, path), loaded(load_yaml, path)
    assert kind(fast) is kind(round_trip), (value, fast, round_trip)
    # When both fail, their messages differ; otherwise the values are equal (nan is nan).
    if kind(fast) is not type:
        assert fast == round_trip or (fast != fast and round_trip != round_trip), value


def test_dates_far_in_the_future_are_not_trusted() -> None:
    entry = {"title": "t", "published_parsed": struct(NOW + timedelta(days=400))}
    item, _keys = normalise_entry(entry, "s", NOW)
    assert item.published == format_utc(NOW)


RULES = load_rules(REPO / "curation")
TAGGER = Tagger(RULES)
TERMS = sorted({term.text for tag in RULES.tags.values() for term in tag.terms + tag.negative})
# Pieces of terms, digits and the characters expressions look for, so that random texts
# match terms, almost match them, and match them across the title/summary boundary.
PIECES = st.one_of(
    st.sampled_from(TERMS),
    st.sampled_from(TERMS).map(lambda term: term.upper().translate(TO_FULL_WIDTH)),
    st.text(
        alphabet="".join(sorted(set("".join(TERMS)))) + "0123456789０５:：-－ 　\n", max_size=3
    ),
)
texts = st.lists(PIECES, max_size=10).map("".join)


def every_term_searched(rules: Rules, title: str, summary: str) -> list[tuple[str, str, str]]:
    """What the tagger must find: each term searched for on its own, title first."""
    title, summary = title.lower(), summary.lower()
    found = []
    for slug, tag in rules.tags.items():
        for term in tag.terms + tag.negative:
            if term.regex is None:
                forms = (term.text, term.text.translate(TO_FULL_WIDTH))
                where = next(
                    (
                        w
                        for w, t in ((TITLE, title), (BODY, summary))
                        if any(form in t for form in forms)
                    ),
                    None,
                )
            else:
                match = term.regex.search(fold_width(f"{title}\n{summary}"))
                where = match and (TITLE if match.start() < len(title) else BODY)
            if where:
                found.append((slug, term.text, where))
    return sorted(found)


@given(texts, texts)
@settings(max_examples=400, deadline=None)
def test_tagger_finds_what_searching_every_term_finds(title: str, summary: str) -> None:
    tagging = TAGGER.tag_text(title, summary)
    found = sorted(
        (slug, match.term, match.where)
        for slug, matches in tagging.evidence.items()
        for match in matches
    )
    assert found == every_term_searched(RULES, title, summary)
