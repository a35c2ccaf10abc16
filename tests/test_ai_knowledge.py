"""The AI assist (#15) in the knowledge base and the curator's commands: fetch asks about new
items and never fails for the endpoint, builds ask nothing, the modes, overrides first,
explain, review and eval --ai; against a real feed server and a real chat server."""

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from feedkb.ai.combine import combined_values
from feedkb.ai.judgment import parse_judgment
from feedkb.kb import load_kb
from tests.chatserver import ChatServer, completion
from tests.conftest import rss, run, write_sources

FEED = [
    {"title": "星河智驾完成3亿元B轮融资，远景创投领投", "link": "https://e.com/1", "guid": "1"},
    {"title": "年终复盘：企业服务赛道的十个关键词", "link": "https://e.com/2", "guid": "2"},
    {"title": "Acme launches a sales tool for factories", "link": "https://e.com/3", "guid": "3"},
]


def answering(values: list[str], **extra: object) -> object:
    """A server reply function: every item gets ``values`` (and ``extra`` fields)."""
    judgment = {
        "values": [{"value": v, "confidence": 0.9, "reason": "模型的理由"} for v in values],
        "deal": None,
        "takeaway": "值得成员关注的动态",
    } | extra
    return lambda _request: completion(json.dumps(judgment, ensure_ascii=False))


def configure(curation: Path, base_url: str, mode: str = "fill") -> None:
    settings = {"base_url": base_url, "model": "test-model", "mode": mode, "timeout": 2}
    (curation / "ai.yaml").write_text(json.dumps(settings), encoding="utf-8")


@pytest.fixture
def fetched(curation: Path, feed_server: HTTPServer, chat: ChatServer) -> Path:
    """A knowledge base whose fetch stored the three items and asked the model about them."""
    feed_server.expect_request("/feed.xml").respond_with_data(rss(FEED))
    write_sources(curation, [{"id": "s", "url": feed_server.url_for("/feed.xml")}])
    configure(curation, chat.base_url)
    result = run(curation, "fetch")
    assert result.exit_code == 0, result.output
    assert "AI: asked about 3 of 3 items: 3 answered" in result.output
    return curation


def test_fetch_asks_about_the_items_it_stored_and_builds_ask_nothing(
    fetched: Path, chat: ChatServer, tmp_path: Path
) -> None:
    assert len(chat.requests) == 3
    assert {r.item["title"] for r in chat.requests} == {i["title"] for i in FEED}
    assert run(fetched, "fetch").exit_code == 0  # nothing new: nothing asked
    assert run(fetched, "init", str(tmp_path / "site")).exit_code == 0
    config = tmp_path / "site" / "mkdocs.yml"
    for _ in range(2):
        result = run(fetched, "build", "-f", str(config))
        assert result.exit_code == 0, result.output
    assert run(fetched, "ai").exit_code == 0
    assert len(chat.requests) == 3
    takeaways = {e.takeaway for e in load_kb(fetched).entries.values()}
    assert takeaways == {"又一家公司完成融资，值得投资人关注", "行业动态，成员值得一读"}


def test_a_down_endpoint_never_fails_the_fetch(curation: Path, feed_server: HTTPServer) -> None:
    feed_server.expect_request("/feed.xml").respond_with_data(rss(FEED))
    write_sources(curation, [{"id": "s", "url": feed_server.url_for("/feed.xml")}])
    configure(curation, "http://127.0.0.1:9/v1")  # the discard port: nothing listens
    result = run(curation, "fetch")
    assert result.exit_code == 0, result.output
    assert "3 left for the next run (cannot reach" in result.output
    assert len(load_kb(curation).entries) == 3 and not (curation / "ai").exists()


def test_a_missing_key_variable_skips_the_ai_and_keeps_the_fetch(
    curation: Path, feed_server: HTTPServer, chat: ChatServer
) -> None:
    feed_server.expect_request("/feed.xml").respond_with_data(rss(FEED))
    write_sources(curation, [{"id": "s", "url": feed_server.url_for("/feed.xml")}])
    settings = {"base_url": chat.base_url, "model": "m", "api_key_env": "FEEDKB_TEST_NO_KEY"}
    (curation / "ai.yaml").write_text(json.dumps(settings), encoding="utf-8")
    result = run(curation, "fetch")
    assert result.exit_code == 0
    assert "AI skipped" in result.output and "FEEDKB_TEST_NO_KEY" in result.output
    assert not chat.requests and len(load_kb(curation).entries) == 3


