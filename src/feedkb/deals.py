"""Deal extraction: company, round, amount and investors from a funding, M&A or IPO headline.

Precision first: the company is taken only from a place in the sentence where a deal names it
(the one funded, listed or acquired) and only when it passes as a name; otherwise None.
"""

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from feedkb.companies import NAME_SUFFIX, clean_company_name

CLAUSE_SPLIT = re.compile(r"[，,。；;！!？?|｜丨]+|\s[-—–]+\s")
# A name never spans a colon, a bracket or a slash: the company is looked for between them.
NAME_SPLIT = re.compile(r"[，,。；;！!？?|｜丨：:【】/]+|\s[-—–]+\s")
# A summary's first sentence tells the deal; later ones tell its background.
FIRST_SENTENCE = re.compile(r"[。！？!?]|\.\s")
HAS_CJK = re.compile(r"[\u4e00-\u9fff]")

BOARDS = r"(?:科创板|创业板|北交所|港股|港交所|纳斯达克|纽交所|A股|主板|资本市场)"
# One expression for every round, so that the round the text tells first is one search away
# ("完成B轮融资，并已启动Pre-IPO融资" is a B round); at one place, the earlier branch wins.
ROUND = re.compile(
    r"(?P<preipo>pre-?ipo)"
    r"|(?<![A-Za-z])(?P<pre>pre)-?(?P<pl>[A-F])(?P<pp>\+*)(?![A-Za-z])"
    r"|(?<![A-Za-z])(?P<l>[A-F])(?P<p>\+*)\d?\s*(?:轮|系列)"
    r"|\bseries\s+(?P<sl>[A-F])(?P<sp>\+*)(?![A-Za-z])"
    r"|(?P<angel>天使\+?轮|天使投资|\bangel\b)"
    r"|(?P<seed>种子轮|\b(?:pre-)?seed\b)"
    r"|(?P<strategic>战略(?:投资|融资)|入股|strategic investment)"
    r"|(?P<ipo>(?<![A-Za-z])ipo(?![A-Za-z])|递表|招股|挂牌|敲钟|过会|聆讯|第一股|申购|listing"
    rf"|(?:登陆|冲刺|闯关){BOARDS}|go(?:es|ing)? public)"
    r"|(?P<listed>上市(?!公司))"
    r"|(?P<ma>并购|收购|买下|控股权|合并|acqui|\bmerge[ds]?\b|\bmerger\b)"
    r"|(?P<fund>母基金|新基金|基金.{0,6}(?:首关|终关|关账|成立|设立|募集|募资)"
    r"|(?:募集|募资|设立|成立|发起|规模).{0,12}基金|首关"
    r"|(?:raises|closes|launches|secures|lands)\b[^,.;:]{0,30}?\bfunds?\b)",
    re.I,
)
NAMED_ROUNDS = {
    "preipo": "Pre-IPO",
    "angel": "天使",
    "seed": "种子",
    "strategic": "战略投资",
    "ipo": "IPO",
    "listed": "IPO",
    "ma": "并购",
    "fund": "基金募资",
}
# 上市 is also a product's launch ("极氪 9X 五座版上市，47.19 万起").
PRODUCT_LAUNCH = re.compile(r"万元?起|元起|售价|预售|起售|开售|新车|车型|新品|周边|系列")

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
    r"融资|获投|投资|领投|募资|募集|基金|收购|并购|买下|让股|入股|ipo|上市|轮|"
    r"递表|估值|raise|fund|acqui|round|seed|series|secures|lands|nabs|bags|buys|nets|snags|grabs|"
    r"closes|banks|pulls in|picks up",
    re.I,
)


class NamePattern(NamedTuple):
    """Where a headline names the deal's company (group ``name``), the round its wording gives
    (an acquisition, a stake), and words the text must hold for it to be tried at all."""

    regex: re.Pattern[str]
    round: str | None
    needs: tuple[str, ...]


