"""Every date and time on the site in the site's time zone (default Asia/Shanghai), one format."""

import subprocess
import sys
from pathlib import Path

import pytest

from feedkb.kb import build_kb
from feedkb.model import Item
from feedkb.overrides import Overrides
from feedkb.rules import DEFAULT_RULES, load_rules
from feedkb.site.localtime import LocalTime
from feedkb.site.pages import SiteBuilder, SiteSettings, build_pages
from feedkb.store import SourceState, Store
from tests.conftest import REPO, run

# 20:30 UTC on the last day of November is 04:30 on 1 December in Shanghai.
LATE = "2026-11-30T20:30:00Z"


def item_of(published: str) -> Item:
    return Item(
        id="a1",
        source="s",
        title="蜂鸟快送完成5000万元A轮融资",
        url="https://news.example.com/1",
        guid="",
        published=published,
        first_seen=published,
    )


def pages_in(zone: str, published: str = LATE) -> dict[str, str]:
    kb = build_kb(
        [item_of(published)], {}, load_rules(DEFAULT_RULES.parent), Overrides(Path("o"), {}, {})
    )
    settings = SiteSettings(50, 5, 8, True, LocalTime(zone))
    states = {"s": SourceState(last_success=LATE)}
    return build_pages(SiteBuilder(kb, states, settings))


def test_dates_months_and_times_follow_the_time_zone() -> None:
    shanghai, utc = pages_in("Asia/Shanghai"), pages_in("UTC")
    assert "archive/2026-12.md" in shanghai and "archive/2026-11.md" not in shanghai
    assert "archive/2026-11.md" in utc
    assert ">2026-12-01</time>" in shanghai["archive/2026-12.md"]
    assert ">2026-11-30</time>" in utc["archive/2026-11.md"]
    assert 'Z">2026-12-01</time></td>' in shanghai["deals/2026-12.md"]
    assert "最近更新：2026-12-01 04:30" in shanghai["index.md"]
    every_page = "".join(shanghai.values())
    assert "UTC" not in every_page and "T20:30" not in every_page.replace(f'"{LATE}"', "")


def test_weekly_digests_follow_the_time_zone() -> None:
    # Sunday 20:30 UTC is Monday 04:30 in Shanghai: the next ISO week there.
    sunday_night = "2026-11-29T20:30:00Z"
    shanghai, utc = pages_in("Asia/Shanghai", sunday_night), pages_in("UTC", sunday_night)
    assert "digests/2026-W49.md" in shanghai and "digests/2026-W48.md" not in shanghai
    assert "digests/2026-W48.md" in utc
    assert "蜂鸟快送" in shanghai["digests/2026-W49.md"]


def test_an_unknown_time_zone_is_named() -> None:
    with pytest.raises(ValueError, match=r"unknown time zone 'Mars/Olympus'.*IANA"):
        LocalTime("Mars/Olympus")


def test_a_site_with_an_unknown_time_zone_does_not_build(tmp_path: Path) -> None:
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    option = "      feed_size: 50\n"
    config = config.replace(option, f"{option}      timezone: Mars/X\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "-f", str(tmp_path / "mkdocs.yml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "timezone: unknown time zone 'Mars/X'" in result.stderr, result.stderr[-2000:]


def test_the_digest_command_cuts_weeks_by_the_same_time_zone(curation: Path) -> None:
    """`feedkb digest` puts Sunday night UTC in Monday's week, as the site does."""
    Store(curation).add_items([(item_of("2026-11-29T20:30:00Z"), ["id:a1"])])
    shanghai = run(curation, "digest")
    assert shanghai.exit_code == 0 and "2026-W49" in shanghai.output, shanghai.output
    assert "2026-W48" in run(curation, "digest", "--timezone", "UTC").output
    unknown = run(curation, "digest", "--timezone", "Mars/Olympus")
    assert unknown.exit_code == 2 and "unknown time zone" in unknown.output
