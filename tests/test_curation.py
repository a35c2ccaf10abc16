"""Deals, companies, duplicate stories, overrides, review and doctor."""

import json
import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feedkb import kb
from feedkb.companies import clean_company_name, company_key, lead_companies
from feedkb.deals import extract_deal
from feedkb.groups import group_duplicates
from feedkb.kb import load_kb
from feedkb.model import Item, format_utc
from feedkb.overrides import load_overrides
from tests.conftest import REPO, run, write_sources

DEMO_FEEDS = REPO / "src" / "feedkb" / "demo" / "feeds"


@pytest.fixture
def demo(curation: Path) -> Path:
    write_sources(
        curation,
        [
            {"id": name, "url": str(DEMO_FEEDS / f"{name}.xml")}
            for name in ("vc", "industry", "insight", "events", "b2b")
        ],
    )
    assert run(curation, "fetch").exit_code == 0
    return curation


def records(curation: Path, *args: str) -> list[dict]:
    return json.loads(run(curation, "items", "--format", "json", *args).stdout)


def by_title(curation: Path, start: str) -> dict:
    return next(r for r in records(curation) if r["title"].startswith(start))


@pytest.mark.parametrize(
    ("text", "company", "round_", "amount", "investors"),
    [
        (
            "AI制药公司晶泰科技完成4亿美元C轮融资，软银愿景基金领投，红杉中国、高瓴跟投",
            "晶泰科技",
            "C",
            (4e8, "USD", False),
            {"lead": ["软银愿景基金"], "others": ["红杉中国", "高瓴"]},
        ),
        ("“爱多纷”宣布完成亿元级Pre-A轮融资", "爱多纷", "Pre-A", (1e8, "CNY", True), {}),
        ("智能驾驶公司易控智驾完成数千万元天使轮融资", "易控智驾", "天使", (1e7, "CNY", True), {}),
        ("云迹科技获超亿元B+轮融资", "云迹科技", "B+", (1e8, "CNY", True), {}),
        (
            "Acme raises $20M Series A led by Northstar",
            "Acme",
            "A",
            (2e7, "USD", False),
            {"lead": ["Northstar"]},
        ),
        ("顺通集团以12亿元收购万象物流70%股权", "万象物流", "并购", (1.2e9, "CNY", False), {}),
        ("瑞芯半导体科创板IPO过会，拟募资15亿元", "瑞芯半导体", "IPO", (1.5e9, "CNY", False), {}),
        ("某公司获得战略投资", None, "战略投资", None, {}),  # 某公司 is no name
    ],
)
def test_deal_extraction(text, company, round_, amount, investors) -> None:
    deal = extract_deal(text)
    assert (deal.company, deal.round, deal.investors) == (company, round_, investors)
    got = (
        (deal.amount.value, deal.amount.currency, deal.amount.approximate) if deal.amount else None
    )
    assert got == amount


def test_company_names_are_normalised() -> None:
    assert clean_company_name("「晶泰科技」") == "晶泰科技"
    assert clean_company_name("“每日坚果鼻祖”沃隆") == "沃隆"
    assert clean_company_name("100只个股") is None
    keys = {company_key(n) for n in ("晶泰科技有限公司", "“晶泰科技”", "晶泰科技", "晶泰集团")}
    assert keys == {"晶泰"}
    assert lead_companies("宁德时代与福特签约在美建厂") == ["宁德时代", "福特"]
    assert lead_companies("蔚来正式进入德国市场") == ["蔚来"]


def test_company_directory(demo: Path) -> None:
    result = run(demo, "companies", "--format", "json")
    assert result.exit_code == 0
    directory = {c["name"]: c for c in json.loads(result.stdout)}
    assert {"星河智驾", "云杉数科", "天工重工"} <= set(directory)
    rounds = [i["title"] for i in directory["星河智驾"]["items"]]
    assert any("A+轮" in t for t in rounds) and any("B轮" in t for t in rounds)
    table = run(demo, "companies").output
    assert "星河智驾" in table


