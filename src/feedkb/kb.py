"""The knowledge base as members and curators see it: stored items with their computed values,
deals, companies and duplicate groups, and the curator's overrides applied.

Nothing here is stored: it is derived from the store and the curation files every time it is
loaded, so a rule change re-tags the whole history without a refetch.
"""

import multiprocessing
import os
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from feedkb.ai.cache import AiCache
from feedkb.ai.combine import combined_values, filled_deal
from feedkb.ai.config import AiConfig, load_ai_config
from feedkb.ai.judgment import Judgment, judgment_to_builtins
from feedkb.ai.prompt import PROMPT_VERSION
from feedkb.companies import company_key, lead_companies
from feedkb.deals import Deal, extract_deal
from feedkb.gcpause import paused_gc
from feedkb.groups import Group, group_duplicates, similar_title_roots
from feedkb.learn.features import rule_features
from feedkb.learn.kbmodel import model_for
from feedkb.learn.model import Prediction, ValueModel
from feedkb.model import Item
from feedkb.overrides import Override, Overrides, load_overrides
from feedkb.rules import Rules, load_rules
from feedkb.sources import Source, SourceList
from feedkb.store import Store
from feedkb.tagging import Match, Tagger, Tagging
from feedkb.values import VALUE_SLUGS
from feedkb.workers import exit_with_parent

NO_OVERRIDE = Override()


@dataclass(slots=True)
class Entry:
    """One item with everything derived about it."""

    item: Item
    values: list[str]  # after overrides
    computed: list[str]  # what the tagger decided: the model's values, or the rules' without one
    tagging: Tagging  # what the rules alone say
    override: Override = NO_OVERRIDE
    deal: Deal | None = None
    companies: list[str] = field(default_factory=list)
    ai: Judgment | None = None  # the model's judgment, when an endpoint answered for it
    duplicate_of: str | None = None
    also_covered_by: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def computed_values(self) -> list[str]:
        return self.computed

    @property
    def scores(self) -> dict[str, float]:
        return self.tagging.scores

    @property
    def evidence(self) -> dict[str, list[Match]]:
        return self.tagging.evidence

    @property
    def title(self) -> str:
        return self.override.title or self.item.title

    @property
    def takeaway(self) -> str:
        """The model's one-line Chinese takeaway ("" without one)."""
        return self.ai.takeaway if self.ai else ""

    @property
    def hidden(self) -> bool:
        return self.override.hide

    @property
    def pinned(self) -> bool:
        return self.override.pin

    def to_dict(self) -> dict[str, Any]:
        """Every stored field plus the derived ones, as ``items --format json`` prints."""
        return {
            **self.item.to_dict(),
            "values": self.values,
            "scores": self.scores,
            "evidence": {
                slug: [asdict(m) for m in matches] for slug, matches in self.evidence.items()
            },
            "deal": asdict(self.deal) if self.deal else None,
            "companies": self.companies,
            "ai": judgment_to_builtins(self.ai) if self.ai else None,
            "duplicate_of": self.duplicate_of,
            "also_covered_by": self.also_covered_by,
            "override": self.override.to_dict(),
        }


@dataclass
class Company:
    name: str
    key: str
    item_ids: list[str]


@dataclass
class KnowledgeBase:
    sources: dict[str, Source]
    rules: Rules
    overrides: Overrides
    entries: dict[str, Entry]
    model: ValueModel | None = None

    def prediction(self, entry: Entry) -> Prediction | None:
        """What the model says of an entry, probabilities included (worked out again: kept
        for every entry they would be most of the memory the model costs a build)."""
        if self.model is None:
            return None
        [features] = rule_features([entry.tagging], self.rules, self.model.values)
        return self.model.predict(entry.item.title, entry.item.summary, features)

    def source_title(self, entry: Entry) -> str:
        """The title members know the item's source by (its id if it left sources.yaml)."""
        source = self.sources.get(entry.item.source)
        return source.title if source else entry.item.source

    def visible(self) -> list[Entry]:
        """What members see, newest first: not hidden, one entry per story."""
        chosen = [e for e in self.entries.values() if not e.hidden and not e.duplicate_of]
        return sorted(chosen, key=lambda e: (e.item.published, e.id), reverse=True)

    def find(self, key: str) -> Entry:
        """The entry with this id, guid or unique id prefix; KeyError says why not."""
        if key in self.entries:
            return self.entries[key]
        found = [
            e
            for e in self.entries.values()
            if e.item.guid == key or (len(key) >= 4 and e.id.startswith(key))
        ]
        if len(found) == 1:
            return found[0]
        if found:
            raise KeyError(f"{key!r} matches {len(found)} items; give more of the id")
        raise KeyError(f"no item {key!r} in the store (ids are listed by 'feedkb items')")

    def companies(self) -> list[Company]:
        """The company directory: companies named in visible lead and deal items."""
        spellings: dict[str, Counter] = defaultdict(Counter)
        items: dict[str, list[str]] = defaultdict(list)
        for entry in self.visible():
            for name in entry.companies:
                key = company_key(name)
                spellings[key][name] += 1
                items[key].append(entry.id)
        directory = [
            Company(spellings[key].most_common(1)[0][0], key, ids) for key, ids in items.items()
        ]
        return sorted(directory, key=lambda c: (-len(c.item_ids), c.key))


