"""``feedkb eval``: the tagger's precision, recall and F1 against a labelled file."""

from dataclasses import dataclass, field
from pathlib import Path

from feedkb.companies import company_key
from feedkb.deals import extract_deal
from feedkb.errors import ConfigError, Problem
from feedkb.kb import Entry, KnowledgeBase
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
class EvalReport:
    scores: list[ValueScore]
    matched: int
    missing: list[str]
    deals_labelled: int = 0
    deals_company_right: int = 0
    deals_round_right: int = 0
    deals_both_right: int = 0
    mistakes: list[Mistake] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        return sum(s.f1 for s in self.scores) / len(self.scores)


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


def evaluate(kb: KnowledgeBase, labels: list[Label]) -> EvalReport:
    """Score what the rules alone decide (overrides would make any rule set look perfect)."""
    by_key = {e.id: e for e in kb.entries.values()}
    by_key.update({e.item.guid: e for e in kb.entries.values() if e.item.guid})
    scores = {slug: ValueScore(slug) for slug in VALUE_SLUGS}
    report = EvalReport(list(scores.values()), 0, [])
    for label in labels:
        entry = by_key.get(label.key)
        if entry is None:
            report.missing.append(label.key)
            continue
        report.matched += 1
        got = frozenset(entry.computed_values)
        for slug, score in scores.items():
            score.labelled += slug in label.values
            score.predicted += slug in got
            score.correct += slug in label.values and slug in got
        if got != label.values:
            report.mistakes.append(Mistake(entry, label.values, got))
        if label.company or label.round:
            _score_deal(report, entry, label)
    return report


def _score_deal(report: EvalReport, entry: Entry, label: Label) -> None:
    deal = extract_deal(entry.title, entry.item.summary)
    company_right = label.company is None or (
        deal.company is not None and company_key(deal.company) == company_key(label.company)
    )
    round_right = label.round is None or deal.round == label.round
    report.deals_labelled += 1
    report.deals_company_right += company_right
    report.deals_round_right += round_right
    report.deals_both_right += company_right and round_right
