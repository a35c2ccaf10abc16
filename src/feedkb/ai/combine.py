"""How the model's judgment counts beside the tagger's (ai.yaml's ``mode``); the curator's
overrides are applied after this and always win.

- ``replace``: the model's values are the item's values;
- ``fill``: a value the model gives is added where the tagger was unsure of it (its
  probability near its threshold; with the rules alone, any value);
- ``review``: nothing changes; ``feedkb review`` and ``explain`` show the model's view.

Deal fields fill only what the rules' extraction left empty, and a company only when the
name passes the company-name test and is written in the item: the model may not invent one.
"""

from collections.abc import Callable
from dataclasses import replace

from feedkb.ai.judgment import Judgment
from feedkb.companies import clean_company_name
from feedkb.deals import Deal, extract_amount, extract_round
from feedkb.values import VALUE_SLUGS


def combined_values(
    computed: list[str], judgment: Judgment | None, mode: str, unsure: Callable[[], set[str]]
) -> list[str]:
    """The item's values once the model's judgment has counted as ``mode`` says."""
    if judgment is None or mode == "review":
        return computed
    if mode == "replace":
        return judgment.given
    doubtful = unsure()
    added = {slug for slug in judgment.given if slug in doubtful}
    return [slug for slug in VALUE_SLUGS if slug in computed or slug in added]


def filled_deal(deal: Deal, judgment: Judgment | None, mode: str, text: str) -> Deal:
    """``deal`` with the parts the rules left empty taken from the model's deal fields."""
    told = judgment.deal if judgment and mode != "review" else None
    if told is None:
        return deal
    company = deal.company
    if company is None and told.company and told.company in text:
        company = clean_company_name(told.company)
    round_ = deal.round or (_round(told.round) if told.round else None)
    amount = deal.amount or (extract_amount([told.amount]) if told.amount else None)
    return replace(deal, company=company, round=round_, amount=amount)


def _round(told: str) -> str | None:
    """The round in the model's words, as the rules name rounds ("B" and "B轮" are B)."""
    return extract_round(told) or extract_round(f"{told}轮")