@pytest.mark.parametrize("mode", ["replace", "fill", "review"])
def test_the_modes(fetched: Path, chat: ChatServer, mode: str) -> None:
    before = {e.id: e.values for e in load_kb(fetched).entries.values()}
    chat.reply_with = answering(["resource"])
    configure(fetched, chat.base_url, mode)
    assert run(fetched, "ai", "--refresh").exit_code == 0
    after = {e.id: e.values for e in load_kb(fetched).entries.values()}
    if mode == "replace":
        assert set(map(tuple, after.values())) == {("resource",)}
    elif mode == "review":
        assert after == before
    else:  # added where the tagger was unsure, never taken away
        assert all(set(before[i]) <= set(after[i]) <= {*before[i], "resource"} for i in after)


def test_fill_adds_only_what_the_tagger_was_unsure_of() -> None:
    judgment = parse_judgment(
        '{"values": [{"value": "deal", "confidence": 0.9}, {"value": "lead", "confidence": 0.3}],'
        ' "takeaway": "一家公司完成融资"}'
    )
    assert combined_values(["news"], judgment, "fill", lambda: {"deal", "lead"}) == [
        "news",
        "deal",
    ]
    assert combined_values(["news"], judgment, "fill", set) == ["news"]
    assert combined_values(["news"], judgment, "replace", set) == ["deal"]
    assert combined_values(["news"], None, "replace", set) == ["news"]


def test_overrides_win_over_the_model(fetched: Path, chat: ChatServer) -> None:
    chat.reply_with = answering(["resource"])
    configure(fetched, chat.base_url, "replace")
    assert run(fetched, "ai", "--refresh").exit_code == 0
    entry = next(e for e in load_kb(fetched).entries.values() if e.item.guid == "2")
    assert run(fetched, "override", entry.id, "--set", "think-tank").exit_code == 0
    assert load_kb(fetched).entries[entry.id].values == ["think-tank"]


def test_deal_fields_fill_only_what_the_rules_left_empty_and_never_invent(
    fetched: Path, chat: ChatServer
) -> None:
    deal = {"company": "远景创投", "round": "C", "amount": "5亿元", "investors": []}
    chat.reply_with = answering(["deal"], deal=deal)
    configure(fetched, chat.base_url, "replace")
    assert run(fetched, "ai", "--refresh").exit_code == 0
    entries = {e.item.guid: e for e in load_kb(fetched).entries.values()}
    rules_deal = entries["1"].deal
    assert (rules_deal.company, rules_deal.round, rules_deal.amount.text) == (
        "星河智驾",
        "B",
        "3亿元",
    )
    # The model named a company the second item does not mention: no name is better.
    assert entries["2"].deal.company is None and entries["2"].deal.round == "C"


def test_explain_and_review_show_the_models_view(fetched: Path, chat: ChatServer) -> None:
    chat.reply_with = answering(["resource"])
    configure(fetched, chat.base_url, "review")
    assert run(fetched, "ai", "--refresh").exit_code == 0
    entry = next(e for e in load_kb(fetched).entries.values() if e.item.guid == "1")
    explained = run(fetched, "explain", entry.id).output
    assert "AI: given, confidence 0.90: 模型的理由" in explained
    assert "AI takeaway (解读): 值得成员关注的动态" in explained
    review = run(fetched, "review", "--format", "md").output
    assert f"`{entry.id}`" in review and "AI says +resource" in review


def test_eval_ai_scores_the_models_values(curation: Path, chat: ChatServer, tmp_path: Path) -> None:
    corpus = tmp_path / "items.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"id": f"c{n}", "title": title, "date": "2026-11-30", "lang": "zh"}) + "\n"
            for n, title in enumerate(["星河智驾完成B轮融资", "行业新闻一则"])
        ),
        encoding="utf-8",
    )
    labels = tmp_path / "labels.tsv"
    labels.write_text("c0\tdeal\t星河智驾\tB\nc1\tnews\n", encoding="utf-8")
    configure(curation, chat.base_url)
    result = run(curation, "eval", str(labels), "--items", str(corpus), "--ai", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["macro_f1"] > 0 and len(chat.requests) == 2
    assert (curation / "ai-eval").is_dir() and not (curation / "ai").exists()
    run(curation, "eval", str(labels), "--items", str(corpus), "--ai")
    assert len(chat.requests) == 2  # asked once


def test_the_ai_commands_options_are_checked_as_the_file_is(curation: Path) -> None:
    result = run(curation, "ai", "--base-url", "ftp://example.com", "--model", "m")
    assert result.exit_code == 2
    assert "with the command's options: base_url: must be an http:// or https:// URL" in (
        result.output
    )
    assert "no curation/ai.yaml" in run(curation, "ai").output
