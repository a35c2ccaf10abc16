"""The AI assist's takeaway (解读) where members read an item: under its title on every kind of
page with cards, labelled as machine-written and absent where the item has none, in Chromium
at a phone's width (390 px) and a desktop's (1400 px); in the Atom feeds, the CLI's digests and
search results. A takeaway holding markup shows as text and never runs.

The site is the demo's knowledge base with answers of a model written for every third item,
as `feedkb ai` keeps them.
"""

import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from feedkb.ai.cache import AiCache, Answer
from feedkb.ai.judgment import Judgment, ValueJudgment
from feedkb.ai.prompt import PROMPT_VERSION
from feedkb.digest import TAKEAWAY_LABEL, build_digest, latest_week
from feedkb.kb import load_kb
from feedkb.site.feeds import ATOM
from feedkb.site.render import TAKEAWAY_NOTICE
from tests.conftest import run
from tests.sitecheck import (
    DESKTOP,
    PHONE,
    audit,
    browser_on,
    build_site,
    layout_problems,
    serious_accessibility_violations,
)
from tests.test_members_site import page_types
from tests.test_search import open_search, results

SCRIPT = "<script>alert(1)</script>"
HOSTILE = f"提防{SCRIPT}这类标题"  # the newest item's takeaway
EVERY = 3  # every third item, newest first, has a takeaway
# The kinds of page that show cards (page_types' names).
WITH_CARDS = ("home", "value", "value month", "archive", "company", "digest")


@dataclass
class AiSite:
    curation: Path
    site: Path
    takeaways: dict[str, str]  # item id -> its takeaway


@pytest.fixture(scope="module")
def ai_site(demo_kb: Path, tmp_path_factory) -> AiSite:
    """The demo's knowledge base with a model's takeaways for every third item, built."""
    root = tmp_path_factory.mktemp("takeaway")
    curation = root / "curation"
    shutil.copytree(demo_kb / "curation", curation)
    # review: the model's values are kept for review, so items are tagged as in the demo.
    (curation / "ai.yaml").write_text(
        "base_url: http://127.0.0.1:9/v1\nmodel: test-model\nmode: review\n", encoding="utf-8"
    )
    chosen = load_kb(curation).visible()[::EVERY]
    takeaways = {e.id: f"第{n}条机器写的解读，值得关注" for n, e in enumerate(chosen)}
    takeaways[chosen[0].id] = HOSTILE
    AiCache(curation).add(
        [
            Answer(
                id=key,
                prompt=PROMPT_VERSION,
                model="test-model",
                at="2026-12-01T00:00:00Z",
                tokens=10,
                judgment=Judgment([ValueJudgment("news", 0.9, "理由")], sentence),
            )
            for key, sentence in takeaways.items()
        ],
        {e.id: e.item.published[:7] for e in chosen},
    )
    site = root / "site"
    build_site(curation, site)
    return AiSite(curation, site, takeaways)


@pytest.fixture(scope="module")
def member(ai_site: AiSite):
    with browser_on(ai_site.site) as browser:
        yield browser


# Every card on the page: its item (from its record or its permalink; a deal card has
# neither), its takeaways, and whether the first is the element right under the title.
CARDS = """() => [...document.querySelectorAll('.fk-item')].map(card => {
  const record = card.closest('[data-feedkb-record]');
  const permalink = card.querySelector('.fk-meta a[href*="#item-"]');
  const title = (record || card).querySelector('.fk-title');
  const under = record ? card.firstElementChild : title.nextElementSibling;
  const found = [...(record || card).querySelectorAll('.fk-takeaway')];
  const label = found.length ? found[0].querySelector('.fk-takeaway__label') : null;
  return {
    id: record ? record.dataset.feedkbRecord
      : permalink ? permalink.getAttribute('href').split('#item-')[1] : null,
    count: found.length,
    under: !!under && under === found[0],
    visible: !!found.length && found[0].checkVisibility({checkVisibilityCSS: true}),
    label: label ? label.textContent : null,
    tip: label ? label.title : null,
    sentence: found.length ? found[0].textContent.slice(label.textContent.length) : null,
  };
})"""


def card_pages(site: Path) -> dict[str, str]:
    """One page of every kind that shows cards; for a company, the one with the most leads
    (most company pages have none, only a timeline)."""
    pages = {kind: path for kind, path in page_types(site).items() if kind in WITH_CARDS}
    company = max(
        sorted(site.glob("companies/[0-9a-f]*/index.html")),
        key=lambda page: page.read_text(encoding="utf-8").count('class="fk-item"'),
    )
    pages["company"] = company.parent.relative_to(site).as_posix() + "/"
    return pages


def cards_on(member, path: str) -> list[dict]:
    member.page.goto(member.base + path)
    return member.page.evaluate(CARDS)


def test_the_takeaway_is_under_each_title_labelled_and_only_where_there_is_one(
    member, ai_site: AiSite
) -> None:
    member.page.set_viewport_size({"width": DESKTOP, "height": 900})
    shown = {}
    for kind, path in card_pages(ai_site.site).items():
        cards = cards_on(member, path)
        for card in cards:
            expected = ai_site.takeaways.get(card["id"])
            where = (kind, card["id"])
            if expected is None:
                assert card["count"] == 0, where
                continue
            assert card["count"] == 1 and card["under"] and card["visible"], (where, card)
            assert card["label"] == TAKEAWAY_LABEL, where
            assert card["tip"] == TAKEAWAY_NOTICE, where
            assert card["sentence"] == expected, where
        shown[kind] = sum(c["count"] for c in cards), len(cards)
    assert all(cards for _shown, cards in shown.values()), shown
    # A company page lists its few leads, which may have no takeaway.
    assert all(shown[kind][0] for kind in WITH_CARDS if kind != "company"), shown
    assert all(with_takeaway < cards for with_takeaway, cards in shown.values()), shown
    assert not member.problems, member.problems


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_pages_with_takeaways_lay_out_and_are_accessible(member, ai_site, width: int) -> None:
    member.page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for kind, path in card_pages(ai_site.site).items():
        member.page.goto(member.base + path)
        if problems := layout_problems(member.page) + serious_accessibility_violations(member.page):
            found[kind] = problems[:5]
    assert not found, found
    assert not member.problems, member.problems