# Chinese, tried clause by clause in this order: the first candidate that passes as a name wins.
ACQUIRED = NamePattern(
    re.compile(r"^(?P<name>.+?)被(?:.{0,12}?)(?:收购|并购|买下|控股)(?!的)"), "并购", ("被",)
)
ACQUIRED_ONE = NamePattern(  # "被 Notion 收购的下一代日历 Cron"
    re.compile(r"被.{1,16}?(?:收购|并购|买下)的\s?(?P<name>[^\s]+(?:\s[A-Za-z][\w.&'-]*)*)"),
    "并购",
    ("被",),
)
STAKE_TAKEN = NamePattern(
    re.compile(r"获得?(?P<name>[^，,。；;：:\s]{2,20}?)\s?\d+(?:\.\d+)?%(?:的)?股[权份]"),
    "战略投资",
    ("%",),
)
BOUGHT_INTO = NamePattern(re.compile(r"入股(?P<name>.{2,20})"), "战略投资", ("入股",))
OF_WHICH = NamePattern(
    re.compile(r"对(?P<name>.{2,30}?)的(?:全资|部分)?(?:收购|并购|控股|私有化)"), "并购", ("对",)
)
SOLD = NamePattern(  # "阿里巴巴拟出售旗下「云栖物流」全部股权": the sold company is the deal's
    re.compile(
        r"出售(?:其?所持有?的?|其|旗下)?(?P<name>.{2,24}?)(?:\d+(?:\.\d+)?%)?(?:的)?"
        r"(?:多数|全部|部分|剩余)?股[权份]"
    ),
    "并购",
    ("出售",),
)
INVESTED_IN = NamePattern(  # "腾讯完成对X的战略投资": X, not the investor before the verb
    re.compile(r"对(?P<name>.{2,20}?)的(?:战略)?(?:投资|注资)"), None, ("对",)
)
# "红杉中国战略投资「青枫智造」": a quoted name right after the verb is what was invested in;
# after a bare 投资 the quotes often hold a trend ("投资「大模型」").
INVESTED_IN_QUOTED = NamePattern(
    re.compile(r"(?:战略投资|注资)了?(?P<name>[“「『][^”」』]{2,20}[”」』])"),
    None,
    ("投资", "注资"),
)
# "并购案例", "收购点": the word names a kind of deal, not what was bought; after 是 or 的 the
# word is a noun ("今年是并购大年").
ACQUIRES = NamePattern(
    re.compile(
        r"(?<![是的为与和])(?:收购|并购|买下|控股)"
        r"(?!案|重组|潮|基金|交易|方案|计划|协议|事件|规则|新规|点|后|中)(?:了)?(?P<name>.{2,30})"
    ),
    "并购",
    ("收购", "并购", "买下", "控股"),
)
MERGED = NamePattern(re.compile(r"^(?P<name>.+?)(?:与|和).{0,12}合并"), "并购", ("合并",))
# "阅星曈靠一块「减法屏」拿下…": how the company did it comes between it and the verb.
SUBJECT_BEFORE_VERB = NamePattern(
    re.compile(
        r"^(?P<name>.+?)(?:(?:靠|凭借?|借助|通过)[^，,]{1,15}?)?(?:宣布|官宣|正式)?(?:已)?"
        r"(?:完成(?!对)|获(?!批|奖|评|选|赞|悉)得?|拿下|拿到|斩获|迎来|融资(?=\s?\d|后|背后))"
    ),
    None,
    ("完成", "获", "拿下", "拿到", "斩获", "迎来", "融资"),
)
SUBJECT_BEFORE_ROUND = NamePattern(
    re.compile(r"^(?P<name>.+?)(?:pre-?)?(?:[A-F]\+*|天使|种子)轮", re.I), None, ("轮",)
)
LED_INTO = NamePattern(  # "高瓴领投青木科技B轮融资": the company after its lead investor
    re.compile(
        r"领投(?P<name>[^，,的]{2,20}?)(?:新一轮|(?:pre-?)?[A-F]\+*\d?\s*轮|天使轮|种子轮|战略融资|融资)",
        re.I,
    ),
    None,
    ("领投",),
)
LISTED_TOGETHER = NamePattern(  # "小马、文远同时回港上市": the first named
    re.compile(
        r"^(?P<name>[^、，,]{2,12})、[^、，,]{2,12}(?:同时|先后|相继|齐)?.{0,4}(?:上市|IPO|递表)",
        re.I,
    ),
    None,
    ("、",),
)
SUBJECT_BEFORE_LISTING = NamePattern(
    re.compile(
        r"(?P<name>[^，,：:。；\s]{2,30}?)\s?(?:的)?(?:正式|今日|今天|将|拟|再度|再次|又|冲刺|"
        r"闯关|赴港|赴美|回港|通过)?"
        rf"(?:递表|IPO|上市|挂牌|敲钟|过会|聆讯|招股|申购|网上申购|(?:登陆|冲刺|闯关){BOARDS})",
        re.I,
    ),
    None,
    (
        *("递表", "IPO", "ipo", "上市", "挂牌", "敲钟", "过会", "聆讯", "招股", "申购"),
        *("登陆", "冲刺", "闯关"),
    ),
)
AFTER_FUNDING = NamePattern(  # "刚获得一亿美元融资的地瓜机器人"
    re.compile(
        r"(?:融资|投资)的\s?(?P<name>[^\s，,]{2,12}?)(?=再?获|完成|宣布|正式|将|拟|[，,\s]|$)"
    ),
    None,
    ("融资", "投资"),
)
ZH_PATTERNS = (
    ACQUIRED,
    ACQUIRED_ONE,
    STAKE_TAKEN,
    BOUGHT_INTO,
    OF_WHICH,
    SOLD,
    INVESTED_IN,
    INVESTED_IN_QUOTED,
    ACQUIRES,
    MERGED,
    SUBJECT_BEFORE_VERB,
    SUBJECT_BEFORE_ROUND,
    LED_INTO,
    LISTED_TOGETHER,
    SUBJECT_BEFORE_LISTING,
    AFTER_FUNDING,
)
# All the patterns' words in one expression, found in one pass; no word holds another where
# both could be wanted ("斩获" holds 获, but one pattern needs either).
ZH_NEEDS = re.compile("|".join(sorted({w for p in ZH_PATTERNS for w in p.needs}, key=len)[::-1]))
# "蚂蚁集团：本次网上发行申购户数516万": the name heads a headline about its deal.
HEAD_NAME = NamePattern(
    re.compile(
        r"^(?P<name>[^：:，,]{2,20})[：:](?=.*(?:申购|招股|发行|上市|IPO|融资|收购|并购))", re.I
    ),
    None,
    ("：", ":"),
)
QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,20})[”\"」』]")

