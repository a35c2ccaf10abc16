"""Company names: cleaning what a headline says into a name, and a key to group spellings."""

import re
import unicodedata

QUOTES = "“”\"'「」『』《》‘’_ 　"  # _ stands for quotes in some scraped titles
LEADING_NICKNAME = re.compile(r"^[“\"「『][^”\"」』]{1,20}[”\"」』](?=.{2,})")
CONTEXT_PREFIX = re.compile(
    r"^(?:\d{4}年|\d{1,2}月(?:\d{1,2}日)?(?:底|初|中)?(?:前|后)?|今年|"
    r"近日|日前|昨日|今日|本周|据悉|消息称|报道称|独家|快讯)+"
)
DESCRIPTOR = re.compile(
    r"^.*(?:公司|企业|平台|品牌|服务商|提供商|厂商|开发商|运营商|创企|初创|"
    r"独角兽|研发商|制造商|供应商|连锁|机构|创始人为)(?=.{2,}$)"
)
FUTURE_CLAUSE = re.compile(r"(?:将|拟|计划|正在|旗下).*$")
# "青禾食品今日在港交所", "万象物流70%股权": the name ends where the market or stake begins.
MARKET_OR_STAKE = re.compile(
    r"(?:今日|今天|已经|已|正式|通过)?(?:向|在|于|赴|登陆)?"
    r"(?:港股|美股|A股|港交所|深交所|上交所|北交所|纳斯达克|纽交所|"
    r"科创板|创业板|主板).*$|\d+(?:\.\d+)?%.*$|股权$"
)
TRAILING_NOISE = re.compile(
    r"(?:宣布|官宣|正式|已经|已|再度|再次|又|今日|近日|将|今天|拟|"
    r"首次|全面|成功|还|也)+$"
)
NOT_A_NAME = re.compile(
    r"^(?:\d+(?:家|只|个|股|省|城)|全国|我国|中国|国家|全球|国内|多地|多家|"
    r"行业|市场|业内|政府|官方|A股|港股|美股)|官方$|第一股|投资方|[，。：:；;！？!?、]|^\d+$"
)
LEGAL_SUFFIX = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|集团股份|集团|控股|股份|科技|"
    r"技术|公司|inc\.?|ltd\.?|co\.?|corp\.?|limited|group|holdings?)$"
)
MAX_NAME = 25

LEAD_PAIR = re.compile(
    r"^(?P<a>.{2,20}?)(?:与|和|携手|联手|牵手|联合)(?P<b>.{2,20}?)"
    r"(?:签约|签署|达成|战略合作|合作|结盟|共建|共同)"
)
LEAD_SUBJECT = re.compile(
    r"^(?P<a>.{2,24}?)(?:将|正式|宣布|官宣|首次|再次|全面)*"
    r"(?:发布|推出|上线|中标|进军|入驻|开设|开出|开业|布局|招聘|扩产|"
    r"投产|建厂|落地|进入|登陆|签约|签下|拿下|获得|牵手|携手|联手|"
    r"launches|expands|partners|hires)"
)
HEAD_CLAUSE = re.compile(r"[，,。；;！!？?:：|｜]")


def clean_company_name(raw: str) -> str | None:
    """A company's name as a headline gives it, cleaned of quotes and descriptions
    ("AI制药公司晶泰科技" → "晶泰科技"); None when it does not look like a name."""
    name = unicodedata.normalize("NFKC", raw).strip()
    name = LEADING_NICKNAME.sub("", name)
    name = CONTEXT_PREFIX.sub("", name.strip(QUOTES))
    name = FUTURE_CLAUSE.sub("", DESCRIPTOR.sub("", name))
    name = MARKET_OR_STAKE.sub("", name)
    name = TRAILING_NOISE.sub("", name).strip(QUOTES)
    if len(name) < 2 or len(name) > MAX_NAME or NOT_A_NAME.search(name):
        return None
    return name


def company_key(name: str) -> str:
    """The key under which spellings of one company meet: "晶泰科技有限公司" → "晶泰"."""
    key = unicodedata.normalize("NFKC", name).lower().strip(QUOTES).replace(" ", "")
    while True:
        shorter = LEGAL_SUFFIX.sub("", key)
        if shorter == key or len(shorter) < 2:
            return key
        key = shorter


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
