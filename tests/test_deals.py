"""Deal extraction and company names, on headlines written for these tests."""

import pytest

from feedkb.companies import clean_company_name, company_key, is_company_name, lead_companies
from feedkb.deals import extract_deal, extract_round


@pytest.mark.parametrize(
    ("title", "company", "round_", "amount"),
    [
        ("Lumora raises $70M Series B to expand battery recycling", "Lumora", "B", (7e7, "USD")),
        ("Quillfin secures $5 million seed round", "Quillfin", "种子", (5e6, "USD")),
        ("Pony AI lands $20M from new backers", "Pony AI", None, (2e7, "USD")),
        ("OpenAI raises $6.6 billion", "OpenAI", None, (6.6e9, "USD")),
        ("Veltro, a payments startup, raises $40M Series C", "Veltro", "C", (4e7, "USD")),
        ("AI startup Tessel raises €12M", "Tessel", None, (1.2e7, "EUR")),
        ("Tessel, which makes tax bots, nets $9M", "Tessel", None, (9e6, "USD")),
        ("Sequoia leads $50M Series B in Tessel", "Tessel", "B", (5e7, "USD")),
        (
            "Ridgeline Capital raises $100M fund for climate startups",
            "Ridgeline Capital",
            "基金募资",
            (1e8, "USD"),
        ),
        ("Former bank execs raise $8M for Ledgerly, a tax app", "Ledgerly", None, (8e6, "USD")),
    ],
)
def test_english_rounds(title, company, round_, amount) -> None:
    deal = extract_deal(title)
    assert (deal.company, deal.round) == (company, round_)
    assert deal.amount is not None and (deal.amount.value, deal.amount.currency) == amount


@pytest.mark.parametrize(
    "title",
    [
        "Brightwave acquires Coral Labs",
        "Brightwave to acquire Coral Labs in all-stock deal",
        "Coral Labs acquired by Brightwave",
        "Brightwave Agrees To Buy 100% Of Coral Labs",
    ],
)
def test_english_acquisition_names_the_acquired_company(title) -> None:
    deal = extract_deal(title)
    assert (deal.company, deal.round) == ("Coral Labs", "并购")


@pytest.mark.parametrize(
    "title",
    [
        "Harbor Robotics files for IPO on Nasdaq",
        "Harbor Robotics files confidentially for a U.S. IPO",
        "Harbor Robotics goes public via direct listing",
        "Harbor Robotics prices IPO at $18 a share",
    ],
)
def test_english_ipo(title) -> None:
    deal = extract_deal(title)
    assert (deal.company, deal.round) == ("Harbor Robotics", "IPO")


def test_english_descriptions_and_sentences_are_not_names() -> None:
    assert extract_deal("China's startup Orbin Robotics files for a HK IPO").company == (
        "Orbin Robotics"
    )
    assert extract_deal("Why investors are piling into AI chip startups").company is None
    assert extract_deal("Former Nextdoor exec raises $25 million").company is None
    assert extract_deal("Glassline acquires Brisbane data centre").company is None  # an asset


@pytest.mark.parametrize(
    ("title", "company", "round_", "amount"),
    [
        ("云启智能完成2亿元B轮融资，红杉中国领投", "云启智能", "B", (2e8, "CNY")),
        ("「蜂鸟快送」获数亿元C+轮融资", "蜂鸟快送", "C+", (1e8, "CNY")),
        ("农业机器人公司禾丰智能获数千万元Pre-A轮融资", "禾丰智能", "Pre-A", (1e7, "CNY")),
        ("小米集团收购芯驰科技20%股权", "芯驰科技", "并购", None),
        ("芯驰科技被小米集团以5亿元收购", "芯驰科技", "并购", (5e8, "CNY")),
        ("腾讯完成对青木科技的战略投资", "青木科技", "战略投资", None),
        ("北辰生物冲刺港股IPO，拟募资10亿港元", "北辰生物", "IPO", (1e9, "HKD")),
        ("北辰生物正式在港交所挂牌上市", "北辰生物", "IPO", None),
        ("星海资本完成20亿元新基金首关", "星海资本", "基金募资", (2e9, "CNY")),
        ("高瓴领投青木科技B轮融资", "青木科技", "B", None),
        ("青木科技拟收购蓝海智能控股权", "蓝海智能", "并购", None),
    ],
)
def test_chinese_deals(title, company, round_, amount) -> None:
    deal = extract_deal(title)
    assert (deal.company, deal.round) == (company, round_)
    got = (deal.amount.value, deal.amount.currency) if deal.amount else None
    assert got == amount