# English: a name is a run of capitalised words; the verb after it says what happened to it.
# Title case capitalises the words around a name too ("Offers To Buy 100% Of Twitter"): these
# end one. A subject name is the shortest run before its verb, an object the longest.
EN_STOP = r"(?!(?i:for|in|to|at|with|from|on|by|as|after|amid|over|and|the|a|an|via)\b)"
EN_WORD = rf"{EN_STOP}(?:[A-Z0-9&]|[a-z]+[A-Z])[\w.&'’+-]*"  # "xAI", "eBay" too
EN_MORE = rf"\s(?:{EN_WORD}|of|de|per|l['’]\w+)"
EN_NAME = rf"(?P<name>{EN_WORD}(?:{EN_MORE})*?)"
EN_OBJECT = rf"(?P<name>{EN_WORD}(?:{EN_MORE})*)"
# An object followed by a lower-case word ("Brisbane data centre") was an adjective.
EN_END = r"\b(?![:/]\w)(?!\s(?!(?:for|in|to|from|at|with|and|as|amid|after|on|by|over|via)\b)[a-z])"
# Sentence case writes what a headline calls a company before its name in lower case ("Dutch
# proptech Woonly", "robotics upstart Gearloom"); a person's title is no description ("Stripe
# co-founder Jane Doe raises $5M for …"). Title case ("AI Startup Vexel") is taken with the name
# and cut off when it is cleaned.
EN_KINDS = (
    r"(?:start-?ups?|compan(?:y|ies)|firms?|\w*makers?|giants?|unicorns?|platforms?|providers?|"
    r"developers?|rivals?|units?|subsidiar(?:y|ies)|brands?|operators?|lenders?|retailers?|"
    r"upstarts?|players?|designers?|insurers?|neobanks?|suppliers?|vendors?|exchanges?|apps?|"
    r"marketplaces?|manufacturers?|producers?|specialists?|chains?|carriers?|[a-z]*tech)"
)
EN_DESCRIBED = rf"(?:(?:\S+\s){{0,3}}?{EN_KINDS}\s)?"
# A headline's subject, after a label ("Exclusive: ") and a description; a listing's headline
# may speak of its shares ("Shares of webtoon platform Inkpop soar 40% in Nasdaq debut").
EN_HEAD = rf"^(?:[A-Z][\w-]*:\s)?(?:(?i:shares|stock)\sof\s)?{EN_DESCRIBED}{EN_NAME}"
EN_RAISE_VERBS = (
    "raises",
    "raised",
    "secures",
    "lands",
    "closes",
    "nabs",
    "bags",
    "grabs",
    "snags",
    "gets",
    "scores",
    "pulls in",
    "picks up",
    "banks",
    "attracts",
    "collects",
    "nets",
    "completes",
    "announces",
)
# What is raised that is no funding ("raises stake in", "raises prices", "raises its forecast"),
# and what an investor announces ("announces $90M investment in Bastion").
EN_NOT_FUNDING = (
    r"(?!(?:its\s|a\s|the\s)?(?i:stakes?|bids?|offers?|prices?|forecasts?|guidance|outlook|"
    r"concerns?|questions?|doubts?|rates?|targets?)\b|(?:\S+\s){0,3}?(?i:investment\sin)\b)"
)
EN_RAISES = (
    "(?i:"
    + "|".join(verb.replace(" ", r"\s") for verb in EN_RAISE_VERBS)
    + r"|is\sraising|(?:in\stalks|seeks|looks|sets\sout|set|plans|aims)\sto\sraise)"
)
EN_IPO_VERBS = (
    r"(?i:files|filed|confidentially\sfiles|files\sconfidentially|prepares|plans|preps|eyes|"
    r"sets\sterms|prices|priced|launches|targets|seeks|kicks\soff)"
)
EN_ACQUIRES = (
    r"(?i:acquires|acquired|acquiring|to\sacquire|will\sacquire|buys|bought|to\sbuy|"
    r"snaps\sup|completes\s(?:its\s)?acquisition\sof|acquisition\sof)"
)
EN_PATTERNS = (
    NamePattern(
        re.compile(
            rf"\b{EN_NAME}\s(?i:is\s|was\s|gets\s|to\sbe\s)?(?i:acquired|bought|snapped\sup)"
            r"\sby\b"
        ),
        "并购",
        (" by",),
    ),
    NamePattern(  # "acquires a 49% stake in AI startup Vexel"
        re.compile(
            rf"\b{EN_ACQUIRES}\s(?i:(?:a\s)?\d+%\s(?:stake\s)?(?:of|in)\s)?"
            rf"{EN_DESCRIBED}{EN_OBJECT}{EN_END}"
        ),
        "并购",
        ("acqui", "buy", "bought", "snaps"),
    ),
    NamePattern(  # "Oracle takes minority stake in cloud security firm Bastion", "raises stake in"
        re.compile(
            r"\b(?i:takes|buys|acquires|picks\sup|raises|ups|boosts|increases)\s(?:\S+\s){0,4}?"
            r"(?i:stake)\s(?i:in)\s"
            rf"{EN_DESCRIBED}{EN_OBJECT}{EN_END}"
        ),
        "战略投资",
        ("stake",),
    ),
    NamePattern(
        re.compile(rf"\b{EN_NAME}\s(?i:merges|merged|to\smerge|will\smerge)\swith\b"),
        "并购",
        ("merge",),
    ),
    NamePattern(  # "Fernhill and Orbit Motors agree to merge": the first named
        re.compile(
            rf"{EN_HEAD}\s(?:and|&)\s{EN_DESCRIBED}{EN_WORD}(?:{EN_MORE})*\s(?:\S+\s){{0,3}}?"
            r"(?i:merge|merger|combine)"
        ),
        "并购",
        ("merge", "combine"),
    ),
    NamePattern(
        re.compile(
            rf"{EN_HEAD}\s(?:{EN_IPO_VERBS}\s(?:(?i:for|its|an?|the)\s)*(?:\S+\s){{0,4}}?IPO"
            r"|(?i:files|filed)\s(?:\S+\s){0,4}?(?i:listing))\b"
        ),
        "IPO",
        ("ipo", "listing"),
    ),
    NamePattern(
        re.compile(rf"{EN_HEAD}\s(?i:goes|to\sgo|will\sgo|set\sto\sgo|plans\sto\sgo)\spublic"),
        "IPO",
        ("public",),
    ),
    NamePattern(
        re.compile(
            rf"{EN_HEAD}\s(?i:debuts|lists|starts\strading)\s(?i:on|in)\s(?:the\s)?"
            r"(?:Nasdaq|NYSE|New\sYork|Hong\sKong|London|stock\smarket|public\smarkets?)"
        ),
        "IPO",
        ("debuts", "lists", "trading"),
    ),
    NamePattern(  # "Inkpop soars 40% in Nasdaq debut": a stock's move
        re.compile(
            rf"{EN_HEAD}\s(?i:shares\s|stock\s)?(?i:jump|soar|surge|rise|climb|pop|rally|rallie|fall|slump|"
            r"sink|tumble|drop|gain|slide)\w*\s(?:\S+\s){0,3}?(?i:in|on)\s(?:\S+\s){0,2}?"
            r"(?i:debut)\b"
        ),
        "IPO",
        ("debut",),
    ),
    NamePattern(
        re.compile(
            rf"{EN_HEAD}\s"
            r"(?i:raises|closes|launches|secures|lands|hits|announces|unveils)\s"
            r"(?:\S+\s){0,4}?(?i:funds?)\b"
        ),
        "基金募资",
        ("fund",),
    ),
    NamePattern(  # "Larkspur Ventures' new $2.3B growth fund"
        re.compile(
            rf"^{EN_NAME}['’]s?\s(?i:new|latest|debut|first|second|third|fourth|fifth|"
            r"\d+(?:st|nd|rd|th))\s(?:\S+\s){0,3}?(?i:funds?)\b"
        ),
        "基金募资",
        ("fund",),
    ),
    NamePattern(  # "Confetti, a team-building platform used by Apple, raises $16M"
        re.compile(
            rf"{EN_HEAD}(?:,\s(?i:a|an|the|which|that|whose|who)\s.{{3,100}}?,)?\s{EN_RAISES}\s"
            + EN_NOT_FUNDING
        ),
        None,
        (*(verb.split()[0] for verb in EN_RAISE_VERBS), "raise", "raising"),
    ),
    NamePattern(  # "Sequoia leads $50M Series B in Vexel"
        re.compile(
            r"\b(?i:leads|co-leads|led)\s(?:(?i:a|an|the)\s)?\$\S+\s(?:\S+\s){0,3}?"
            rf"(?i:in|into)\s{EN_DESCRIBED}{EN_OBJECT}{EN_END}"
        ),
        None,
        ("lead", "led"),
    ),
    NamePattern(  # "Two former execs raise $7M seed round for Curbside": an amount first
        re.compile(
            r"\b(?i:raises?|raised|secures?|lands?)\s\S*\d\S*(?:\s(?i:million|billion))?"
            rf"(?:\s[\w-]+){{0,2}}?\s(?i:for)\s{EN_OBJECT}{EN_END}"
        ),
        None,
        (" for ",),
    ),
    NamePattern(  # "Ex-Google engineers launch Quarrybird with $20M seed round"
        re.compile(
            rf"\b(?i:launch|launches|unveils?)\s{EN_OBJECT}\s(?i:with)\s\S*\d\S*"
            r"(?:\s(?i:million|billion))?\s(?:[\w-]+\s){0,2}?"
            r"(?i:seed|round|funding|backing|investment)\b"
        ),
        None,
        ("launch", "unveil"),
    ),
)

