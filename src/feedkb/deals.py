"""Deal extraction: company, round, amount and investors from a funding, M&A or IPO headline."""

import re
from dataclasses import dataclass, field

from feedkb.companies import clean_company_name

CLAUSE_SPLIT = re.compile(r"[，,。；;！!？?|｜]+|\s[-—–]+\s")

ROUND_PATTERNS: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(r"pre-?ipo", re.I), "Pre-IPO"),
    (re.compile(r"pre-?([A-F])(\+*)", re.I), None),
    (re.compile(r"(?<![A-Za-z])([A-F])(\+*)\d?\s*(?:轮|系列)", re.I), None),
    (re.compile(r"series\s+([A-F])(\+*)", re.I), None),
    (re.compile(r"天使\+?轮|天使投资|angel", re.I), "天使"),
    (re.compile(r"种子轮|seed", re.I), "种子"),
    (re.compile(r"战略(?:投资|融资)|strategic investment", re.I), "战略投资"),
    (re.compile(r"ipo|上市(?!公司)|递表|招股|挂牌|敲钟|过会|第一股|listing", re.I), "IPO"),
    (re.compile(r"并购|收购|买下|控股权|合并|acqui", re.I), "并购"),
    (re.compile(r"母基金|新基金|募资|基金|首关|fund", re.I), "基金募资"),
]

CURRENCIES = {
    "元": "CNY",
    "人民币": "CNY",
    "美元": "USD",
    "港元": "HKD",
    "港币": "HKD",
    "欧元": "EUR",
    "日元": "JPY",
    "英镑": "GBP",
    "新元": "SGD",
}
DIGIT_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
UNIT_MULTIPLIERS = {"万": 10_000, "亿": 100_000_000}
CN_AMOUNT = re.compile(
    r"(?P<qual>超过|近|超|逾|约|数|几|上|过)?(?P<num>\d+(?:\.\d+)?)?\s*(?P<mult>[十百千])?"
    r"(?P<unit>万|亿)(?P<cur>元|人民币|美元|港元|港币|欧元|日元|英镑|新元)?(?P<level>级)?"
)
EN_AMOUNT = re.compile(
    r"(?P<cur>US\$|\$|€|£|¥|HK\$|RMB\s?)\s?(?P<num>\d+(?:\.\d+)?)\s?"
    r"(?P<unit>k|m|mn|million|b|bn|billion)?\b",
    re.I,
)
# Every amount has 万 or 亿, or a currency sign: clauses without are not read.
MAY_HOLD_AMOUNT = re.compile(r"[万亿$€£¥]|rmb", re.IGNORECASE)
EN_UNITS = {"k": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}
EN_CURRENCIES = {
    "us$": "USD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "CNY",
    "hk$": "HKD",
    "rmb": "CNY",
}
DEAL_WORDS = re.compile(
    r"融资|获投|投资|领投|募资|募集|基金|收购|并购|买下|让股|入股|ipo|上市|"
    r"递表|估值|raise|fund|acqui",
    re.I,
)

# "X宣布完成…融资", "X获…投资", "X完成…轮"
SUBJECT_BEFORE_VERB = re.compile(
    r"^(?P<name>.+?)(?:宣布|官宣|正式)?(?:已)?(?:完成|获得?|拿下|斩获|再获|连获|获投|迎来|启动|"
    r"raises|secures|closes|lands|completes|gets|files for|debuts|prices)"
)
SUBJECT_BEFORE_ROUND = re.compile(r"^(?P<name>.+?)(?:pre-?)?(?:[A-F]\+*|天使|种子)轮", re.I)
PASSIVE_TARGET = re.compile(r"^(?P<name>.+?)被(?:.{0,8})?(?:收购|并购|买下|控股)")
MERGED = re.compile(r"^(?P<name>.+?)(?:与|和).{0,12}合并")
SUBJECT_BEFORE_LISTING = re.compile(
    r"(?P<name>[^，,：:。；\s]{2,30}?)(?:正式|今日|今天|将|拟|再度|再次|冲刺|闯关|赴港|赴美)?"
    r"(?:递表|IPO|上市|挂牌|敲钟|过会|招股)",
    re.I,
)
TARGET_AFTER_ACQUIRE = re.compile(
    r"(?:收购|买下|并购|acquires)(?:了)?(?P<name>[^，,。；;：:]{2,30})", re.I
)
QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,20})[”\"」』]")
# The investors are what a clause says before these words ("由A、B联合领投").
INVESTOR_MARKERS = (("领投", "lead"), ("跟投", "others"), ("参投", "others"), ("等参与", "others"))
INVESTOR_MARKER = re.compile("|".join(marker for marker, _role in INVESTOR_MARKERS))
LED_BY = re.compile(r"led by (?P<names>[^,.;]+)", re.I)
INVESTOR_SPLIT = re.compile(r"、|和|与|及|以及|,|，|\band\b")
INVESTOR_NOISE = re.compile(
    r"^(本轮|此轮|本次|融资|投资方|投资|由|老股东|现有股东|其中|继续|"
    r"多家|等机构|机构|共同|联合)+|(等|等机构|等投资方|继续|持续|共同|联合|独家)+$"
)


