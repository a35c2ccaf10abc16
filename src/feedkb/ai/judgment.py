"""What the model says of one item, checked against the schema before anything uses it.

The model answers with one JSON object (the prompt asks for exactly this)::

    {"values": [{"value": "deal", "confidence": 0.9, "reason": "宣布完成B轮融资"}],
     "deal": {"company": "星河智驾", "round": "B", "amount": "3亿元", "investors": ["远景创投"]},
     "takeaway": "智驾赛道再获融资，投资人可关注"}

``values`` lists the value tags it considered, each with its confidence (a value is given from
0.5) and a short reason; ``deal`` is null unless the item reports a financing, M&A or IPO;
``takeaway`` is one Chinese sentence of at most 40 characters saying why a member should care.
Anything else (other keys, other types, a takeaway in English or too long, a value that is
not one of the five) is rejected: feed text is data, and a reply shaped by what a feed says
instead of by the schema is not used.
"""

import re
from typing import Annotated

import msgspec

from feedkb.values import VALUE_SLUGS

TAKEAWAY_CHARS = 40
REASON_CHARS = 80
NAME_CHARS = 60
GIVEN_FROM = 0.5  # a value's confidence from which the model gives it
CJK = re.compile(r"[\u4e00-\u9fff]")
FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)

Short = Annotated[str, msgspec.Meta(max_length=NAME_CHARS)]


class ValueJudgment(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    value: str
    confidence: Annotated[float, msgspec.Meta(ge=0, le=1)]
    reason: Annotated[str, msgspec.Meta(max_length=REASON_CHARS)] = ""


class DealFields(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    company: Short | None = None
    round: Short | None = None
    amount: Short | None = None
    investors: Annotated[list[Short], msgspec.Meta(max_length=10)] = []


class Judgment(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    values: Annotated[list[ValueJudgment], msgspec.Meta(max_length=len(VALUE_SLUGS))]
    takeaway: Annotated[str, msgspec.Meta(min_length=1, max_length=TAKEAWAY_CHARS)]
    deal: DealFields | None = None

    @property
    def given(self) -> list[str]:
        """The values the model gives, in the order of the five."""
        chosen = {v.value for v in self.values if v.confidence >= GIVEN_FROM}
        return [slug for slug in VALUE_SLUGS if slug in chosen]

    def judged(self, slug: str) -> ValueJudgment | None:
        return next((v for v in self.values if v.value == slug), None)


class SchemaError(ValueError):
    """A reply that is not a judgment; the message says what is wrong with it."""


_DECODER = msgspec.json.Decoder(Judgment)


def parse_judgment(text: str) -> Judgment:
    """The judgment in a model's reply (a JSON object, possibly in a Markdown code fence);
    SchemaError says why a reply is not one."""
    fenced = FENCE.match(text)
    try:
        judgment = _DECODER.decode((fenced.group(1) if fenced else text).strip())
    except msgspec.DecodeError as exc:
        raise SchemaError(str(exc)) from None
    check_judgment(judgment)
    return judgment


def check_judgment(judgment: Judgment) -> None:
    """What the types cannot say: known values, each once, a one-line Chinese takeaway."""
    slugs = [v.value for v in judgment.values]
    if unknown := [s for s in slugs if s not in VALUE_SLUGS]:
        raise SchemaError(
            f"unknown value {unknown[0]!r} (expected one of {', '.join(VALUE_SLUGS)})"
        )
    if len(set(slugs)) != len(slugs):
        raise SchemaError("a value is judged twice")
    takeaway = judgment.takeaway
    if not CJK.search(takeaway) or "\n" in takeaway or takeaway != takeaway.strip():
        raise SchemaError("takeaway must be one line of Chinese")


def judgment_to_builtins(judgment: Judgment) -> dict:
    return msgspec.to_builtins(judgment)


def judgment_from_builtins(data: dict) -> Judgment:
    """A judgment read back from the cache, checked as a reply is."""
    try:
        judgment = msgspec.convert(data, Judgment)
    except msgspec.ValidationError as exc:
        raise SchemaError(str(exc)) from None
    check_judgment(judgment)
    return judgment
