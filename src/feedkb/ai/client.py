"""One chat-completions request per item, over httpx, against any OpenAI-compatible endpoint.

Bounded and safe: each request has a timeout; network errors, 429 and 5xx are retried with
exponential backoff (429's ``Retry-After`` is obeyed, up to a cap); a reply that is not a
judgment is asked again once, then recorded as failed. An endpoint that cannot be reached at
all on its first request is taken as down for the run: nothing is retried, so a down endpoint
costs a fetch almost nothing.
"""

import asyncio
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from feedkb import USER_AGENT
from feedkb.ai.config import AiConfig
from feedkb.ai.judgment import Judgment, SchemaError, parse_judgment

MAX_ANSWER_TOKENS = 400
BACKOFF_START = 0.5  # seconds before the first retry; doubled each time
BACKOFF_CAP = 8.0
RETRY_AFTER_CAP = 60.0  # a longer Retry-After is waited as this long
SCHEMA_ATTEMPTS = 2  # the first answer and one more


class EndpointDownError(Exception):
    """The endpoint cannot be used for the rest of the run (unreachable, or the key refused)."""


class RequestFailedError(Exception):
    """One item's request failed after its retries; the message says how."""


@dataclass(frozen=True)
class Reply:
    judgment: Judgment | None
    tokens: int
    error: str = ""


class ChatEndpoint:
    def __init__(self, config: AiConfig, api_key: str | None) -> None:
        self.config = config
        self.url = config.base_url.rstrip("/") + "/chat/completions"
        headers = {"User-Agent": USER_AGENT}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.client = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(config.timeout),
            limits=httpx.Limits(max_connections=config.concurrency),
        )
        self.reached = False  # has the endpoint answered anything in this run

    async def close(self) -> None:
        await self.client.aclose()

    async def judge(self, messages: list[dict[str, str]]) -> Reply:
        """The judgment of one item, asked again once if the answer is not one."""
        tokens, problem = 0, ""
        for _attempt in range(SCHEMA_ATTEMPTS):
            try:
                content, used = await self._complete(messages)
            except RequestFailedError as exc:
                if tokens:  # the rejected answer before it was paid for all the same
                    return Reply(None, tokens, str(exc))
                raise
            tokens += used
            try:
                return Reply(parse_judgment(content), tokens)
            except SchemaError as exc:
                problem = f"answer does not match the schema: {exc}"
        return Reply(None, tokens, problem)

    async def _complete(self, messages: list[dict[str, str]]) -> tuple[str, int]:
        """The content of one completion and the tokens it cost, retried as the module says."""
        body = {
            "model": self.config.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": MAX_ANSWER_TOKENS,
            "response_format": {"type": "json_object"},
        }
        for attempt in range(self.config.retries + 1):
            last = attempt == self.config.retries
            try:
                response = await self.client.post(self.url, json=body)
            except httpx.TransportError as exc:
                # Refused or unanswered (a host that drops packets): down either way.
                if not self.reached and isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                    raise EndpointDownError(f"cannot reach {self.url}: {exc}") from None
                if last:
                    raise RequestFailedError(f"{type(exc).__name__}: {exc}") from None
                await asyncio.sleep(_backoff(attempt))
                continue
            self.reached = True
            if response.status_code in (401, 403):
                raise EndpointDownError(f"{self.url} refused the key (HTTP {response.status_code})")
            if response.status_code == 429 or response.status_code >= 500:
                if last:
                    raise RequestFailedError(
                        f"HTTP {response.status_code} after {attempt + 1} tries"
                    )
                await asyncio.sleep(_wait_before_retry(response, attempt))
                continue
            if response.status_code != 200:
                raise RequestFailedError(f"HTTP {response.status_code}: {response.text[:200]}")
            return _content(response)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _content(response: httpx.Response) -> tuple[str, int]:
    """The message content of a completion and its total tokens; RequestFailedError if the body is
    not a completion at all."""
    try:
        data = response.json()
        content = data["choices"][0]["message"]["content"]
        usage = data.get("usage") or {}
        tokens = int(usage.get("total_tokens") or 0)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise RequestFailedError(f"not a chat completion ({type(exc).__name__}: {exc})") from None
    if not isinstance(content, str):
        raise RequestFailedError("not a chat completion (no text content)")
    return content, tokens


def _backoff(attempt: int) -> float:
    """Exponential, with jitter so that concurrent requests do not retry in step."""
    return min(BACKOFF_CAP, BACKOFF_START * 2**attempt) * random.uniform(0.8, 1.2)


def _wait_before_retry(response: httpx.Response, attempt: int) -> float:
    """Retry-After when the endpoint says (seconds or an HTTP date), else the backoff."""
    header = response.headers.get("Retry-After", "").strip()
    if header:
        try:
            seconds = float(header)
        except ValueError:
            try:
                seconds = parsedate_to_datetime(header).timestamp() - time.time()
            except (TypeError, ValueError):
                seconds = _backoff(attempt)
        return min(max(seconds, 0.0), RETRY_AFTER_CAP)
    return _backoff(attempt)
