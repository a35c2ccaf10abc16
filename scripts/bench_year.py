"""A year of the store in git (issue #13): N sources x M items a day, committed 6 times a day.

    python scripts/bench_year.py [--days 365] [--sources 300] [--per-day 10] [--json FILE]
                                 [--keep FOLDER]

Items are made by feedkb's normaliser (parse.normalise_entry) from entries as feedparser hands
them over. Half the sources are full-text feeds, whose entries carry a 5-30 KB HTML body; the
others give a summary of 40-280 characters. Two sources in three write Chinese, one English,
as in the real corpus. Titles, summaries and the start of every body are generated from
character n-grams of the real and written items in tests/data, so that they compress as real
text does (both ratios are printed) and no two items share their text; the rest of a body is
paragraphs drawn from a pool, which only the normaliser reads. One entry in twenty retells a
story another source listed the day before, linking to the same page.

Every four simulated hours each source's feed lists its latest 20 entries (a feed with nothing
new answers 304 and lists none); ingest.store_listings stores what is new and notes each
listing in its source's state, the states are saved as fetch saves them, and `git add` and
`git commit` commit curation/items and curation/state into a real repository, as the
scheduled CI run does. Loose objects are packed at each month's end, as a host packs what it
is pushed. Not simulated: HTTP and feed parsing (scripts/bench.py measures those) and the
site build. Reported: the store's size and largest file, the packed .git after `git gc`, and
one run's time (store and state, then the commit) in the first and the last month.
"""

import argparse
import json
import os
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
import zlib
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import numpy as np
import orjson

from feedkb.ingest import store_listings
from feedkb.model import Item, format_utc
from feedkb.parse import normalise_entry
from feedkb.store import MAX_PART_BYTES, SourceState, Store, read
from feedkb.text import ELLIPSIS, SUMMARY_WIDTH, truncate

REPO = Path(__file__).resolve().parents[1]
CORPORA = [
    REPO / "tests" / "data" / name
    for name in (
        "real-news/items.jsonl",
        "devset-items.jsonl",
        "written-zh/items.jsonl",
        "written-en/items-a.jsonl",
        "written-en/items-b.jsonl",
    )
]
# Characters of context per language: the orders whose text compresses as the corpus does.
ORDERS = {"zh": 1, "en": 3}
RUNS_A_DAY = 6
LISTED = 20  # entries a feed lists
RETOLD = 0.05
START = datetime(2026, 1, 1, tzinfo=UTC)
Entry = tuple[Item, list[str]]


class TextModel:
    """Character n-grams of a corpus: each generated text is new, with the corpus' statistics."""

    def __init__(self, text: str, order: int, rng: np.random.Generator, width: int = 64) -> None:
        states: dict[str, int] = {}
        followers: dict[int, list[str]] = {}
        for i in range(order, len(text)):
            state = states.setdefault(text[i - order : i], len(states))
            followers.setdefault(state, []).append(text[i])
        names = list(states)
        # Each state's next states, sampled from what followed it in the corpus.
        self.next = rng.integers(0, len(names), (len(names), width))
        for state, chars in followers.items():
            for column, char in enumerate(rng.choice(chars, width)):
                self.next[state, column] = states.get((names[state] + char)[1:], state)
        self.char = np.array([ord(name[-1]) for name in names], dtype=np.uint32)
        self.rng = rng

    def texts(self, lengths: list[int]) -> list[str]:
        """One new text of each length, generated side by side."""
        state = self.rng.integers(0, len(self.char), len(lengths))
        out = np.empty((len(lengths), max(lengths, default=0)), dtype=np.uint32)
        for column in range(out.shape[1]):
            out[:, column] = self.char[state]
            state = self.next[state, self.rng.integers(0, self.next.shape[1], len(lengths))]
        return [
            row.tobytes().decode("utf-32-le")[:length].strip() or "x"
            for row, length in zip(out, lengths, strict=True)
        ]


def corpus_texts() -> dict[str, str]:
    texts: dict[str, list[str]] = {"zh": [], "en": []}
    for path in CORPORA:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            lang = "zh" if any("\u4e00" <= c <= "\u9fff" for c in record["title"]) else "en"
            texts[lang] += [record["title"], record.get("summary") or ""]
    return {
        lang: " ".join(" ".join(t.split()) for t in parts if t) for lang, parts in texts.items()
    }


