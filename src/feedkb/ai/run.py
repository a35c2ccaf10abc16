"""Ask the model about the items that have no answer yet, within the run's budget, and keep
the answers (``feedkb ai``, and ``feedkb fetch`` for the items it stored)."""

import asyncio
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from feedkb.ai.cache import AiCache, Answer
from feedkb.ai.client import ChatEndpoint, EndpointDownError, RequestFailedError
from feedkb.ai.config import AiConfig
from feedkb.ai.prompt import PROMPT_VERSION, messages
from feedkb.errors import ConfigError
from feedkb.model import Item, format_utc
from feedkb.store import Store

SAVE_EVERY = 50  # answers kept on disk as the run goes: an interrupted run loses few


@dataclass
class AiReport:
    """What one run asked and what it cost."""

    wanted: int = 0  # items without an answer (or all, refreshing)
    asked: int = 0
    answered: int = 0
    failed: int = 0
    tokens: int = 0
    seconds: float = 0.0
    left: int = 0  # wanted but not asked: the budget ran out or the endpoint is down
    stopped: str = ""  # why the run stopped early
    errors: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        text = (
            f"AI: asked about {self.asked} of {self.wanted} items: {self.answered} answered, "
            f"{self.failed} failed; {self.tokens:,} tokens in {self.seconds:.1f} s"
        )
        if self.left:
            text += f"; {self.left} left for the next run"
        if self.stopped:
            text += f" ({self.stopped})"
        return text


def api_key(config: AiConfig) -> str | None:
    """The key from the environment variable the configuration names; ConfigError if that
    variable is not set."""
    if not config.api_key_env:
        return None
    key = os.environ.get(config.api_key_env)
    if not key:
        raise ConfigError.one(
            config.path or Path("ai.yaml"),
            None,
            f"environment variable {config.api_key_env} (api_key_env) is not set",
        )
    return key


def items_to_ask(
    items: Sequence[Item], answers: dict[str, Answer], refresh: bool, retry_failed: bool
) -> list[Item]:
    """Items without an answer (all of them when refreshing; failed ones too when retrying),
    newest first: members see those first."""
    chosen = [
        item
        for item in items
        if refresh or item.id not in answers or (retry_failed and answers[item.id].judgment is None)
    ]
    return sorted(chosen, key=lambda item: (item.published, item.id), reverse=True)


def ask_about(
    curation_dir: Path,
    config: AiConfig,
    items: Sequence[Item],
    source_titles: dict[str, str],
    *,
    refresh: bool = False,
    retry_failed: bool = False,
    on_done: Callable[[str], None] = lambda _item_id: None,
    cache: AiCache | None = None,
) -> AiReport:
    """Ask about the ``items`` that need it, within the budget, keeping every answer (in the
    knowledge base's answers unless ``cache`` says otherwise); never raises for what the
    endpoint does (the report says)."""
    cache = cache or AiCache(curation_dir)
    wanted = items_to_ask(items, cache.answers(PROMPT_VERSION, config.model), refresh, retry_failed)
    report = AiReport(wanted=len(wanted))
    if not wanted:
        return report
    key = api_key(config)
    start = time.perf_counter()
    store = Store(curation_dir)
    months = {item.id: item.month for item in wanted}

    def keep(answers: list[Answer]) -> None:
        with store.locked():
            cache.add(answers, months)

    asyncio.run(_ask_all(config, key, wanted, source_titles, report, keep, on_done))
    report.seconds = time.perf_counter() - start
    return report


async def _ask_all(
    config: AiConfig,
    key: str | None,
    wanted: list[Item],
    source_titles: dict[str, str],
    report: AiReport,
    keep: Callable[[list[Answer]], None],
    on_done: Callable[[str], None],
) -> None:
    endpoint = ChatEndpoint(config, key)
    queue = list(reversed(wanted[: config.max_items]))  # popped newest first
    report.left = len(wanted) - len(queue)
    pending: list[Answer] = []
    total = len(queue)

    deadline = time.monotonic() + config.max_seconds

    async def worker() -> None:
        while queue and not report.stopped:
            if report.tokens >= config.max_tokens:
                report.stopped = f"token budget of {config.max_tokens:,} spent"
                break
            if time.monotonic() > deadline:  # a slow endpoint must not hold up a fetch
                report.stopped = f"time budget of {config.max_seconds:g} s spent"
                break
            item = queue.pop()
            report.asked += 1
            answer = await _answer(endpoint, config, item, source_titles, report)
            if answer is not None:
                pending.append(answer)
                if len(pending) >= SAVE_EVERY:
                    keep(pending[:])
                    pending.clear()
            on_done(item.id)

    try:
        await asyncio.gather(*(worker() for _ in range(min(config.concurrency, total))))
    finally:
        await endpoint.close()
        report.left += len(queue)
        if pending:
            keep(pending)


async def _answer(
    endpoint: ChatEndpoint,
    config: AiConfig,
    item: Item,
    source_titles: dict[str, str],
    report: AiReport,
) -> Answer | None:
    """The answer to keep for one item, or None when the endpoint is down (asked later)."""
    now = format_utc(datetime.now(UTC))
    try:
        reply = await endpoint.judge(messages(item, source_titles.get(item.source, item.source)))
    except EndpointDownError as exc:
        report.asked -= 1
        report.left += 1
        report.stopped = str(exc)
        return None
    except RequestFailedError as exc:
        report.failed += 1
        report.errors[str(exc)] += 1
        return Answer(item.id, PROMPT_VERSION, config.model, now, error=str(exc))
    report.tokens += reply.tokens
    if reply.judgment is None:
        report.failed += 1
        report.errors[reply.error.split(":")[0]] += 1
    else:
        report.answered += 1
    return Answer(
        item.id, PROMPT_VERSION, config.model, now, reply.tokens, reply.judgment, reply.error
    )