def load_kb(
    curation_dir: Path, notify: Callable[[str], None] = lambda _message: None
) -> KnowledgeBase:
    """The knowledge base of a curation folder, tagged by the model that fits its corrections
    (trained first when they changed: ``notify`` hears of it)."""
    sources = {s.id: s for s in SourceList.load(curation_dir).sources}
    rules = load_rules(curation_dir, notify)
    overrides = load_overrides(curation_dir)
    items = Store(curation_dir).load_items()
    model = model_for(curation_dir, rules, overrides, items, notify)
    ai_config = load_ai_config(curation_dir)
    judgments = ai_judgments(AiCache(curation_dir, notify=notify), ai_config)
    mode = ai_config.mode if ai_config else "review"
    return build_kb(items, sources, rules, overrides, model=model, ai=judgments, ai_mode=mode)


def ai_judgments(cache: AiCache, config: AiConfig | None) -> dict[str, Judgment]:
    """The model's judgments kept for this prompt and the configured model, by item id."""
    if config is None:
        return {}
    answers = cache.answers(PROMPT_VERSION, config.model)
    return {key: a.judgment for key, a in answers.items() if a.judgment is not None}


def corpus_kb(
    curation_dir: Path,
    items: list[Item],
    notify: Callable[[str], None] = lambda _message: None,
    ai: dict[str, Judgment] | None = None,
) -> KnowledgeBase:
    """Items from elsewhere (a labelled corpus) tagged as this knowledge base tags its own:
    its rules and model, no source hints, no overrides; with ``ai``, the AI's values replace
    the tagger's where it answered."""
    rules = load_rules(curation_dir, notify)
    overrides = load_overrides(curation_dir)
    model = model_for(curation_dir, rules, overrides, Store(curation_dir).load_items(), notify)
    no_overrides = Overrides(overrides.path, {}, {})
    return build_kb(items, {}, rules, no_overrides, model=model, ai=ai, ai_mode="replace")


PARALLEL_FROM = 20_000  # below this, starting worker processes costs more than it saves
CHUNK = 4_000


