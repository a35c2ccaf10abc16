"""The store on disk: month files in parts, stores written before, what a run reads, what
a source's last listing saves, the state file, and crashes in the middle of a write."""

import random
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedkb.identity import identity_keys, stable_id
from feedkb.ingest import store_listings
from feedkb.model import Item
from feedkb.store import Identity, KeyIndex, SourceState, Store, StoreError

LIMIT = 4000  # bytes a part: about eight of the items below


def item(n: int, published: str = "2026-05-10T08:00:00Z", source: str = "s") -> Item:
    url = f"https://e.example.com/news/{n}.html"
    return Item(
        id=stable_id(f"url:e.example.com/news/{n}.html"),
        source=source,
        title=f"第{n}条新闻",
        url=url,
        guid=url,
        published=published,
        first_seen=published,
        summary="某公司完成融资。" * 20,
    )


def entry(story: Item) -> tuple[Item, list[str]]:
    return story, identity_keys(story.source, story.guid, story.url)


def files_of(curation: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((curation / "items").glob("*.jsonl"))}


def test_a_full_month_goes_on_in_parts_that_readers_see_as_one(tmp_path: Path) -> None:
    store = Store(tmp_path, max_part_bytes=LIMIT)
    where: dict[str, str] = {}  # item id -> the file it was first written to
    for batch in range(6):
        store.add_items(entry(item(n)) for n in range(batch * 10, batch * 10 + 10))
        for name, data in files_of(tmp_path).items():
            assert len(data) <= LIMIT, name
            for line in data.splitlines():
                # Never moved: a crash between two files' writes cannot lose an item.
                assert where.setdefault(orjson.loads(line)["id"], name) == name
    names = list(files_of(tmp_path))
    assert "2026-05.jsonl" in names and "2026-05.2.jsonl" in names and len(names) >= 7
    loaded = store.load_items()
    assert sorted(i.id for i in loaded) == sorted(item(n).id for n in range(60))
    assert [p.name for p in store.parts()["2026-05"]][:3] == [
        "2026-05.jsonl",
        "2026-05.2.jsonl",
        "2026-05.3.jsonl",
    ]
    assert store.add_items(entry(item(n)) for n in range(60)) == []  # ids stay known


def test_a_store_written_before_loads_and_loses_its_bodies_when_next_written(
    tmp_path: Path,
) -> None:
    old = item(1).to_dict() | {"content_html": "<p>" + "正文" * 5000 + "</p>"}
    (tmp_path / "items").mkdir()
    (tmp_path / "items" / "2026-05.jsonl").write_bytes(orjson.dumps(old) + b"\n")
    store = Store(tmp_path)
    assert store.load_items() == [item(1)]
    store.add_items([entry(item(2, "2026-05-11T08:00:00Z"))])
    assert b"content_html" not in (tmp_path / "items" / "2026-05.jsonl").read_bytes()
    assert [i.title for i in store.load_items()] == ["第1条新闻", "第2条新闻"]


def test_a_file_that_is_no_month_is_named(tmp_path: Path) -> None:
    (tmp_path / "items").mkdir()
    (tmp_path / "items" / "notes.jsonl").write_text("{}\n", encoding="utf-8")
    with pytest.raises(StoreError, match=r"notes\.jsonl: not a month file of the store"):
        Store(tmp_path).load_items()