def test_the_round_is_the_one_told_with_the_company() -> None:
    assert extract_deal("云启智能完成B轮融资，并已启动Pre-IPO融资").round == "B"
    deal = extract_deal("去年完成A轮融资的青木科技再获B轮融资")
    assert (deal.company, deal.round) == ("青木科技", "B")
    assert extract_round("WIPO发布年度报告") is None  # IPO only as a word of its own
    assert extract_round("22.99万元起，星途新车正式上市") is None  # a car's launch


def test_a_summary_names_the_company_the_title_does_not() -> None:
    deal = extract_deal(
        "一家老牌VC完成5亿美元新基金首关", "老牌投资机构远山资本宣布完成其第五期基金的首次关账。"
    )
    assert (deal.company, deal.round) == ("远山资本", "基金募资")
    assert extract_deal("一家老牌VC完成5亿美元新基金首关").company is None


@pytest.mark.parametrize(
    "fragment",
    [
        "首月",
        "自我改进",
        "人类历史最大规模的",
        "梦中神机",
        "华为化",
        "趋势调查",
        "或年底",
        "本文分析今年以来",
        "重组新规落地一个月",
        "母基金+直投",
        "一家老牌VC",
        "某公司",
        "芯片设计巨头",
        "「暗黑版微信」决定",
        "AI公司",
        "日本",
        "互联网社会",
    ],
)
def test_fragments_are_not_names(fragment) -> None:
    assert clean_company_name(fragment) is None


def test_the_words_after_a_name_are_cut_off() -> None:
    assert clean_company_name("出门问问开启") == "出门问问"
    assert clean_company_name("创想三维冲刺") == "创想三维"
    assert clean_company_name("【新股】亏损的泽璟生物") == "泽璟生物"
    assert clean_company_name("跨境电商 SaaS ERP 领星") == "领星"
    assert clean_company_name("连锁酒店OYO") == "OYO"


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("晶泰科技", "晶泰科技"),
        ("「蜂鸟快送」", "蜂鸟快送"),
        ("OpenAI", "OpenAI"),
        ("Pony AI", "Pony AI"),
        ("小米集团", "小米集团"),
        ("B站", "B站"),
        ("智谱AI", "智谱AI"),
        ("“offer先生”", "offer先生"),
        ("蔚来", "蔚来"),
    ],
)
def test_names_pass(raw, name) -> None:
    assert clean_company_name(raw) == name
    assert is_company_name(name, quoted=raw != name)


def test_lead_companies_skip_fragments() -> None:
    assert lead_companies("星火动力与蓝海智能签署战略合作协议") == ["星火动力", "蓝海智能"]
    assert lead_companies("梦中神机发布新品") == []
    assert lead_companies("日本推出新款护理机器人") == []
    assert lead_companies("预计明年发布：三家车企合作的新平台") == []
    assert lead_companies("云图科技在成都开设西南总部") == ["云图科技"]


def test_spellings_of_one_company_share_a_key() -> None:
    assert company_key("「晶泰科技有限公司」") == company_key("晶泰科技") == "晶泰"
    assert company_key("Pony AI") == company_key("pony ai")


@pytest.mark.parametrize(
    ("title", "company"),
    [
        ("Dutch proptech Woonly raises €8M to digitise rental contracts", "Woonly"),
        ("Breaking: robotics upstart Gearloom nets $45M", "Gearloom"),
        ("Vertical farming player Sprout & Stem secures $12M seed", "Sprout & Stem"),
        ("Accel-backed Tollgate raises $18M Series A", "Tollgate"),
        ("Boston-based Helio Bio raises $60M", "Helio Bio"),
        ("Battery recycling startup Voltcycle is raising $50M at a $400M valuation", "Voltcycle"),
        ("Nordic neobank Kvist in talks to raise fresh capital", "Kvist"),
    ],
)
def test_english_descriptions_before_a_name_are_cut_off(title, company) -> None:
    assert extract_deal(title).company == company