EN_NEEDS = re.compile(
    "|".join(re.escape(w) for w in sorted({w for p in EN_PATTERNS for w in p.needs}, key=len)[::-1])
)

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
    found = _find_company(title)
    if found is None and summary:
        found = _find_company(FIRST_SENTENCE.split(summary, maxsplit=1)[0])
    company, told_round = found or (None, None)
    return Deal(
        company=company,
        round=told_round or extract_round(title) or (extract_round(summary) if summary else None),
        amount=extract_amount(clauses),
        investors=extract_investors(text, clauses),
    )


def extract_round(text: str) -> str | None:
    """The round the text tells first."""
    product_launch: bool | None = None
    for found in ROUND.finditer(text):
        kind = found.lastgroup
        if kind == "listed":
            if product_launch is None:
                product_launch = PRODUCT_LAUNCH.search(text) is not None
            if product_launch:
                continue
        return NAMED_ROUNDS.get(kind or "") or _lettered_round(found)
    return None


def _lettered_round(found: re.Match[str]) -> str:
    pre = "Pre-" if found.group("pre") else ""
    letter, plus = next(
        (found.group(letter), found.group(plus))
        for letter, plus in (("pl", "pp"), ("l", "p"), ("sl", "sp"))
        if found.group(letter)
    )
    return f"{pre}{letter.upper()}{plus}"


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