def compression(text: str) -> float:
    data = text.encode()
    return round(len(zlib.compress(data, 6)) / len(data), 3)


@dataclass
class Source:
    id: str
    lang: str
    full_text: bool
    host: str
    guid_is_url: bool
    authors: list[str]
    categories: list[str]
    listing: deque[Entry] = field(default_factory=lambda: deque(maxlen=LISTED))
    changed: bool = False  # published since the last run: its feed answers 200, not 304


def make_sources(count: int, models: dict[str, TextModel], rng: random.Random) -> list[Source]:
    sources = []
    for n in range(count):
        lang = "en" if n % 3 == 2 else "zh"
        words = models[lang].texts([12] * 15)
        name = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 12)))
        sources.append(
            Source(
                id=f"s{n:03d}",
                lang=lang,
                full_text=n % 2 == 0,
                host=f"www.{name}.com",
                guid_is_url=n % 4 < 2,
                authors=[w[:6] for w in words[:5]],
                categories=[w[:4] for w in words[5:]],
            )
        )
    return sources


class Feeds:
    """What the sources publish: entries as feedparser hands them over, normalised by feedkb."""

    def __init__(self, sources: list[Source], models: dict[str, TextModel], seed: int) -> None:
        self.sources, self.models = sources, models
        self.rng = random.Random(seed)
        self.serial = 0
        self.filler = {
            lang: [f"<p>{text}</p>\n" for text in model.texts([600] * 300)]
            for lang, model in models.items()
        }
        self.filler_bytes = {
            lang: round(statistics.mean(len(p.encode()) for p in paragraphs))
            for lang, paragraphs in self.filler.items()
        }

    def day(self, start: datetime, per_day: int) -> list[tuple[datetime, Source, dict]]:
        """Every entry published on the day from ``start``, in order of publication."""
        published = []
        for source in self.sources:
            for _ in range(per_day):
                moment = start + timedelta(seconds=self.rng.randrange(86_400))
                published.append((moment, source))
        published.sort(key=lambda pair: pair[0])
        titles, texts = {}, {}
        for lang, model in self.models.items():
            mine = [s for _m, s in published if s.lang == lang]
            lengths = [
                self.rng.randint(12, 30) if lang == "zh" else self.rng.randint(40, 100)
                for _ in mine
            ]
            titles[lang] = iter(model.texts(lengths))
            texts[lang] = iter(
                model.texts([320 if s.full_text else self.rng.randint(40, 280) for s in mine])
            )
        return [
            (
                moment,
                source,
                self._entry(moment, source, next(titles[source.lang]), next(texts[source.lang])),
            )
            for moment, source in published
        ]

    def _entry(self, moment: datetime, source: Source, title: str, text: str) -> dict:
        self.serial += 1
        url = f"https://{source.host}/{moment:%Y/%m/%d}/{self.serial}.html"
        entry = {
            "title": title,
            "link": url,
            "published_parsed": moment.utctimetuple(),
            "authors": [{"name": self.rng.choice(source.authors)}],
            "tags": [
                {"term": t} for t in self.rng.sample(source.categories, self.rng.randint(0, 3))
            ],
        }
        other = self.rng.choice(self.sources)
        if self.rng.random() < RETOLD and other.listing and other is not source:
            entry["link"] = other.listing[-1][0].url  # and no guid: the page is the story
        else:
            entry["id"] = url if source.guid_is_url else f"{source.host}:{self.serial}"
        if source.full_text:
            entry["content"] = [{"value": self._body(source.lang, text)}]
        else:
            entry["summary"] = f"<p>{text}</p>"
        return entry

    def _body(self, lang: str, lead: str) -> str:
        """A body of 5-30 KB of HTML: the lead paragraph, then paragraphs from the pool."""
        paragraphs = self.filler[lang]
        count = self.rng.randint(5_000, 30_000) // self.filler_bytes[lang]
        return f"<p>{lead}</p>\n" + "".join(self.rng.choices(paragraphs, k=count))


def git(work: Path, *args: str, moment: datetime | None = None) -> str:
    """Run git in ``work``; a commit is dated ``moment``, as the scheduled run would date it."""
    dates = {f"GIT_{who}_DATE": moment.isoformat() for who in ("AUTHOR", "COMMITTER") if moment}
    return subprocess.run(
        ["git", *args],
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", **dates},
    ).stdout


