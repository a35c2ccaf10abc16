"""``feedkb eval``: the tagger's precision, recall and F1 against a labelled file, in all and
per language, and how well deals' companies and rounds are found."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from feedkb.companies import company_key
from feedkb.deals import extract_deal
from feedkb.errors import ConfigError, Problem
from feedkb.kb import Entry, KnowledgeBase
from feedkb.model import Item
from feedkb.text import truncate
from feedkb.values import VALUE_SLUGS


@dataclass(frozen=True)
class Label:
    key: str  # item id or guid
    values: frozenset[str]
    company: str | None
    round: str | None


@dataclass
class ValueScore:
    slug: str
    labelled: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.labelled if self.labelled else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Mistake:
    entry: Entry
    expected: frozenset[str]
    got: frozenset[str]


@dataclass
class DealScore:
    """Deal extraction on the items labelled as deals."""

    labelled: int = 0
    named: int = 0  # labelled with a company
    given: int = 0  # a company was extracted
    company_right: int = 0  # extracted and the labelled one
    round_right: int = 0  # where the company is right, the round is too

    @property
    def company_precision(self) -> float:
        return self.company_right / self.given if self.given else 0.0

    @property
    def company_recall(self) -> float:
        return self.company_right / self.named if self.named else 0.0


@dataclass
class EvalReport:
    scores: list[ValueScore]
    matched: int
    missing: list[str]
    by_language: dict[str, list[ValueScore]] = field(default_factory=dict)
    items_by_language: dict[str, int] = field(default_factory=dict)
    deals: DealScore = field(default_factory=DealScore)
    mistakes: list[Mistake] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        return macro_f1(self.scores)


def macro_f1(scores: list[ValueScore]) -> float:
    return sum(s.f1 for s in scores) / len(scores)


def read_labels(path: Path) -> list[Label]:
    """Tab-separated: id or guid, comma-separated values, then optional company and round."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError.one(path, None, f"cannot read: {exc.strerror or exc}") from None
    labels, problems = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t")
        values = (
            frozenset(v.strip() for v in columns[1].split(",") if v.strip())
            if len(columns) > 1
            else frozenset()
        )
        unknown = sorted(values - set(VALUE_SLUGS))
        if unknown:
            problems.append(
                Problem(
                    path,
                    number,
                    columns[0],
                    f"unknown value {unknown[0]!r} (known: {', '.join(VALUE_SLUGS)})",
                )
            )
            continue
        extra = [c.strip() or None for c in columns[2:4]] + [None, None]
        labels.append(Label(columns[0].strip(), values, extra[0], extra[1]))
    if problems:
        raise ConfigError(problems)
    return labels


def read_split(path: Path, side: str) -> set[str]:
    """The ids on one side of a split file (id TAB side)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError.one(path, None, f"cannot read: {exc.strerror or exc}") from None
    chosen = set()
    for line in lines:
        if line and not line.startswith("#"):
            key, _tab, where = line.partition("\t")
            if where.strip() == side:
                chosen.add(key.strip())
    return chosen


def read_corpus(path: Path) -> list[Item]:
    """A labelled corpus's items, one JSON object a line (``id``, ``title``, ``summary``,
    ``date``, ``lang``, ``url``), as items of a source without value hints, their summaries
    cut as the store cuts them."""
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError.one(path, None, f"cannot read: {exc.strerror or exc}") from None
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
            published = f"{record.get('date') or '2000-01-01'}T00:00:00Z"
            items.append(
                Item(
                    id=record["id"],
                    source="corpus",
                    title=record["title"],
                    url=record.get("url", ""),
                    guid=record["id"],
                    published=published,
                    first_seen=published,
                    summary=truncate(record.get("summary", "")),
                    lang=record.get("lang", ""),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError.one(path, number, f"not a corpus item ({exc})") from None
    return items


def evaluate(kb: KnowledgeBase, labels: list[Label]) -> EvalReport:
    """Score what the tagger alone decides (overrides would make any tagger look perfect)."""
    by_key = {e.id: e for e in kb.entries.values()}
    by_key.update({e.item.guid: e for e in kb.entries.values() if e.item.guid})
    report = EvalReport([ValueScore(slug) for slug in VALUE_SLUGS], 0, [])
    for label in labels:
        entry = by_key.get(label.key)
        if entry is None:
            report.missing.append(label.key)
            continue
        report.matched += 1
        got = frozenset(entry.computed_values)
        language = (entry.item.lang or "other")[:2]
        if language not in report.by_language:
            report.by_language[language] = [ValueScore(slug) for slug in VALUE_SLUGS]
        report.items_by_language[language] = report.items_by_language.get(language, 0) + 1
        for scores in (report.scores, report.by_language[language]):
            _count(scores, label.values, got)
        if got != label.values:
            report.mistakes.append(Mistake(entry, label.values, got))
        if "deal" in label.values:
            _score_deal(report.deals, entry, label)
    return report


def _count(scores: list[ValueScore], expected: frozenset[str], got: frozenset[str]) -> None:
    for score in scores:
        score.labelled += score.slug in expected
        score.predicted += score.slug in got
        score.correct += score.slug in expected and score.slug in got


def _score_deal(score: DealScore, entry: Entry, label: Label) -> None:
    deal = extract_deal(entry.title, entry.item.summary)
    right = (
        deal.company is not None
        and label.company is not None
        and company_key(deal.company) == company_key(label.company)
    )
    score.labelled += 1
    score.named += label.company is not None
    score.given += deal.company is not None
    score.company_right += right
    score.round_right += right and (label.round is None or deal.round == label.round)
