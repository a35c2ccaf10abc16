"""Getting a source's bytes: http(s) with httpx, or a local file for offline use.

feedparser never fetches: it has no timeouts. Everything that can go wrong here becomes a
``FetchResult`` with an error message, never an exception, so one source cannot stop the others.
"""

import asyncio
import email.utils
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from feedkb import USER_AGENT
from feedkb.model import format_utc
from feedkb.sources import RsshubInstance, Source

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/feed+json;q=0.8, */*;q=0.5"
)
PERMANENT_REDIRECTS = {301, 308}
# Answers after which an RSSHub route is tried on the next instance: refused, rate-limited or
# broken there; a 404 or a feed too large would be the same anywhere.
FAIL_OVER_STATUSES = {403, 429}
# Idle connections kept for sources that share a host. httpcore looks at every pooled
# connection, with a system call for each idle one, whenever a request starts or ends: a pool
# keeping as many idle connections as the concurrency took a tenth of a 300-feed fetch's CPU.
KEEPALIVE_CONNECTIONS = 8
# Headers feedparser reads to pick the encoding, base URL and language.
PARSER_HEADERS = ("content-type", "content-location", "content-language")


@dataclass(frozen=True)
class FetchSettings:
    timeout: float = 20.0  # connect/read/write/pool, each
    total_timeout: float = 60.0  # the whole request, so a slow drip cannot hold a worker
    max_bytes: int = 20 * 1024 * 1024  # after decompression: a gzip bomb stops here
    max_redirects: int = 5
    parse_timeout: float = 30.0  # a feed crafted to make the parser backtrack is given up


@dataclass
class FetchResult:
    status: str  # "ok", "not-modified", "error", or "deferred" (not asked: Retry-After)
    http_status: int | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None  # where a permanent redirect says the feed now lives
    error: str | None = None
    retry_after: str | None = None  # the server asked not to come back before this (UTC)
    instance: str | None = None  # the RSSHub instance that served a route
    failed_over: list[str] = field(default_factory=list)  # instances tried first, and why


def make_client(settings: FetchSettings, concurrency: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        timeout=httpx.Timeout(settings.timeout),
        limits=httpx.Limits(
            max_connections=concurrency,
            max_keepalive_connections=min(concurrency, KEEPALIVE_CONNECTIONS),
        ),
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
    )


async def fetch_source(
    client: httpx.AsyncClient,
    source: Source,
    settings: FetchSettings,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    """Fetch one source, conditionally when ``etag``/``last_modified`` are known."""
    path = source.local_path
    if path is not None:
        return await asyncio.to_thread(read_local, path, settings.max_bytes)
    return await fetch_url(client, source.url, settings, etag, last_modified)


async def fetch_route(
    client: httpx.AsyncClient,
    route: str,
    instances: Sequence[RsshubInstance],
    settings: FetchSettings,
    validators: dict[str, list[str | None]],
) -> FetchResult:
    """Fetch an RSSHub route from the first of ``instances`` that serves it, conditionally
    with that instance's own ``validators`` (etag, last-modified): on a network error, 403,
    429 or 5xx the next one is tried."""
    failed: list[str] = []
    for instance in instances:
        etag, modified = validators.get(instance.url) or (None, None)
        result = await fetch_url(client, instance.feed_url(route), settings, etag, modified)
        if not _fails_over(result):
            return replace(result, instance=instance.url, failed_over=failed)
        failed.append(f"{instance.url}: {result.error}")
    return FetchResult(
        "error", error=f"every RSSHub instance failed ({'; '.join(failed)})", failed_over=failed
    )


def _fails_over(result: FetchResult) -> bool:
    status = result.http_status
    return result.status == "error" and (
        status is None or status in FAIL_OVER_STATUSES or status >= 500
    )


async def fetch_url(
    client: httpx.AsyncClient,
    url: str,
    settings: FetchSettings,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    """GET ``url``, conditionally when ``etag``/``last_modified`` are known; every failure is
    a FetchResult with its error."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(settings.total_timeout):
            return await _get(client, url, headers, settings.max_bytes)
    except TimeoutError:
        return FetchResult(
            "error", error=f"gave up after {settings.total_timeout:g} s (server too slow)"
        )
    except httpx.TimeoutException as exc:
        return FetchResult(
            "error", error=f"timed out ({type(exc).__name__}) after {settings.timeout:g} s"
        )
    except httpx.TooManyRedirects:
        return FetchResult(
            "error", error=f"more than {settings.max_redirects} redirects (redirect loop?)"
        )
    except httpx.UnsupportedProtocol as exc:
        return FetchResult("error", error=f"redirected to an unsupported URL: {exc}")
    except httpx.DecodingError as exc:
        return FetchResult("error", error=f"response body could not be decompressed: {exc}")
    except httpx.HTTPError as exc:
        return FetchResult("error", error=f"{type(exc).__name__}: {exc or 'connection failed'}")


async def _get(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], max_bytes: int
) -> FetchResult:
    async with client.stream("GET", url, headers=headers) as response:
        moved_to = _permanent_redirect_target(response)
        if response.status_code == 304:
            return FetchResult(
                "not-modified",
                304,
                etag=headers.get("If-None-Match"),
                last_modified=headers.get("If-Modified-Since"),
                moved_to=moved_to,
            )
        if response.status_code >= 400:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            wait = f"; retry after {retry_after}" if retry_after else ""
            return FetchResult(
                "error",
                response.status_code,
                moved_to=moved_to,
                error=f"HTTP {response.status_code} {response.reason_phrase}{wait}",
                retry_after=retry_after,
            )
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                return FetchResult(
                    "error",
                    response.status_code,
                    moved_to=moved_to,
                    error=f"response larger than {max_bytes:,} bytes, not read",
                )
        parser_headers = {k: response.headers[k] for k in PARSER_HEADERS if k in response.headers}
        parser_headers.setdefault("content-location", str(response.url))
        return FetchResult(
            "ok",
            response.status_code,
            bytes(body),
            parser_headers,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            moved_to=moved_to,
        )


def _permanent_redirect_target(response: httpx.Response) -> str | None:
    # Only an unbroken chain of permanent redirects says the feed itself moved.
    if not response.history or any(
        r.status_code not in PERMANENT_REDIRECTS for r in response.history
    ):
        return None
    return str(response.url)


def read_local(path: Path, max_bytes: int) -> FetchResult:
    """A local file as a fetch result, for offline sources and tests."""
    try:
        with path.open("rb") as handle:
            body = handle.read(max_bytes + 1)
    except OSError as exc:
        return FetchResult("error", error=f"cannot read {path}: {exc.strerror or exc}")
    if len(body) > max_bytes:
        return FetchResult("error", error=f"{path} is larger than {max_bytes:,} bytes, not read")
    return FetchResult("ok", body=body)


MAX_RETRY_AFTER = timedelta(days=7)  # a server cannot park a source for longer than this


def parse_retry_after(value: str | None, now: datetime | None = None) -> str | None:
    """A Retry-After header (seconds or an HTTP date) as a UTC time, or None."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    value = value.strip()
    if value.isdigit():
        moment = now + timedelta(seconds=int(value))
    else:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return format_utc(min(moment, now + MAX_RETRY_AFTER))
