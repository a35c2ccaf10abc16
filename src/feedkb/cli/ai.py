"""``feedkb ai``: ask the configured model endpoint about the items it has not judged yet;
``feedkb fetch`` does the same for the items it stored."""

from collections.abc import Sequence

import click

from feedkb.ai.cache import AiCache
from feedkb.ai.config import AiConfig, load_ai_config
from feedkb.ai.run import AiReport, ask_about
from feedkb.cli.base import (
    Context,
    cli,
    err,
    fail,
    note,
    out,
    progress_bar,
    user_errors,
    with_curation,
)
from feedkb.errors import ConfigError
from feedkb.model import Item

NO_CONFIG = (
    "no curation/ai.yaml: feedkb asks no model until one names an endpoint "
    "(see the README's 'AI assist')"
)


@cli.command("ai")
@click.option("--refresh", is_flag=True, help="Ask again about items already answered.")
@click.option("--retry-failed", is_flag=True, help="Ask again about items whose answer failed.")
@click.option(
    "--limit", type=click.IntRange(min=1), help="Items to ask about (ai.yaml: max_items)."
)
@click.option(
    "--base-url", help="The endpoint, e.g. http://127.0.0.1:11434/v1 (ai.yaml: base_url)."
)
@click.option("--model", help="The model's name (ai.yaml: model).")
@click.option("--api-key-env", help="The variable holding the API key (ai.yaml: api_key_env).")
@click.option("--concurrency", type=click.IntRange(min=1), help="Requests at the same time.")
@with_curation
def ai_command(
    ctx: Context,
    refresh: bool,
    retry_failed: bool,
    limit: int | None,
    base_url: str | None,
    model: str | None,
    api_key_env: str | None,
    concurrency: int | None,
) -> None:
    """Ask the model about the visible items it has not judged: values with reasons, deal
    fields and a one-line Chinese takeaway (解读). Answers are kept in curation/ai/, so an item
    is asked once; a changed prompt or model asks again only with --refresh."""
    with user_errors():
        config = load_ai_config(ctx.curation)
        if config is None and not (base_url and model):
            fail(NO_CONFIG)
        config = (config or AiConfig(base_url or "", model or "")).with_options(
            base_url=base_url,
            model=model,
            api_key_env=api_key_env,
            concurrency=concurrency,
            max_items=limit,
        )
        kb = ctx.kb()
        items = [entry.item for entry in kb.visible()]
        titles = {key: source.title for key, source in kb.sources.items()}
        with progress_bar("asking", min(len(items), config.max_items)) as advance:
            report = ask_about(
                ctx.curation,
                config,
                items,
                titles,
                refresh=refresh,
                retry_failed=retry_failed,
                on_done=advance,
            )
    _print(report)


def ask_after_fetch(ctx: Context, items: Sequence[Item]) -> None:
    """After a fetch: ask about the new items if ai.yaml says so. Nothing here fails the
    fetch: the items are stored, and an AI problem is reported and left for the next run."""
    try:
        config = load_ai_config(ctx.curation)
        if config is None or not items or not config.on_fetch:
            return
        titles = {source.id: source.title for source in ctx.sources().sources}
        with progress_bar("asking", min(len(items), config.max_items)) as advance:
            cache = AiCache(ctx.curation, notify=note)
            report = ask_about(ctx.curation, config, items, titles, on_done=advance, cache=cache)
    except ConfigError as exc:
        err.print(f"[yellow]AI skipped:[/] {exc}", highlight=False)
        return
    _print(report)


def _print(report: AiReport) -> None:
    if report.wanted == 0:
        out.print("AI: every item already has an answer (--refresh asks again)")
        return
    out.print(report.summary(), highlight=False)
    for message, count in report.errors.most_common(5):
        err.print(f"  {count} x {message}", highlight=False, markup=False)