def test_same_story_from_two_sources_is_grouped(demo: Path) -> None:
    primary = by_title(demo, "星河智驾完成3亿元A+轮融资")
    other = by_title(demo, "星河智驾获3亿元A+轮融资")
    assert primary["also_covered_by"] == [other["id"]]
    assert other["duplicate_of"] == primary["id"]
    visible = records(demo, "--visible")
    assert primary["id"] in {r["id"] for r in visible} and other["id"] not in {
        r["id"] for r in visible
    }
    # the A+ and the B round a month later are different stories
    assert by_title(demo, "星河智驾再获5亿元B轮融资")["duplicate_of"] != primary["id"]


def story(n: int, title: str, hours: float = 0) -> Item:
    moment = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=hours)
    return Item(
        id=f"i{n}",
        source=f"s{n}",
        title=title,
        url="",
        guid="",
        published=format_utc(moment),
        first_seen=format_utc(moment),
    )


def test_grouping_rules() -> None:
    # Other stories give the store its word frequencies: "科技获" is common, "晶泰" is not.
    others = [
        story(100 + n, f"{name}科技获{n}亿元{r}轮融资", hours=-48 - n)
        for n, (name, r) in enumerate(
            zip("甲乙丙丁戊己庚辛壬癸子丑寅卯辰", "ABCDEFABCDEFABC", strict=True)
        )
    ]
    items = [
        story(1, "晶泰科技完成4亿美元C轮融资，软银领投"),
        story(2, "晶泰科技获4亿美元C轮融资", hours=3),
        story(3, "晶泰科技获4亿美元C轮融资", hours=24 * 10),  # too late to be the same news
        story(4, "101只个股涨停，主要集中在汽车、化工等行业"),
        story(5, "102只个股涨停，主要集中在电子、化工等行业", hours=1),  # other figures
        story(6, "星火数科发布新一代客服产品，面向中小企业"),
        story(7, "蓝图智能发布新一代客服产品，面向中小企业", hours=2),  # same template only
        *others,
    ]
    groups = group_duplicates(items)
    assert [(g.primary, g.others) for g in groups] == [("i1", ("i2",))]
    pinned_first = group_duplicates(items, rank={"i2": 0, "i1": 1})
    assert pinned_first[0].primary == "i2"
    # a story key (a deal's company and round) joins titles however they are worded
    keyed = group_duplicates(items, story_keys={"i4": "k", "i5": "k"})
    assert ("i4", ("i5",)) in [(g.primary, g.others) for g in keyed]


def test_overrides_win_survive_refetch_and_keep_comments(demo: Path) -> None:
    (demo / "overrides.yaml").write_text(
        "# our overrides\noverrides:\n  # an old decision\n  0000000000000000:\n    pin: true\n",
        encoding="utf-8",
    )
    target = by_title(demo, "拆解瑞幸的门店模型")
    assert target["values"] == ["think-tank"]
    result = run(
        demo,
        "override",
        target["id"],
        "--add",
        "lead",
        "--remove",
        "think-tank",
        "--note",
        "可对接",
        "--title",
        "瑞幸门店模型拆解",
        "--pin",
    )
    assert result.exit_code == 0, result.output
    text = (demo / "overrides.yaml").read_text(encoding="utf-8")
    assert text.startswith("# our overrides") and "# an old decision" in text
    assert text.index("0000000000000000") < text.index(target["id"])  # order kept
    after = by_title(
        demo, "拆解瑞幸的门店模型"
    )  # the stored title stays; the override has the new one
    assert after["values"] == ["lead"] and after["title"] == target["title"]
    assert after["override"] == {
        "add": ["lead"],
        "remove": ["think-tank"],
        "pin": True,
        "note": "可对接",
        "title": "瑞幸门店模型拆解",
    }
    assert run(demo, "fetch").exit_code == 0  # refetch: the override stays
    assert by_title(demo, "拆解瑞幸")["values"] == ["lead"]

    run(demo, "override", target["id"], "--hide")
    assert target["id"] not in {r["id"] for r in records(demo, "--visible")}
    run(demo, "override", target["id"], "--clear")
    assert target["id"] not in load_overrides(demo).by_id
    assert by_title(demo, "拆解瑞幸")["values"] == ["think-tank"]


