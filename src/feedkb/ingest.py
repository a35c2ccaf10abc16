"""``feedkb fetch``: fetch → parse/normalise → store, for every enabled source at once."""

import asyncio
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
)
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from feedkb.fetch import FetchResult, FetchSettings, fetch_route, fetch_source, make_client
from feedkb.gcpause import paused_gc
from feedkb.model import Item, format_utc
from feedkb.parse import FeedError, ParsedFeed, parse_feed
from feedkb.sources import RsshubInstance, Source
from feedkb.store import SourceState, Store
from feedkb.workers import exit_with_parent

DEFAULT_CONCURRENCY = 16
PARALLEL_PARSE_FROM = 8  # sources; fewer are parsed in a thread (no process start-up)
MAX_PARSERS = 4
MAX_LISTED = 1000  # entry ids a source's state remembers from its feed's last listing
STATUSES = ("ok", "not-modified", "deferred", "error")


@dataclass
class SourceReport:
    """How one source fared in a run."""

    source: str
    status: str  # one of STATUSES
    http_status: int | None = None
    entries: int = 0  # entries the feed listed
    new_items: int = 0  # of those, stored for the first time
    seconds: float = 0.0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    moved_to: str | None = None
    instance: str | None = None  # the RSSHub instance that served a route


@dataclass
class FetchReport:
    started: str
    finished: str = ""
    sources: list[SourceReport] = field(default_factory=list)
    added: list[Item] = field(default_factory=list, repr=False)  # the items stored

    @property
    def new_items(self) -> int:
        return sum(r.new_items for r in self.sources)

    @property
    def failed(self) -> int:
        return sum(r.status == "error" for r in self.sources)

    @property
    def all_failed(self) -> bool:
        return bool(self.sources) and self.failed == len(self.sources)

    def to_markdown(self) -> str:
        """The report as a Markdown table: status, HTTP, entries, new items, seconds, problem."""
        lines = [
            f"### feedkb fetch: {self.new_items} new items, {self.failed} of "
            f"{len(self.sources)} sources failed",
            "",
            "| source | status | HTTP | entries | new | seconds | problem |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        for r in self.sources:
            problem = "; ".join(
                filter(None, [r.error, *r.warnings, f"moved to {r.moved_to}" if r.moved_to else ""])
            )
            problem = problem.replace("|", "\\|").replace("\n", " ")
            lines.append(
                f"| {r.source} | {r.status} | {r.http_status or ''} | {r.entries} | "
                f"{r.new_items} | {r.seconds:.2f} | {problem} |"
            )
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        counts = Counter(r.status for r in self.sources)
        return {
            "started": self.started,
            "finished": self.finished,
            "totals": {
                "sources": len(self.sources),
                "new_items": self.new_items,
                **{status: counts[status] for status in STATUSES},
            },
            "sources": [asdict(r) for r in self.sources],
        }


@dataclass
class _Outcome:
    fetched: FetchResult
    parsed: ParsedFeed | None
    seconds: float
    error: str | None


def fetch_all(
    curation_dir: Path,
    sources: list[Source],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    settings: FetchSettings | None = None,
    on_done: Callable[[str], None] | None = None,
    on_wait: Callable[[], None] | None = None,
    rsshub: Sequence[RsshubInstance] = (),
) -> FetchReport:
    """Fetch ``sources``, store their new items and state; return what happened per source.
    RSSHub routes are fetched from the ``rsshub`` instances (see fetch_route).

    ``on_done(source_id)`` is called as each source finishes (for progress display);
    ``on_wait()`` if another run holds the store lock.
    """
    store = Store(curation_dir)
    report = FetchReport(started=format_utc(datetime.now(UTC)))
    # Thousands of items and responses, few cycles (some 70 objects a source, left to the
    # collector once the run is over): collections would only rescan them.
    with store.locked(on_wait=on_wait), paused_gc():
        states = {s.id: store.load_state(s.id) for s in sources}
        outcomes = asyncio.run(
            _fetch_and_parse(
                sources, states, concurrency, settings or FetchSettings(), on_done, rsshub
            )
        )
        listings = {
            source.id: outcome.parsed.entries
            for source, outcome in zip(sources, outcomes, strict=True)
            if outcome.parsed
        }
        report.added = store_listings(store, states, listings)
        new_per_source = Counter(item.source for item in report.added)
        for source, outcome in zip(sources, outcomes, strict=True):
            report.sources.append(_source_report(source, outcome, new_per_source[source.id]))
        now = format_utc(datetime.now(UTC))
        store.save_states(
            {
                source.id: _next_state(states[source.id], outcome, now)
                for source, outcome in zip(sources, outcomes, strict=True)
            }
        )
    report.finished = format_utc(datetime.now(UTC))
    return report


def store_listings(
    store: Store,
    states: dict[str, SourceState],
    listings: dict[str, list[tuple[Item, list[str]]]],
) -> list[Item]:
    """Store the new entries of each source's listing (its feed's entries, each with its
    identity keys) in one write, and note the listing and the count in the source's state,
    which the caller saves after the items. Returns the items added.

    Entries the feed listed last time were stored or known then, and are not looked up again.
    """
    candidates = []
    for source_id, entries in listings.items():
        seen = set(states[source_id].listed)
        candidates += [(item, keys) for item, keys in entries if item.id not in seen]
    added = store.add_items(candidates)
    per_source = Counter(item.source for item in added)
    for source_id, entries in listings.items():
        states[source_id].listed = [item.id for item, _keys in entries[:MAX_LISTED]]
        states[source_id].item_count += per_source[source_id]
    return added


async def _fetch_and_parse(
    sources: list[Source],
    states: dict[str, SourceState],
    concurrency: int,
    settings: FetchSettings,
    on_done: Callable[[str], None] | None,
    rsshub: Sequence[RsshubInstance],
) -> list[_Outcome]:
    limit = asyncio.Semaphore(concurrency)
    with _parser_pool(len(sources)) as pool:
        async with make_client(settings, concurrency) as client:

            async def one(source: Source) -> _Outcome:
                outcome = await _fetch_one(
                    client, source, states[source.id], settings, limit, pool, rsshub
                )
                if on_done:
                    on_done(source.id)
                return outcome

            return await asyncio.gather(*(one(s) for s in sources))


class _LazyPool(Executor):
    """Worker processes for parsing, started with the first feed that needs parsing (a run
    of unchanged feeds starts none): feedparser is pure Python, and threads would leave the
    other cores idle."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if self._pool is None:
            # spawn, not fork: the event loop's threads must not be copied into the workers.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                self._workers, mp_context=context, initializer=exit_with_parent
            )
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait, cancel_futures=cancel_futures)

    def restart(self) -> None:
        """End the workers (one is stuck in a parse); the next feed starts new ones. Parses
        still under way elsewhere fail and are reported as parser errors."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()  # the executor offers no other way to stop a running task
            pool.shutdown(wait=False, cancel_futures=True)


@contextmanager
def _parser_pool(sources: int) -> Iterator[Executor | None]:
    """Processes for many sources; a few parse in a thread (no process start-up)."""
    workers = min(os.cpu_count() or 1, MAX_PARSERS)
    if sources < PARALLEL_PARSE_FROM or workers < 2:
        yield None
        return
    with _LazyPool(workers) as pool:
        yield pool


async def _fetch_one(
    client: Any,
    source: Source,
    state: SourceState,
    settings: FetchSettings,
    limit: asyncio.Semaphore,
    pool: Executor | None,
    rsshub: Sequence[RsshubInstance],
) -> _Outcome:
    start = time.perf_counter()
    if state.retry_after and state.retry_after > format_utc(datetime.now(UTC)):
        # The server said when to come back (Retry-After on a 429 or 503): not before.
        return _Outcome(FetchResult("deferred", retry_after=state.retry_after), None, 0.0, None)
    # A slot of the concurrency limit only while fetching: a feed waiting for a parser must
    # not keep the next one from being fetched (the network and the parsers work side by side).
    async with limit:
        if source.rsshub:
            instances = instances_in_order(rsshub, state.instance)
            fetched = await fetch_route(
                client, source.rsshub, instances, settings, state.validators
            )
        else:
            fetched = await fetch_source(client, source, settings, state.etag, state.last_modified)
    parsed, error = None, fetched.error
    if fetched.status == "ok":
        parsed, error = await _parse(fetched, source, settings, pool)
    return _Outcome(fetched, parsed, time.perf_counter() - start, error)


def instances_in_order(
    instances: Sequence[RsshubInstance], served_last: str | None
) -> list[RsshubInstance]:
    """The instance that served the route last time first (a run goes straight to the one
    that worked), then the others in the curator's order."""
    return sorted(instances, key=lambda instance: instance.url != served_last)


async def _parse(
    fetched: FetchResult, source: Source, settings: FetchSettings, pool: Executor | None
) -> tuple[ParsedFeed | None, str | None]:
    """Parse within the time budget; a parse cut short by another feed's runaway worker
    being ended is tried again in the new workers."""
    for attempt in range(2):
        try:
            parsed = await asyncio.wait_for(
                asyncio.get_running_loop().run_in_executor(
                    pool, parse_feed, fetched.body, source.id, datetime.now(UTC), fetched.headers
                ),
                settings.parse_timeout,
            )
            return parsed, None
        except TimeoutError:
            if isinstance(pool, _LazyPool):
                pool.restart()  # the worker is still stuck in it: end it
            return None, f"parsing took longer than {settings.parse_timeout:g} s; given up"
        except BrokenExecutor:
            if attempt:
                return None, "parser workers kept failing"
        except FeedError as exc:
            return None, str(exc)
        except Exception as exc:  # a parser bug must not stop the other sources
            return None, f"parser failed: {type(exc).__name__}: {exc}"
    return None, "parser workers kept failing"


def probe(
    source: Source, settings: FetchSettings | None = None, rsshub: Sequence[RsshubInstance] = ()
) -> ParsedFeed:
    """Fetch and parse one source without storing anything (to check a new source)."""

    async def run() -> FetchResult:
        settings_ = settings or FetchSettings()
        async with make_client(settings_, 1) as client:
            if source.rsshub:
                return await fetch_route(client, source.rsshub, rsshub, settings_, {})
            return await fetch_source(client, source, settings_)

    fetched = asyncio.run(run())
    if fetched.error:
        raise FeedError(fetched.error)
    return parse_feed(fetched.body, source.id, datetime.now(UTC), fetched.headers)


def _source_report(source: Source, outcome: _Outcome, new_items: int) -> SourceReport:
    status = "error" if outcome.error else outcome.fetched.status
    return SourceReport(
        source=source.id,
        status=status,
        http_status=outcome.fetched.http_status,
        entries=len(outcome.parsed.entries) if outcome.parsed else 0,
        new_items=new_items,
        seconds=round(outcome.seconds, 3),
        error=outcome.error,
        warnings=_failovers(outcome.fetched)
        + (outcome.parsed.warnings if outcome.parsed else _waiting(outcome.fetched)),
        moved_to=outcome.fetched.moved_to,
        instance=outcome.fetched.instance,
    )


def _failovers(fetched: FetchResult) -> list[str]:
    if not (fetched.instance and fetched.failed_over):
        return []
    return [f"RSSHub {', '.join(fetched.failed_over)}; served by {fetched.instance}"]


def _waiting(fetched: FetchResult) -> list[str]:
    if fetched.status != "deferred":
        return []
    return [f"not fetched: the server asked to wait until {fetched.retry_after} (Retry-After)"]


def _next_state(state: SourceState, outcome: _Outcome, now: str) -> SourceState:
    fetched = outcome.fetched
    if fetched.status == "deferred":
        return state
    state.last_attempt = now
    state.retry_after = fetched.retry_after
    state.last_status = str(fetched.http_status) if fetched.http_status else None
    state.moved_to = fetched.moved_to
    if outcome.error:
        state.last_error = outcome.error
        state.consecutive_failures += 1
        return state
    state.last_success, state.last_error, state.consecutive_failures = now, None, 0
    if fetched.instance:
        state.instance = fetched.instance
    if fetched.status == "ok":
        # Validators only from a response we stored: a 304 keeps the ones it matched.
        if fetched.instance:
            state.validators[fetched.instance] = [fetched.etag, fetched.last_modified]
        else:
            state.etag, state.last_modified = fetched.etag, fetched.last_modified
    return state
