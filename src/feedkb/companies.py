"""Company names: cleaning what a headline says into a name, the test that it is one, and a key
to group spellings.

Precision first: a fragment of a clause ("创想三维冲刺", "本文分析今年以来") in the company
directory misleads more than a missing name, so whatever does not pass as a name is dropped.
"""

import logging
import re
import unicodedata
from functools import lru_cache
from typing import Any

QUOTES = "“”\"'「」『』《》‘’_ 　"  # _ stands for quotes in some scraped titles
# The quotes a candidate ends with hold its name when a description comes before them
# ("AI绘图工具「墨点」", "游戏公司「青岚工作室」"); after a quantity or a clause ("一家「…」")
# they describe a company they do not name.
QUOTED_LAST = re.compile(
    r"(?P<before>[^“\"「『《”\"」』》]*)[“\"「『《](?P<name>[^”\"」』》]{2,24})[”\"」』》]"
)
LEADING_NICKNAME = re.compile(r"^[“\"「『][^”\"」』]{1,20}[”\"」』](?=.{2,})")
COLUMN_PREFIX = re.compile(r"^(?:【[^】]{0,12}】|[^丨|｜]{0,8}[丨|｜])")
CONTEXT_PREFIX = re.compile(
    r"^(?:\d{4}年|\d{1,2}月(?:\d{1,2}日)?(?:底|初|中)?(?:前|后)?|今年|刚刚|刚|传|曝|网传|"
    r"近日|日前|昨日|今日|本周|据悉|消息称|报道称|独家|快讯|突发|重磅|官宣)+"
)
DESCRIPTOR = re.compile(
    r"^.*(?:公司|企业|平台|品牌|服务商|提供商|厂商|开发商|运营商|创企|初创|小厂|大厂|"
    r"独角兽|研发商|制造商|供应商|连锁|机构|创始人为)(?=.{2,}$)"
)
FUTURE_CLAUSE = re.compile(r"(?:将|拟|计划|正在|旗下|筹备|准备).*$")
# "青禾食品今日在港交所", "万象物流70%股权", "青岚工作室多数股权": the name ends where the
# market or stake begins.
MARKET_OR_STAKE = re.compile(
    r"(?:今日|今天|已经|已|正式|通过)?(?:向|在|于|赴|登陆|回|重回)?"
    r"(?:港股|美股|A股|港交所|深交所|上交所|北交所|纳斯达克|纽交所|"
    r"科创板|创业板|主板|香港|美国).*$|"
    r"(?:剩余|多数|少数|部分|全部)?(?:\s?\d+(?:\.\d+)?%.*|控股权|控制权|股权)$"
)
# A date or time span after the name starts the rest of the sentence ("阿里11月重启…").
TIME_TAIL = re.compile(r"\d{1,2}月.*$|(?:今年|明年|年内|年底|最早|同时|时隔).*$")
# So does a place it acts in ("云图科技在成都开设…"); 在线 is a word of its own.
PLACE_TAIL = re.compile(r"(?<=..)(?:在|于)(?!线).{1,8}$")
TRAILING_NOISE = re.compile(
    r"(?:宣布|官宣|正式|已经|已|再度|再次|又|今日|近日|将|今天|拟|首次|全面|成功|还|也|再|"
    r"提交|递交|冲刺|开启|启动|重启|签订|敲定|连夜|连续|先后|相继|接连|正)+$"
)
LEGAL_SUFFIX = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|集团股份|集团|控股|股份|科技|"
    r"技术|公司|inc\.?|ltd\.?|co\.?|corp\.?|limited|group|holdings?)$"
)
MAX_NAME = 25
MAX_BARE_NAME = 5  # CJK characters of a name with no legal or trade suffix

