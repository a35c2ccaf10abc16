"""``feedkb review``: the items the tagger was least sure about, for a curator to settle.

With a model, the queue is ranked by how close the model's nearest decision came to going
the other way: the corrections made from the top of it teach the model the most.
"""

from dataclasses import dataclass
from datetime import timedelta

from feedkb.kb import Entry, KnowledgeBase
from feedkb.learn.model import UNSURE
from feedkb.model import format_utc, parse_utc

DEFAULT_DAYS = 14
MARGIN = 1.0  # a score this close to its threshold is a coin toss


@dataclass
class ReviewItem:
    entry: Entry
    reason: str
    uncertainty: float = 0.0


def default_since(kb: KnowledgeBase) -> str | None:
    """Two weeks before the newest item: "recent" even for a store not fetched lately."""
    newest = max((e.item.published for e in kb.entries.values()), default=None)
    return format_utc(parse_utc(newest) - timedelta(days=DEFAULT_DAYS)) if newest else None


def review_queue(kb: KnowledgeBase, since: str | None) -> list[ReviewItem]:
    """Visible, not yet overridden items the tagger was unsure about: with a model, the most
    uncertain first; with rules alone, newest first."""
    queue = []
    for entry in kb.visible():
        if since and entry.item.published < since:
            continue
        if entry.override.to_dict():
            continue  # the curator already spoke
        row = model_doubt(kb, entry) if kb.model else rule_doubt(kb, entry)
        if disagreement := ai_disagreement(entry):
            if row is None:  # the tagger was sure, but the model says otherwise
                row = ReviewItem(entry, disagreement, UNSURE)
            else:
                row.reason = f"{row.reason}; {disagreement}"
        if row:
            queue.append(row)
    return sorted(queue, key=lambda row: -row.uncertainty)


def ai_disagreement(entry: Entry) -> str:
    """What the AI's judgment would change in the item's values, with its reasons ("" when
    there is no judgment or it agrees)."""
    if entry.ai is None:
        return ""
    given = entry.ai.given
    changes = [f"+{slug}" for slug in given if slug not in entry.values]
    changes += [f"-{slug}" for slug in entry.values if slug not in given]
    if not changes:
        return ""
    reasons = [j.reason for j in entry.ai.values if j.reason and j.value in given]
    return f"AI says {' '.join(changes)}" + (f" ({'; '.join(reasons)})" if reasons else "")


def model_doubt(kb: KnowledgeBase, entry: Entry) -> ReviewItem | None:
    prediction = kb.prediction(entry)
    assert kb.model and prediction
    uncertainty = prediction.uncertainty(kb.model)
    if uncertainty < UNSURE and entry.values:
        return None
    thresholds = kb.model.thresholds
    slug, probability = min(
        prediction.probabilities.items(), key=lambda kv: abs(kv[1] - thresholds[kv[0]])
    )
    verdict = "just given" if slug in prediction.values else "just not given"
    reason = (
        f"{slug} {verdict}: model probability {probability:.2f}, threshold {thresholds[slug]:.2f}"
    )
    return ReviewItem(entry, reason if entry.values else f"no value; {reason}", uncertainty)


def rule_doubt(kb: KnowledgeBase, entry: Entry) -> ReviewItem | None:
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
        return ReviewItem(entry, "; ".join(close))
    if not entry.values:
        best = max(entry.scores.items(), key=lambda kv: kv[1], default=None)
        return ReviewItem(
            entry,
            f"no value (best: {best[0]} {best[1]:g})"
            if best and best[1] > 0
            else "no value: no rule term matched",
        )
    return None