def test_markup_in_a_takeaway_shows_as_text_and_never_runs(member, ai_site: AiSite) -> None:
    hostile = next(key for key, sentence in ai_site.takeaways.items() if sentence == HOSTILE)
    page = next(
        p
        for p in ai_site.site.glob("archive/**/index.html")
        if f'data-feedkb-record="{hostile}"' in p.read_text(encoding="utf-8")
    )
    card = next(
        c
        for c in cards_on(member, page.parent.relative_to(ai_site.site).as_posix() + "/")
        if c["id"] == hostile
    )
    assert card["sentence"] == HOSTILE
    assert member.page.locator("script", has_text="alert(1)").count() == 0
    assert not member.problems, member.problems  # no dialog opened
    assert audit(ai_site.site) == {}


def atom_summaries(feed: Path) -> dict[str, str]:
    """Item id -> summary of each entry of an Atom feed."""
    root = ET.parse(feed).getroot()
    return {
        entry.findtext(f"{{{ATOM}}}id").removeprefix("urn:feedkb:item:"): entry.findtext(
            f"{{{ATOM}}}summary"
        )
        for entry in root.iter(f"{{{ATOM}}}entry")
    }


def test_atom_summaries_start_with_the_takeaway(ai_site: AiSite) -> None:
    for feed in ("all", "news"):
        summaries = atom_summaries(ai_site.site / "feeds" / f"{feed}.xml")
        with_takeaway = [key for key in summaries if key in ai_site.takeaways]
        assert with_takeaway and len(with_takeaway) < len(summaries), feed
        for key, summary in summaries.items():
            if key in ai_site.takeaways:
                first = f"{TAKEAWAY_LABEL}：{ai_site.takeaways[key]}\n\n"
                assert summary.startswith(first), summary
            else:
                assert TAKEAWAY_LABEL not in summary, summary


DIGEST_ITEM = {"md": re.compile(r"^- \[.*\]\((\S+)\) — "), "text": re.compile(r"^\d+\. .* (\S+)$")}
DIGEST_TAKEAWAY = {"md": f"  {TAKEAWAY_LABEL}：", "text": f"   {TAKEAWAY_LABEL}："}


@pytest.mark.parametrize("fmt", ["md", "text"])
def test_the_cli_digest_gives_the_takeaway_under_its_item(ai_site: AiSite, fmt: str) -> None:
    kb = load_kb(ai_site.curation)
    digest = build_digest(kb, latest_week(kb))
    by_url = {e.item.url: e.id for entries in digest.sections.values() for e in entries}
    lines = run(ai_site.curation, "digest", "--format", fmt).output.splitlines()
    items = [(n, DIGEST_ITEM[fmt].match(line)) for n, line in enumerate(lines)]
    items = [(n, by_url[m[1]]) for n, m in items if m]
    assert len(items) == sum(len(entries) for entries in digest.sections.values())
    for n, key in items:
        after = lines[n + 1] if n + 1 < len(lines) else ""
        if key in ai_site.takeaways:  # Markdown escapes what it would act on: \<script\>
            assert after.replace("\\", "") == DIGEST_TAKEAWAY[fmt] + ai_site.takeaways[key]
        else:
            assert TAKEAWAY_LABEL not in after
    assert any(key in ai_site.takeaways for _n, key in items)
    if fmt == "md":
        assert SCRIPT not in "\n".join(lines)


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_a_search_result_shows_the_items_takeaway(member, ai_site: AiSite, width: int) -> None:
    kb = load_kb(ai_site.curation)
    newest, _, _, plain = kb.visible()[: EVERY + 1]
    open_search(member, width)
    for entry in (newest, plain):
        assert results(member, entry.title)
        hits = member.page.eval_on_selector_all(
            ".fk-hit",
            """hits => hits.map(hit => ({
              id: hit.querySelector('a').getAttribute('href').split('#item-')[1],
              takeaways: [...hit.querySelectorAll('.fk-takeaway')].map(t => ({
                label: t.querySelector('.fk-takeaway__label').textContent,
                tip: t.querySelector('.fk-takeaway__label').title,
                text: t.textContent,
                under: t.previousElementSibling.classList.contains('fk-hit-title'),
              })),
            }))""",
        )
        assert entry.id in {h["id"] for h in hits}
        for hit in hits:
            expected = ai_site.takeaways.get(hit["id"])
            if expected is None:
                assert hit["takeaways"] == [], hit
            else:
                assert hit["takeaways"] == [
                    {
                        "label": TAKEAWAY_LABEL,
                        "tip": TAKEAWAY_NOTICE,
                        "text": TAKEAWAY_LABEL + expected,
                        "under": True,
                    }
                ], hit
        # The theme's overlay slides in wider than a phone: measure once it rests.
        member.page.wait_for_function(
            "() => document.getAnimations().every(a => a.playState !== 'running')"
        )
        assert layout_problems(member.page) == []
        assert serious_accessibility_violations(member.page) == []
    # Shown, not searched: the takeaway's words are the model's, not the item's.
    assert results(member, "机器写的解读") == []
    assert not member.problems, member.problems