@pytest.mark.parametrize(
    ("title", "company", "round_"),
    [
        ("Oracle takes minority stake in cloud security firm Bastion", "Bastion", "战略投资"),
        ("Siemens buys $300 million stake in Indian grid startup Wattline", "Wattline", "战略投资"),
        ("Cisco acquires Israeli cybersecurity company Shieldrun", "Shieldrun", "并购"),
        ("Fernhill and Orbit Motors agree to merge", "Fernhill", "并购"),
        ("Shares of Korean webtoon platform Inkpop soar 40% in Nasdaq debut", "Inkpop", "IPO"),
        ("Meal delivery app Chowly files draft papers for Jakarta IPO", "Chowly", "IPO"),
        ("Regional lender Harbor Trust files S-1 for a Nasdaq listing", "Harbor Trust", "IPO"),
        (
            "Larkspur Ventures' new $2.3B growth fund targets late-stage bets",
            "Larkspur Ventures",
            "基金募资",
        ),
        ("Ex-Google engineers launch Quarrybird with $20M seed round", "Quarrybird", "种子"),
        ("Two former Uber execs raise $7M seed round for Curbside", "Curbside", "种子"),
        ("Tiger Global leads $90M round in Brazilian edtech Aulafy", "Aulafy", None),
    ],
)
def test_english_deal_shapes(title, company, round_) -> None:
    deal = extract_deal(title)
    assert (deal.company, deal.round) == (company, round_)


@pytest.mark.parametrize(
    "title",
    [
        "Stripe co-founder Jane Doe raises $5M for a new venture",  # a person, not a company
        "How the Fed raises rates, explained",
        "Why climate startups struggle to raise money",
        "Regulators block the planned merger of two grocery chains",
        "Apple launches iPhone 17 with $799 price",
        "Former bank execs raise concerns for Harbor Trust",  # no amount: no funding
    ],
)
def test_english_sentences_without_a_funded_company(title) -> None:
    assert extract_deal(title).company is None


@pytest.mark.parametrize(
    ("title", "company", "round_"),
    [
        ("具身智能公司「灵枢动力」完成数亿元A+轮融资", "灵枢动力", "A+"),
        ("快讯｜宁德时代拟收购储能企业「蓝岸能源」多数股权", "蓝岸能源", "并购"),
        ("美团完成对外卖平台「快送达」的全资收购", "快送达", "并购"),
        ("阿里巴巴拟出售旗下「云栖物流」全部股权", "云栖物流", "并购"),
        ("蔚来汽车拟出售其所持安徽芯源的全部股权", "安徽芯源", "并购"),
        ("红杉中国战略投资「青枫智造」，加码工业软件", "青枫智造", "战略投资"),
        ("中东资本拟入股「北斗星航」15%股权", "北斗星航", "战略投资"),
        ("「晨星生物」创业板上市首日涨超80%", "晨星生物", "IPO"),
        ("灵犀医疗冲刺科创板", "灵犀医疗", "IPO"),
        ("云舟科技拿到3亿元B轮融资", "云舟科技", "B"),
        ("Pre-A轮融资｜灵犀医疗获2000万元投资", "灵犀医疗", "Pre-A"),
    ],
)
def test_chinese_deal_shapes(title, company, round_) -> None:
    deal = extract_deal(title)
    assert (deal.company, deal.round) == (company, round_)


def test_quotes_hold_the_name_after_a_description_or_before_a_stake() -> None:
    assert clean_company_name("AI绘图工具「墨点」") == "墨点"
    assert clean_company_name("「北斗星航」15%股权") == "北斗星航"
    assert clean_company_name("「晨星生物」科创板") == "晨星生物"
    assert clean_company_name("“每日坚果鼻祖”沃隆") == "沃隆"  # a nickname before the name
    assert clean_company_name("收购剩余") is None
    assert clean_company_name("入股") is None
    assert clean_company_name("Pre-") is None


def test_english_descriptions_and_legal_forms() -> None:
    assert clean_company_name("Sequoia-backed Tollgate") == "Tollgate"
    assert clean_company_name("Boston-based Helio Bio") == "Helio Bio"
    assert clean_company_name("Carrier Global") == "Carrier Global"  # a kind word begins it
    assert clean_company_name("Holdings") is None
    assert clean_company_name("Group") is None
