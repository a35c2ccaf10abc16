"""``feedkb review``: the items the tagger was unsure about, for a curator to settle."""

from dataclasses import dataclass
from datetime import timedelta

from feedkb.kb import Entry, KnowledgeBase
from feedkb.model import format_utc, parse_utc

DEFAULT_DAYS = 14
MARGIN = 1.0  # a score this close to its threshold is a coin toss


@dataclass
class ReviewItem:
    entry: Entry
    reason: str


def default_since(kb: KnowledgeBase) -> str | None:
    """Two weeks before the newest item: "recent" even for a store not fetched lately."""
    newest = max((e.item.published for e in kb.entries.values()), default=None)
    return format_utc(parse_utc(newest) - timedelta(days=DEFAULT_DAYS)) if newest else None


def review_queue(kb: KnowledgeBase, since: str | None) -> list[ReviewItem]:
    """Visible, not yet overridden items with no value or a score near a threshold."""
    queue = []
    for entry in kb.visible():
        if since and entry.item.published < since:
            continue
        if entry.override.to_dict():
            continue  # the curator already spoke
        reason = unsure_reason(kb, entry)
        if reason:
            queue.append(ReviewItem(entry, reason))
    return queue


def unsure_reason(kb: KnowledgeBase, entry: Entry) -> str | None:
    close = []
    for slug, rule in kb.rules.tags.items():
        score = entry.scores.get(slug, 0.0)
        if abs(score - rule.threshold) < MARGIN:
            verdict = "just made" if score >= rule.threshold else "just missed"
            terms = ", ".join(m.term for m in entry.evidence.get(slug, []) if m.weight > 0)
            close.append(
                f"{slug} {verdict} its threshold ({score:g} vs {rule.threshold:g}"
                f"{'; ' + terms if terms else ''})"
            )
    if close:
        return "; ".join(close)
    if not entry.values:
        best = max(entry.scores.items(), key=lambda kv: kv[1], default=None)
        return (
            f"no value (best: {best[0]} {best[1]:g})"
            if best and best[1] > 0
            else "no value: no rule term matched"
        )
    return None