def test_override_set_and_no_values(demo: Path) -> None:
    target = by_title(demo, "拆解瑞幸的门店模型")
    run(demo, "override", target["id"], "--set", "deal", "--set", "news")
    assert by_title(demo, "拆解瑞幸")["values"] == ["news", "deal"]
    run(demo, "override", target["id"], "--no-values")
    assert by_title(demo, "拆解瑞幸")["values"] == []
    unknown = run(demo, "override", "ffffffffffffffff", "--pin")
    assert unknown.exit_code == 2 and "no item 'ffffffffffffffff'" in unknown.stderr


def test_review_queue_lists_unsure_items_with_reasons(demo: Path) -> None:
    result = run(demo, "review", "--since", "2026-10-01", "--format", "md")
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if line.startswith("- [ ]")]
    # The demo's items are among the model's examples: few are in doubt (ranking by
    # uncertainty is tested in test_learning.py).
    assert lines and all("threshold" in line or "no value" in line for line in lines)
    first_id = lines[0].split("`")[1]
    run(demo, "override", first_id, "--add", "news")
    assert first_id not in run(demo, "review", "--since", "2026-10-01", "--format", "md").output


def test_doctor_reports_every_problem_at_once(demo: Path) -> None:
    assert run(demo, "doctor").exit_code == 0
    (demo / "overrides.yaml").write_text(
        "overrides:\n  feedfeedfeedfeed:\n    pin: true\n", encoding="utf-8"
    )
    result = run(demo, "doctor")
    assert result.exit_code == 2
    assert "overrides.yaml:2: item feedfeedfeedfeed: no such item in the store" in result.stderr
    rules = demo / "rules.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("title_weight: 2", "title_weight: high")
    )
    (demo / "sources.yaml").write_text("sources:\n  - id: x\n", encoding="utf-8")
    (demo / "overrides.yaml").write_text(
        "overrides:\n  abc:\n    add: [gossip]\n", encoding="utf-8"
    )
    stderr = run(demo, "doctor").stderr
    assert "sources.yaml:2: source 'x': missing required key 'title'" in stderr
    assert "'title_weight' must be a number" in stderr
    assert "overrides.yaml:3: item abc: unknown value 'gossip'" in stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "file is empty"),
        ("overrides: [a]\n", "must map item ids"),
        ("overrides:\n  abc:\n    pin: yes please\n", "'pin' must be true or false"),
        ("overrides:\n  abc:\n    colour: red\n", "unknown key 'colour'"),
        ("overrides:\n  abc: [deal]\n", "must be a mapping"),
    ],
)
def test_malformed_overrides(curation: Path, text: str, expected: str) -> None:
    (curation / "overrides.yaml").write_text(text, encoding="utf-8")
    result = run(curation, "items")
    assert result.exit_code == 2 and expected in result.stderr


def test_rules_folder_without_overrides_file_is_fine(curation: Path) -> None:
    shutil.rmtree(curation / "items", ignore_errors=True)
    assert run(curation, "items").exit_code == 0


def _derived(curation: Path) -> dict[str, dict]:
    return {entry_id: entry.to_dict() for entry_id, entry in load_kb(curation).entries.items()}


def test_worker_processes_derive_what_one_process_does(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = by_title(demo, "拆解瑞幸的门店模型")
    run(demo, "override", target["id"], "--add", "lead", "--pin", "--title", "瑞幸门店模型")
    in_process = _derived(demo)
    # Stores this small are derived in-process; make them go to workers, several chunks each.
    monkeypatch.setattr(kb, "PARALLEL_FROM", 0)
    monkeypatch.setattr(kb, "CHUNK", 40)
    assert _derived(demo) == in_process  # forked workers
    # Beside other threads (mkdocs serve's) the workers are spawned and sent their jobs.
    stop = threading.Event()
    beside = threading.Thread(target=stop.wait)
    beside.start()
    try:
        assert _derived(demo) == in_process
    finally:
        stop.set()
        beside.join()
    assert in_process[target["id"]]["values"] == ["think-tank", "lead"]
    assert any(record["also_covered_by"] for record in in_process.values())