def build_kb(
    items: Iterable[Item],
    sources: dict[str, Source],
    rules: Rules,
    overrides: Overrides,
    *,
    model: ValueModel | None = None,
    processes: int | None = None,
    ai: dict[str, Judgment] | None = None,
    ai_mode: str = "review",
) -> KnowledgeBase:
    """Derive every entry, with ``model`` deciding the values (the rules alone without one)
    and the AI judgments in ``ai`` counting as ``ai_mode`` says (ai/combine.py); large stores
    are tagged by one worker process per core (or by ``processes`` of them; 1 derives
    everything in this process)."""
    items = list(items)
    tagger = Tagger(rules)
    ai = ai or {}
    with paused_gc():
        jobs = [_job(item, sources, overrides, ai.get(item.id)) for item in items]
        shown = [item for item in items if not overrides.by_id.get(item.id, NO_OVERRIDE).hide]
        workers = min(processes or os.cpu_count() or 1, len(items) // CHUNK)
        if len(items) < PARALLEL_FROM or workers < 2:
            derived = derive_all(tagger, model, jobs, ai_mode)
            title_roots = None
        else:
            derived, title_roots = _derive_in_workers(jobs, rules, model, ai_mode, workers, shown)
        entries = {
            item.id: Entry(item, *result) for item, result in zip(items, derived, strict=True)
        }
        for group in _duplicate_groups(entries, shown, title_roots):
            entries[group.primary].also_covered_by = list(group.others)
            for other in group.others:
                entries[other].duplicate_of = group.primary
    return KnowledgeBase(sources, rules, overrides, entries, model)


# title, summary, source hints, override, AI judgment
Job = tuple[str, str, tuple[str, ...], Override | None, Judgment | None]
Derived = tuple[list[str], list[str], Tagging, Override, Deal | None, list[str], Judgment | None]


def _job(
    item: Item, sources: dict[str, Source], overrides: Overrides, judgment: Judgment | None
) -> Job:
    source = sources.get(item.source)
    return (
        item.title,
        item.summary,
        source.values if source else (),
        overrides.by_id.get(item.id),
        judgment,
    )


def derive_all(
    tagger: Tagger, model: ValueModel | None, jobs: list[Job], ai_mode: str = "review"
) -> list[Derived]:
    """Values, computed values, tagging, override, deal, companies and AI judgment of each
    item; the model scores them all at once."""
    taggings = [tagger.tag_text(title, summary, hints) for title, summary, hints, *_ in jobs]
    unsure_of: Callable[[int], set[str]] = _any_value  # the values the tagger is unsure of
    if model:
        features = rule_features(taggings, tagger.rules, model.values)
        probabilities = model.probabilities([(job[0], job[1]) for job in jobs], features)
        computed = model.given(probabilities)
        unsure_of = partial(_unsure_by_model, model, probabilities)
    else:
        computed = [tagging.values for tagging in taggings]
    if any(job[4] for job in jobs):
        computed = [
            combined_values(values, job[4], ai_mode, partial(unsure_of, row))
            for row, (values, job) in enumerate(zip(computed, jobs, strict=True))
        ]
    return [
        derive(tagging, values, title, summary, override, judgment, ai_mode)
        for tagging, values, (title, summary, _hints, override, judgment) in zip(
            taggings, computed, jobs, strict=True
        )
    ]


def _unsure_by_model(model: ValueModel, probabilities: Any, row: int) -> set[str]:
    return model.unsure(probabilities[row])


def _any_value(_row: int) -> set[str]:
    """With the rules alone there is no measure of doubt: the model's values may add to any."""
    return set(VALUE_SLUGS)


def derive(
    tagging: Tagging,
    computed: list[str],
    title: str,
    summary: str,
    override: Override | None,
    judgment: Judgment | None = None,
    ai_mode: str = "review",
) -> Derived:
    """Values, computed values, tagging, override, deal, companies and AI judgment of one
    item, once the tagger (and the model's judgment) decided its values (``computed``)."""
    values = computed
    if override:
        values = override.apply(values)
        title = override.title or title
    deal = None
    if "deal" in values:
        deal = filled_deal(extract_deal(title, summary), judgment, ai_mode, f"{title} {summary}")
    names = [deal.company] if deal and deal.company else []
    if "lead" in values:
        names += lead_companies(title)
    if len(names) > 1:
        names = list(dict.fromkeys(names))
    return values, computed, tagging, override or NO_OVERRIDE, deal, names, judgment


def _duplicate_groups(
    entries: dict[str, Entry], shown: list[Item], title_roots: list[int] | None
) -> list[Group]:
    # A deal's company and round name its story, however the headline is worded.
    deals = [entries[item.id].deal for item in shown]
    story_keys = {
        item.id: f"{company_key(deal.company)}|{deal.round}"
        for item, deal in zip(shown, deals, strict=True)
        if deal and deal.company and deal.round
    }
    pinned_first = {item.id: -1 for item in shown if entries[item.id].pinned}  # others rank 0
    return group_duplicates(shown, pinned_first, story_keys, title_roots)


_worker_tagger: Tagger | None = None
_worker_model: ValueModel | None = None
_worker_ai_mode = "review"
_forked_jobs: list[Job] = []  # a forked worker reads its jobs from its copy of the parent


def _start_worker(rules: Rules, model: ValueModel | None, ai_mode: str) -> None:
    global _worker_tagger, _worker_model, _worker_ai_mode
    exit_with_parent()
    _worker_tagger, _worker_model, _worker_ai_mode = Tagger(rules), model, ai_mode


def _derive_chunk(jobs: list[Job] | range) -> list[Derived]:
    assert _worker_tagger is not None
    if isinstance(jobs, range):
        jobs = _forked_jobs[jobs.start : jobs.stop]
    with paused_gc():
        return derive_all(_worker_tagger, _worker_model, jobs, _worker_ai_mode)


def _derive_in_workers(
    jobs: list[Job],
    rules: Rules,
    model: ValueModel | None,
    ai_mode: str,
    workers: int,
    shown: list[Item],
) -> tuple[list[Derived], list[int]]:
    """Tag in worker processes; comparing titles (which needs no tags) is one more task.

    In a single-threaded process the workers are forked and read the jobs from memory they
    share with it; beside other threads (mkdocs serve) they are spawned and sent the jobs.
    """
    global _forked_jobs
    fork = threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if fork else "spawn")
    _forked_jobs = jobs if fork else []
    try:
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=(rules, model, ai_mode)
        ) as pool:
            roots = pool.submit(
                similar_title_roots, [i.title for i in shown], [i.published for i in shown]
            )
            spans = [range(i, min(i + CHUNK, len(jobs))) for i in range(0, len(jobs), CHUNK)]
            tasks = spans if fork else [jobs[r.start : r.stop] for r in spans]
            derived = [result for chunk in pool.map(_derive_chunk, tasks) for result in chunk]
            return derived, roots.result()
    finally:
        _forked_jobs = []