def note_fetch(state: SourceState, changed: bool, now: datetime) -> None:
    """The state fetch leaves after a 200 (a new feed) or a 304."""
    stamp = format_utc(now)
    state.last_attempt = state.last_success = stamp
    state.last_status = "200" if changed else "304"
    state.last_error, state.consecutive_failures = None, 0
    if changed:
        state.etag = f'"{zlib.crc32(stamp.encode()):08x}"'
        state.last_modified = format_datetime(now, usegmt=True)


def one_run(
    work: Path, store: Store, states: dict[str, SourceState], sources: list[Source], now: datetime
) -> dict:
    """What a scheduled run does once it has read the feeds: store, save state, commit."""
    begin, begin_cpu = time.perf_counter(), time.process_time()
    changed = {s.id: list(reversed(s.listing)) for s in sources if s.listing and s.changed}
    added = store_listings(store, states, changed)
    for source in sources:
        note_fetch(states[source.id], source.id in changed, now)
        source.changed = False
    store.save_states(states)
    stored, stored_cpu = time.perf_counter(), time.process_time()
    git(work, "add", "curation/items", "curation/state")
    git(work, "commit", "-q", "-m", f"Fetch: {now:%Y-%m-%dT%H:%MZ}", moment=now)
    return {
        "store_s": stored - begin,
        # This process's own time: the machine is shared, and waiting for the cores is not
        # the store's doing.
        "store_cpu_s": stored_cpu - begin_cpu,
        "commit_s": time.perf_counter() - stored,
        "added": len(added),
    }


