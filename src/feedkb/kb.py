"""The knowledge base as members and curators see it: stored items with their computed values,
deals, companies and duplicate groups, and the curator's overrides applied.

Nothing here is stored: it is derived from the store and the curation files every time it is
loaded, so a rule change re-tags the whole history without a refetch.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from feedkb.companies import company_key, lead_companies
from feedkb.deals import Deal, extract_deal
from feedkb.groups import group_duplicates
from feedkb.model import Item
from feedkb.overrides import Override, Overrides, load_overrides
from feedkb.rules import Rules, load_rules
from feedkb.sources import Source, SourceList
from feedkb.store import Store
from feedkb.tagging import Match, Tagger

NO_OVERRIDE = Override()


@dataclass
class Entry:
    """One item with everything derived about it."""

    item: Item
    values: list[str]  # after overrides
    computed_values: list[str]  # what the rules alone say
    scores: dict[str, float]
    evidence: dict[str, list[Match]]
    override: Override = NO_OVERRIDE
    deal: Deal | None = None
    companies: list[str] = field(default_factory=list)
    duplicate_of: str | None = None
    also_covered_by: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def title(self) -> str:
        return self.override.title or self.item.title

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


def load_kb(curation_dir: Path) -> KnowledgeBase:
    sources = {s.id: s for s in SourceList.load(curation_dir).sources}
    rules = load_rules(curation_dir)
    overrides = load_overrides(curation_dir)
    return build_kb(Store(curation_dir).load_items(), sources, rules, overrides)


def build_kb(
    items: Iterable[Item], sources: dict[str, Source], rules: Rules, overrides: Overrides
) -> KnowledgeBase:
    tagger = Tagger(rules)
    entries: dict[str, Entry] = {}
    for item in items:
        entries[item.id] = derive_entry(
            item, tagger, sources, overrides.by_id.get(item.id, NO_OVERRIDE)
        )
    _mark_duplicates(entries)
    return KnowledgeBase(sources, rules, overrides, entries)


def derive_entry(
    item: Item, tagger: Tagger, sources: dict[str, Source], override: Override = NO_OVERRIDE
) -> Entry:
    source = sources.get(item.source)
    tagging = tagger.tag(item, source.values if source else ())
    values = override.apply(tagging.values)
    title = override.title or item.title
    deal = extract_deal(title, item.summary) if "deal" in values else None
    names = [deal.company] if deal and deal.company else []
    if "lead" in values:
        names += lead_companies(title)
    return Entry(
        item,
        values,
        tagging.values,
        tagging.scores,
        tagging.evidence,
        override,
        deal,
        list(dict.fromkeys(names)),
    )


def _mark_duplicates(entries: dict[str, Entry]) -> None:
    shown = [e.item for e in entries.values() if not e.hidden]
    rank = {e.id: 0 if e.pinned else 1 for e in entries.values()}
    for group in group_duplicates(shown, rank):
        entries[group.primary].also_covered_by = list(group.others)
        for other in group.others:
            entries[other].duplicate_of = group.primary