def _find_company(text: str) -> tuple[str, str | None] | None:
    """The company and the round told with it: the one its wording gives (an acquisition, a
    stake), else the first one after the name in its clause."""
    if not HAS_CJK.search(text):
        return _first_name(text, _possible(EN_PATTERNS, EN_NEEDS, text.lower()))
    patterns = _possible(ZH_PATTERNS, ZH_NEEDS, text)
    if SUBJECT_BEFORE_LISTING in patterns and PRODUCT_LAUNCH.search(text):
        patterns.remove(SUBJECT_BEFORE_LISTING)
    if patterns:
        for clause in NAME_SPLIT.split(text, maxsplit=5)[:5]:
            found = _first_name(clause, patterns)
            if found:
                return found
    # A name heading the headline ("蚂蚁集团：…") or quoted alone ("「哪吒汽车」") is taken only
    # with a trade in it: outlets and columns head headlines too ("36氪：…").
    head = _first_name(text, [HEAD_NAME]) if "：" in text or ":" in text else None
    if head and NAME_SUFFIX.search(head[0]):
        return head
    quoted = QUOTED.search(text)
    name = clean_company_name(quoted.group(1)) if quoted else None
    return (name, None) if name and NAME_SUFFIX.search(name) else None


def _possible(
    patterns: tuple[NamePattern, ...], needs: re.Pattern[str], text: str
) -> list[NamePattern]:
    """The patterns whose words are in ``text``: most headlines need one or two tried."""
    present = set(needs.findall(text))
    return [p for p in patterns if present.intersection(p.needs)]


def _first_name(text: str, patterns: list[NamePattern]) -> tuple[str, str | None] | None:
    for pattern in patterns:
        found = pattern.regex.search(text)
        name = clean_company_name(found.group("name")) if found else None
        if found and name:  # the round told after the name, in its clause, is its round
            return name, pattern.round or extract_round(text[found.start() :])
    return None


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