@dataclass
class Amount:
    text: str
    value: float | None
    currency: str | None
    approximate: bool


@dataclass
class Deal:
    company: str | None
    round: str | None
    amount: Amount | None
    investors: dict[str, list[str]] = field(default_factory=dict)  # "lead" / "others"


def extract_deal(title: str, summary: str = "") -> Deal:
    """Everything the text says about the deal; each part is None when it does not say."""
    text = f"{title}。{summary}" if summary else title
    clauses = CLAUSE_SPLIT.split(text)
    return Deal(
        company=extract_company(title) or (extract_company(summary) if summary else None),
        round=extract_round(text),
        amount=extract_amount(clauses),
        investors=extract_investors(text, clauses),
    )


def extract_round(text: str) -> str | None:
    for pattern, name in ROUND_PATTERNS:
        found = pattern.search(text)
        if found:
            return (
                name
                or f"{'Pre-' if found.group(0).lower().startswith('pre') else ''}"
                f"{found.group(1).upper()}{found.group(2)}"
            )
    return None


def extract_amount(clauses: list[str]) -> Amount | None:
    """The deal's amount: the first one in a clause that speaks of the deal, else a clause that
    is nothing but an amount ("100亿，南宁最大母基金来了")."""
    alone = None
    for clause in filter(MAY_HOLD_AMOUNT.search, clauses):
        amount = _first_amount(clause)
        if amount is None:
            continue
        if DEAL_WORDS.search(clause):
            return amount
        if alone is None and amount.text == clause.strip():
            alone = amount
    return alone


def _first_amount(clause: str) -> Amount | None:
    for found in CN_AMOUNT.finditer(clause):
        if (
            found.group("num")
            or found.group("qual")
            or found.group("mult")
            or found.group("cur")
            or found.group("level")
        ):
            return _chinese_amount(found)
    found = EN_AMOUNT.search(clause)
    if found:
        scale = EN_UNITS.get((found.group("unit") or "").lower(), 1)
        return Amount(
            found.group(0).strip(),
            float(found.group("num")) * scale,
            EN_CURRENCIES.get(found.group("cur").strip().lower()),
            False,
        )
    return None


def _chinese_amount(found: re.Match[str]) -> Amount:
    number = float(found.group("num")) if found.group("num") else 1.0
    value = (
        number
        * DIGIT_MULTIPLIERS.get(found.group("mult") or "", 1)
        * UNIT_MULTIPLIERS[found.group("unit")]
    )
    approximate = (
        found.group("qual") is not None
        or found.group("level") is not None
        or not found.group("num")
    )
    # A Chinese headline's bare 亿/万 means yuan.
    currency = CURRENCIES.get(found.group("cur") or "元")
    return Amount(found.group(0), value, currency, approximate)


def extract_company(text: str) -> str | None:
    """The company the deal is about: the funded one, the listed one, or the acquired one."""
    for clause in CLAUSE_SPLIT.split(text, maxsplit=3)[:3]:
        for pattern in (
            PASSIVE_TARGET,
            MERGED,
            SUBJECT_BEFORE_VERB,
            SUBJECT_BEFORE_ROUND,
            SUBJECT_BEFORE_LISTING,
        ):
            found = pattern.search(clause)
            name = clean_company_name(found.group("name")) if found else None
            if name:
                return name
    found = TARGET_AFTER_ACQUIRE.search(text)
    if found:
        return clean_company_name(found.group("name").rsplit("的", 1)[-1])
    quoted = QUOTED.search(text)
    return clean_company_name(quoted.group(1)) if quoted else None


def extract_investors(text: str, clauses: list[str]) -> dict[str, list[str]]:
    """Lead and other investors, from "X领投，Y、Z跟投" or "led by X and Y"; ``clauses`` are
    the text's."""
    found: list[tuple[str, str]] = []  # (role, the text naming them)
    if INVESTOR_MARKER.search(text):
        for clause in filter(INVESTOR_MARKER.search, clauses):
            for marker, role in INVESTOR_MARKERS:
                if marker in clause:
                    found.append((role, clause.split(marker, 1)[0]))
    if "led by" in text.lower():
        found += [("lead", m.group("names")) for m in LED_BY.finditer(text)]
    investors: dict[str, list[str]] = {}
    for role, names in found:
        for name in map(_clean_investor, INVESTOR_SPLIT.split(names)):
            if name and name not in investors.get(role, []):
                investors.setdefault(role, []).append(name)
    return investors


def _clean_investor(raw: str) -> str:
    name = INVESTOR_NOISE.sub("", raw.strip(' 　"“”「」'))
    name = INVESTOR_NOISE.sub("", name)
    return name if 2 <= len(name) <= 30 else ""