def simulate(work: Path, days: int, count: int, per_day: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    corpus = corpus_texts()
    models = {lang: TextModel(text, ORDERS[lang], rng) for lang, text in corpus.items()}
    sources = make_sources(count, models, random.Random(seed))
    feeds = Feeds(sources, models, seed)
    store = Store(work / "curation")
    states = {s.id: SourceState() for s in sources}
    git(work, "init", "-q")
    for key, value in (("user.name", "bench"), ("user.email", "b@example.com"), ("gc.auto", "0")):
        git(work, "config", key, value)
    runs = []
    for day in range(days):
        start = START + timedelta(days=day)
        published = deque(feeds.day(start, per_day))
        for run in range(RUNS_A_DAY):
            now = start + timedelta(hours=24 * (run + 1) // RUNS_A_DAY)
            while published and published[0][0] <= now:
                _moment, source, entry = published.popleft()
                source.listing.append(normalise_entry(entry, source.id, now, source.lang))
                source.changed = True
            runs.append(one_run(work, store, states, sources, now) | {"month": f"{start:%Y-%m}"})
        if (day + 1) % 30 == 0:
            git(work, "repack", "-d", "-q")  # as a host packs what it is pushed
        stored = sum(r["added"] for r in runs)
        print(f"day {day + 1}/{days}: {stored:,} items stored", file=sys.stderr, flush=True)
    begin = time.perf_counter()
    git(work, "gc", "-q")
    return {
        "days": days,
        "sources": count,
        "items_a_day_per_source": per_day,
        "runs": len(runs),
        "entries_published": days * count * per_day,
        "items_stored": sum(r["added"] for r in runs),
        "gc_seconds": round(time.perf_counter() - begin, 1),
        "text_compression": {
            lang: {
                "corpus": compression(text[:30_000]),
                "generated": compression(" ".join(models[lang].texts([300] * 100))[:30_000]),
            }
            for lang, text in corpus.items()
        },
        **sizes(work, store),
        "summary_width_what_if": summaries_cut(store),
        "run_by_month": {
            month: run_times([r for r in runs if r["month"] == month])
            for month in sorted({r["month"] for r in runs})
        },
    }


def sizes(work: Path, store: Store) -> dict:
    parts = [path for paths in store.parts().values() for path in paths]
    largest = max(parts, key=lambda path: path.stat().st_size)
    pack = dict(line.split(": ") for line in git(work, "count-objects", "-v").splitlines())
    return {
        "store_bytes": sum(path.stat().st_size for path in parts),
        "store_files": len(parts),
        "largest_file": largest.name,
        "largest_file_bytes": largest.stat().st_size,
        "part_limit_bytes": MAX_PART_BYTES,
        "state_bytes": store.state_path.stat().st_size,
        "packed_bytes": int(pack["size-pack"]) * 1024,
        "git_dir_bytes": sum(p.stat().st_size for p in (work / ".git").rglob("*") if p.is_file()),
    }


def summaries_cut(store: Store) -> dict[str, int]:
    """Bytes an item of the last month packs to (zlib at git's level, a part at a time: what
    git packs the store's files to) with summaries cut narrower: the summary is most of the
    store, and its room is feedkb's SUMMARY_WIDTH (columns: a Chinese character takes two)."""
    month = max(store.parts())
    parts = [read(path) for path in store.parts()[month]]
    count = sum(map(len, parts))
    return {
        str(width): round(
            sum(
                len(zlib.compress(b"".join(_line(item, width) for item in part), 6))
                for part in parts
            )
            / count
        )
        for width in (SUMMARY_WIDTH, 200, 180, 160)
    }


def _line(item: Item, width: int) -> bytes:
    cut = replace(item, summary=truncate(item.summary.removesuffix(ELLIPSIS), width))
    return orjson.dumps(cut, option=orjson.OPT_APPEND_NEWLINE)


def run_times(runs: list[dict]) -> dict:
    return {
        "store_s": round(statistics.median(r["store_s"] for r in runs), 3),
        "store_cpu_s": round(statistics.median(r["store_cpu_s"] for r in runs), 3),
        "max_store_s": round(max(r["store_s"] for r in runs), 3),
        "commit_s": round(statistics.median(r["commit_s"] for r in runs), 3),
    }


def print_table(f: dict) -> None:
    mb = 1024 * 1024
    year = 365 / f["days"]
    months = list(f["run_by_month"].values())
    first, last = months[0], months[-1]
    what_if = f["summary_width_what_if"]
    rows = [
        (
            "simulated",
            f"{f['days']} days x {f['sources']} sources x {f['items_a_day_per_source']} items a "
            f"day, {f['runs']:,} runs, each committed; {f['entries_published']:,} entries, "
            f"{f['items_stored']:,} stored (the others retell stories already stored)",
            "",
        ),
        (
            "generated text against the corpus (zlib ratio)",
            ", ".join(
                f"{lang} {c['generated']} against {c['corpus']}"
                for lang, c in f["text_compression"].items()
            ),
            "alike",
        ),
        (
            "store size",
            f"{f['store_bytes'] / mb:,.0f} MB of items in {f['store_files']} files, "
            f"{f['state_bytes'] / mb:.1f} MB of source state",
            "",
        ),
        (
            "largest file",
            f"{f['largest_file']}, {f['largest_file_bytes'] / mb:.1f} MB "
            f"(parts close at {f['part_limit_bytes'] / mb:.0f} MB)",
            "<= 50 MB",
        ),
        (
            "packed .git after git gc",
            f"{f['packed_bytes'] / mb:,.1f} MB ({f['packed_bytes'] * year / mb:,.0f} MB a year; "
            f".git {f['git_dir_bytes'] / mb:,.0f} MB; gc {f['gc_seconds']} s)",
            "<= 300 MB a year",
        ),
        (
            "an item packed, by summary width (columns; a Chinese character takes two)",
            ", ".join(f"{width}: {size} bytes" for width, size in what_if.items()),
            "",
        ),
        (
            "one run in the first month / the last: store + state (median; slowest)",
            f"{first['store_s']} / {last['store_s']} s ({first['max_store_s']} / "
            f"{last['max_store_s']} s), of which CPU {first['store_cpu_s']} / "
            f"{last['store_cpu_s']} s; git add + commit {first['commit_s']} / "
            f"{last['commit_s']} s",
            "does not grow with the year",
        ),
        (
            "store + state, median CPU s by month",
            ", ".join(str(m["store_cpu_s"]) for m in months),
            "",
        ),
    ]
    print("| measure | measured | target |")
    print("|---|---|---|")
    for label, measured, target in rows:
        print(f"| {label} | {measured} | {target} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--per-day", type=int, default=10, help="items a day per source")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--keep", type=Path, help="simulate in this new folder and keep it")
    args = parser.parse_args()
    if args.keep and args.keep.exists():
        parser.error(f"{args.keep} exists: --keep simulates in a new folder")
    with tempfile.TemporaryDirectory() as work_dir:
        work = args.keep or Path(work_dir)
        work.mkdir(parents=True, exist_ok=True)
        figures = simulate(work, args.days, args.sources, args.per_day, args.seed)
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