# The words a Chinese company name ends with: legal forms and trades. A candidate ending with
# one is a name unless its head is a clause; one without needs the segmenter's say.
NAME_SUFFIX = re.compile(
    r"(?:有限公司|公司|集团|控股|股份|科技|技术|智能|数科|数据|医疗|医药|生物|制药|药业|"
    r"机器人|汽车|新能源|能源|储能|半导体|电子|软件|网络|信息|传媒|文化|娱乐|游戏|教育|"
    r"物流|出行|食品|农业|航空|材料|新材|动力|资本|创投|投资|银行|证券|保险|金融|"
    r"实业|电器|通信|云)$"
)
# Never in a name: particles, pronouns, question words, quantities, time spans, and the
# predicates of a headline (what a company does, not what it is called).
NOT_IN_NAME = re.compile(
    r"[的或吗呢吧谁+＋/、，,：:；;！!？?|丨｜“”\"「」『』]|以来|(?<![A-Za-z])[A-Fa-f]\+*\d?轮|"
    r"一[家个款块位名项次]|[两几数多每首][家个款块位名]|"
    r"这|那些|哪些|什么|如何|为何|怎么|本文|自我|某|(?<!出)版|"
    r"\d+(?:\.\d+)?\s*(?:亿|万|年|个?月|日|天|周|家|只|款|元|%)|"
    r"[首当本上下]月|[首当]日|年[底初中]|月[底初]|"
    r"融资|收购|并购|入股|上市|估值|募资|申购|领投|跟投|投资人|投资方|创始人|董事长|CEO|"
    r"开启|冲刺|分析|落地|调查|改进|回应|宣布|官宣|发布|推出|签订|签署|敲定|达成|联手|携手|"
    r"牵手|合作|声明|终止|曝光|透露|预计|计划|决定|打造|成为|实现|突破|刷新|进军|布局|押注|"
    r"入局|出手|重启|递交|提交|申请|启动|完成|获得|拿下|迎来|争夺|回归|退出|裁员|亏损|"
    r"盈利|暴跌|大涨|背后|之父|之母|第一股"
)
# Words that are no company's name: descriptions, markets and places, and what ends one.
NOT_A_NAME = re.compile(
    r"^(?:\d+(?:家|只|个|股|省|城)|全国|我国|中国|国家|全球|国内|多地|多家|"
    r"行业|市场|业内|政府|官方|A股|港股|美股)|官方$|^\d+$|"
    r"^(?:公司|企业|平台|品牌|产品|技术|应用|芯片|基金|母基金|新基金|资本|机构|投资|新股|团队|"
    r"实验室|项目|计划|功能|某公司|该公司)$|"
    r"(?:巨头|独角兽|龙头|黑马|新贵|新势力|双雄|大厂|车企|药企|创企|企业|母公司|子公司|"
    r"新品|新车|首车|车型|系列|概念股|板块|赛道|领域|产业|新规|政策|规定|办法|条例|意见|通知|"
    r"政府|市政府|管委会|国资委|"
    r"(?<![石文中])化)$"
)
# A model code after a brand ("零跑汽车C16", "岚图泰山 X8") makes the candidate a product.
MODEL_CODE = re.compile(r"(?<=[\u4e00-\u9fff])\s?[A-Z]{0,3}\d+[A-Z]?\+?$|#\d+$")
CJK = re.compile(r"[\u4e00-\u9fff]")
# "酒店OYO": Chinese words before a Latin name, which may describe it.
DESCRIBED_LATIN = re.compile(r"([\u4e00-\u9fff]{2,6})([A-Z][\w.&'’-]*(?:\s[A-Z][\w.&'’-]*)*)")
LATIN = re.compile(r"[A-Za-z]")
LATIN_TOKEN = re.compile(r"[A-Z0-9][\w.&'’+-]*|[a-z][\w.&'’+-]*[A-Z][\w.&'’+-]*")
LATIN_CONNECTORS = frozenset({"of", "de", "per", "and", "&", "la", "le", "du", "von", "van"})
# Words that describe a company or a person, or carry a sentence: never part of a name.
LATIN_NOT_NAMES = frozenset(
    re.findall(
        r"\S+",
        """
        a an the to for with from by in on at as after how why what when where who this that its
        his her their our your my we you it is are was were be been will would can could should
        may says say said report reports reportedly plans plan new first startup start-up company
        firm maker makers giant rival unit exec executive former founder co-founder cofounder ceo
        cto boss investor investors team platform provider app apps service services fintech
        unicorn stock shares deal deals funding round series seed ipo raise raises buys buy
        acquires acquire acquisition merger week today inside exclusive breaking update analysis
        opinion
        """,
    )
)
# Abbreviations of a trade or a market, legal forms and the trades names end with: a name is
# more than these ("AI", "SaaS ERP", "Holdings").
LATIN_GENERIC = frozenset(
    re.findall(
        r"\S+",
        """
        ai it vc pe lp gp saas erp app ceo ipo hk us uk eu ev ar vr xr pc nft llm gpu api
        inc corp co ltd limited plc llc group holding holdings labs technologies systems solutions
        robotics therapeutics motors networks
        """,
    )
)
# "China's startup X2 Robotics", "Y Combinator-backed Tollgate": what a headline says of a
# company before naming it, capitalised too (title case); other kinds of company may begin a
# name when capitalised ("Carrier Global", "UBTech Robotics").
ENGLISH_DESCRIPTOR = re.compile(
    r"^(?:.*?\b(?i:startup|start-up|company|firm|maker|giant|unicorn|platform|provider|developer|"
    r"rival|unit|subsidiary|brand|operator|chipmaker|automaker|carmaker|lender|retailer)\s+|"
    r"\S+['’]s\s+|\S+-(?:backed|based|owned|led|founded)\s+)+(?=[A-Z0-9])"
)
# "When Headspace merged with …": a summary's sentence may open on a conjunction.
ENGLISH_LEADING_NOISE = re.compile(r"^(?i:when|after|as|since|while|once|now|so|but|and)\s+")
# Parts of speech no name holds: prepositions, conjunctions, particles, pronouns, interjections,
# onomatopoeia and place words ("梦中神机"); adverbs of two characters ("最新", "正在").
NON_NAME_POS = frozenset(
    {"p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "r", "y", "e", "o", "f"}
)
ADVERB_POS = frozenset({"d", "ad"})
VERB_POS = frozenset({"v", "vn", "vd"})
# A dictionary word this frequent ("技术", "努力") is a word, not a name; rarer ones ("小米")
# and words the dictionary never saw ("宇树", "蔚来") may be names.
COMMON_WORD_FREQ = 3000
EVERYDAY_WORD_FREQ = 1000  # two words this frequent make a phrase ("互联网社会")
PROPER_POS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz", "eng", "x", "j"})


def clean_company_name(raw: str) -> str | None:
    """A company's name as a headline gives it, cleaned of quotes and descriptions
    ("AI制药公司晶泰科技" → "晶泰科技"); None when what is left is not a name."""
    name, quoted = _trim(unicodedata.normalize("NFKC", raw).strip())
    return name if name and is_company_name(name, quoted) else None


def is_company_name(name: str, quoted: bool = False) -> bool:
    """Whether a cleaned candidate reads as a company's name rather than part of a clause;
    ``quoted``: the text set it in quotes, as headlines do with names ("“offer先生”")."""
    if len(name) < 2 or len(name) > MAX_NAME or NOT_A_NAME.search(name):
        return False
    if not CJK.search(name):
        return _is_latin_name(name)
    if " " in name or NOT_IN_NAME.search(name) or MODEL_CODE.search(name):
        return False
    if LATIN.search(name):
        return quoted or _is_mixed_name(name)
    return _is_chinese_name(name)


def _trim(name: str) -> tuple[str, bool]:
    """What is left of a candidate once quotes, columns, descriptions, dates, markets and the
    words after the name are cut off, and whether it was set in quotes."""
    name = COLUMN_PREFIX.sub("", name.strip(" _　"))
    nickname = LEADING_NICKNAME.match(name)
    # "“每日坚果鼻祖”沃隆": the quotes hold a description; before nothing but a market or a
    # stake ("「晨星生物」科创板", "「北斗星航」15%股权") they hold the name.
    if nickname and MARKET_OR_STAKE.sub("", name[nickname.end() :]).strip():
        name = name[nickname.end() :]
    name = CONTEXT_PREFIX.sub("", name.strip(" _　"))
    if "的" in name:  # "亏损的泽璟生物": what precedes 的 describes the name after it
        name = name.rsplit("的", 1)[1]
    name = FUTURE_CLAUSE.sub("", DESCRIPTOR.sub("", name)).strip()
    cut = MARKET_OR_STAKE.sub("", name)
    # A market's name may be part of a quoted one ("「香港宽频」"): tried whole first.
    quoted = QUOTED_LAST.fullmatch(name) or QUOTED_LAST.fullmatch(cut)
    if quoted and not NOT_IN_NAME.search(quoted.group("before")):
        return quoted.group("name").strip(), True
    name = PLACE_TAIL.sub("", TIME_TAIL.sub("", cut))
    name = TRAILING_NOISE.sub("", name).strip(QUOTES)
    described = DESCRIBED_LATIN.fullmatch(name)
    if described and not MODEL_CODE.search(name) and _describes(described.group(1)):
        return described.group(2), False
    if CJK.search(name):
        return _last_chunk(name), False
    return ENGLISH_DESCRIPTOR.sub("", ENGLISH_LEADING_NOISE.sub("", name)), False


def _last_chunk(name: str) -> str:
    """In "跨境电商 SaaS ERP 领星" or "专家 Tile" the words before the last are a description;
    a Latin name of several words ("Remedial Health") stays whole."""
    if " " not in name:
        return name
    tail: list[str] = []
    for chunk in reversed(name.split()):
        if CJK.search(chunk):
            return " ".join(tail) if tail else chunk
        tail.insert(0, chunk)
    return " ".join(tail)


def _is_latin_name(name: str) -> bool:
    """ "OpenAI", "Pony AI", "X2 Robotics": capitalised words, none a common or describing one."""
    words = name.split()
    if len(words) > 5 or all(word.lower() in LATIN_GENERIC for word in words):
        return False
    if words[0].lower() in LATIN_CONNECTORS or words[-1].lower() in LATIN_CONNECTORS:
        return False
    if name.endswith("-"):  # "Pre-" of "Pre-A轮" is a round's head
        return False
    return not name.replace(" ", "").isdigit() and all(
        word.lower() in LATIN_CONNECTORS
        or (LATIN_TOKEN.fullmatch(word) is not None and word.lower() not in LATIN_NOT_NAMES)
        for word in words
    )


def _is_mixed_name(name: str) -> bool:
    """Latin and Chinese together: a letter before a word ("B站"), or a name with a trade
    ("智谱AI", "Momenta科技"); a description before a Latin name ("酒店OYO") is not one."""
    if name.endswith("AI") and not LATIN.search(name[:-2]):
        return _is_chinese_name(name[:-2])
    suffix = NAME_SUFFIX.search(name)
    if suffix:  # "AI公司" is a trade and a word for company
        return name[: suffix.start()].lower() not in LATIN_GENERIC
    return len(name) <= 3


def _is_chinese_name(name: str) -> bool:
    """A name with a trade or legal suffix passes; a bare one when the segmenter finds no
    function word in it and it is not one common dictionary word."""
    suffix = NAME_SUFFIX.search(name)
    if suffix and suffix.start() >= 2:
        return len(name) <= MAX_NAME if "公司" in suffix.group() else len(name) <= 12
    return len(name) <= MAX_BARE_NAME and _segments_as_name(name)


@lru_cache(maxsize=8192)
def _segments_as_name(name: str) -> bool:
    words = _segment(name)
    if any(flag in NON_NAME_POS or (flag in ADVERB_POS and len(word) > 1) for word, flag in words):
        return False
    if len(words) == 1:  # a country ("日本") is a frequent proper noun too
        word, flag = words[0]
        frequency = _frequency(word)
        return (
            frequency < COMMON_WORD_FREQ
            if flag not in PROPER_POS
            else (flag != "ns" or frequency < EVERYDAY_WORD_FREQ)
        )
    # Nothing but places is an address ("北京通州"); nothing but everyday words is a phrase
    # ("互联网社会", "联邦学习"), where a name has a rare or unknown part ("火山引擎", "宇树").
    return not (all(flag == "ns" for _word, flag in words) or _everyday_words(words))


def _everyday_words(words: list[tuple[str, str]]) -> bool:
    """Whether the words of two characters or more are all everyday ones, and two of them or a
    verb ("检验具身"); one everyday noun and a character can be a name ("星期零")."""
    long_words = [(word, flag) for word, flag in words if len(word) > 1]
    if len(long_words) == 1 and long_words[0][1] not in VERB_POS:
        return False
    return _all_everyday(long_words)


def _all_everyday(words: list[tuple[str, str]]) -> bool:
    return bool(words) and all(
        flag not in PROPER_POS and _frequency(word) >= EVERYDAY_WORD_FREQ for word, flag in words
    )


def _describes(text: str) -> bool:
    """Whether Chinese words before a Latin name describe it ("酒店OYO") rather than name it
    ("零跑汽车C16": 零跑 is no everyday word)."""
    words = _segment(text)
    return all(len(word) > 1 for word, _flag in words) and _all_everyday(words)


_jieba: dict[str, Any] = {}


def _segment(text: str) -> list[tuple[str, str]]:
    """Words and parts of speech from jieba's bundled dictionary, loaded on first use (about a
    second) as only bare Chinese candidates need it; without the HMM, unknown characters stay
    apart instead of being guessed into words."""
    if not _jieba:
        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        jieba.dt.check_initialized()  # FREQ is replaced when the dictionary loads
        _jieba["cut"] = jieba.posseg.cut
        _jieba["freq"] = jieba.dt.FREQ
    return [(pair.word, pair.flag) for pair in _jieba["cut"](text, HMM=False)]


def _frequency(word: str) -> int:
    return int(_jieba["freq"].get(word) or 0)


def company_key(name: str) -> str:
    """The key under which spellings of one company meet: "晶泰科技有限公司" → "晶泰"."""
    key = unicodedata.normalize("NFKC", name).lower().strip(QUOTES).replace(" ", "")
    while True:
        shorter = LEGAL_SUFFIX.sub("", key)
        if shorter == key or len(shorter) < 2:
            return key
        key = shorter


LEAD_PAIR = re.compile(
    r"^(?P<a>.{2,20}?)(?:与|和|携手|联手|牵手|联合)(?P<b>.{2,20}?)"
    r"(?:签约|签署|签订|达成|战略合作|合作|结盟|共建|共同|敲定|开启|联手|携手)"
)
LEAD_SUBJECT = re.compile(
    r"^(?P<a>.{2,24}?)(?:将|正式|宣布|官宣|首次|再次|全面)*"
    r"(?:发布|推出|上线|中标|进军|入驻|开设|开出|开业|布局|招聘|扩产|"
    r"投产|建厂|落地|进入|登陆|签约|签下|拿下|获得|牵手|携手|联手|"
    r"launches|expands|partners|hires)"
)
HEAD_CLAUSE = re.compile(r"[，,。；;！!？?:：|｜丨]")


def lead_companies(title: str) -> list[str]:
    """Companies a lead headline names: both sides of a partnership, or the one that acts."""
    head = HEAD_CLAUSE.split(title, maxsplit=1)[0]
    found = LEAD_PAIR.search(head)
    candidates = [found.group("a"), found.group("b")] if found else []
    if not candidates:
        subject = LEAD_SUBJECT.search(head)
        candidates = [subject.group("a")] if subject else []
    names = [clean_company_name(c) for c in candidates]
    return list(dict.fromkeys(n for n in names if n))