def test_a_run_reads_only_the_months_near_its_entries(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.add_items([entry(item(1))])
    (tmp_path / "items" / "2020-01.jsonl").write_bytes(b"damaged\n")
    assert store.add_items([entry(item(2, "2026-05-11T08:00:00Z"))])  # never read 2020-01
    with pytest.raises(StoreError, match=r"2020-01\.jsonl:1: not a valid item"):
        store.load_items()


def test_a_story_retold_days_later_across_a_month_end_is_one_story(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.add_items([entry(item(1, "2026-04-29T23:00:00Z", source="a"))])
    retold = replace(item(1, "2026-05-03T08:00:00Z", source="b"), guid="b-1", id="b" * 16)
    assert store.add_items([entry(retold)]) == []


def test_an_entry_its_feed_keeps_listing_is_looked_up_once(tmp_path: Path) -> None:
    """An undated entry is dated when seen: listed again months later, it is still known,
    though its new date is far from the month it was stored in."""
    store = Store(tmp_path)
    states = {"s": SourceState()}
    january, june = item(1, "2026-01-10T08:00:00Z"), item(1, "2026-06-10T08:00:00Z")
    assert store_listings(store, states, {"s": [entry(january)]}) == [january]
    assert store_listings(store, states, {"s": [entry(june), entry(item(2))]}) == [item(2)]
    assert [i.published for i in store.load_items()] == [january.published, item(2).published]
    assert states["s"].listed == [january.id, item(2).id] and states["s"].item_count == 2


def test_the_state_files_of_each_source_are_read_then_folded_into_one(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    (folder / "a.json").write_bytes(orjson.dumps({"etag": '"1"', "item_count": 4}))
    (folder / "b.json").write_bytes(orjson.dumps({"consecutive_failures": 2}))
    store = Store(tmp_path)
    assert store.load_state("a").etag == '"1"' and store.load_state("b").consecutive_failures == 2
    store.save_states({"b": SourceState(item_count=1)})
    assert [p.name for p in folder.iterdir()] == ["_sources.json"]
    assert store.load_state("a").item_count == 4 and store.load_state("b").item_count == 1
    assert store.load_state("c") == SourceState()


# Characters that make URLs odd: url_key drops some anywhere (tabs, newlines), rewrites the
# host and the query, and keeps the path.
url_path = st.text(alphabet="aZ09-_.~%/?#&=:@ \t\n中", max_size=12)


@st.composite
def two_spellings(draw: st.DrawFn) -> tuple[str, str]:
    """Two URLs of one page spelled differently (often), or of two pages, or not web URLs."""
    path = draw(url_path)
    other = draw(st.sampled_from([path, path.translate({9: None, 10: None}), draw(url_path)]))
    scheme = draw(st.sampled_from(["http", "https", "ftp", ""]))
    host = draw(st.sampled_from(["example.com", "e.cn:8080"]))

    def spelled(page: str) -> str:
        return "".join(
            (
                draw(st.sampled_from(["", " ", "\n"])),
                draw(st.sampled_from([scheme, scheme.upper()])) + "://" if scheme else "//",
                draw(st.sampled_from(["", "www.", "WWW."])),
                draw(st.sampled_from([host, host.upper()])),
                page,
                draw(st.sampled_from(["", "/", "?utm_source=x", "?id=3", "#c", "#a?b/c", " "])),
            )
        )

    return spelled(path), spelled(other)


@given(urls=two_spellings(), as_guid=st.booleans())
@settings(max_examples=1000)
def test_a_stored_page_is_found_under_any_spelling_of_its_url(
    urls: tuple[str, str], as_guid: bool
) -> None:
    """The index keys only the stored items that may share a key with the candidates:
    never one that does."""
    stored, listed = urls
    story = Identity(id="a" * 16, source="a", guid=stored if as_guid else "", url=stored)
    keys = identity_keys("b", listed, "")
    index = KeyIndex([story], (), set(keys))
    shared = set(keys) & set(identity_keys(story.source, story.guid, story.url))
    assert index.add("b" * 16, keys) == (not shared)


ADDER = """
import sys
from pathlib import Path
from feedkb.store import Store
sys.path.insert(0, sys.argv[2])
from tests.test_store import LIMIT, entry, item
store = Store(Path(sys.argv[1]), max_part_bytes=LIMIT)
for batch in range(0, 600, 15):
    store.add_items(entry(item(n)) for n in range(batch, batch + 15))
"""


def test_sigkill_while_a_month_grows_parts_never_corrupts_it(tmp_path: Path) -> None:
    command = [sys.executable, "-c", ADDER, str(tmp_path), str(Path(__file__).parents[1])]
    rng = random.Random(2)
    for _ in range(10):
        process = subprocess.Popen(command)
        time.sleep(rng.uniform(0.3, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        ids = [i.id for i in Store(tmp_path).load_items()]  # whole lines, every file
        assert len(ids) == len(set(ids)), "an item is stored twice"
    assert subprocess.run(command).returncode == 0
    assert len(Store(tmp_path).load_items()) == 600
    assert all(len(data) <= LIMIT for data in files_of(tmp_path).values())
