"""feedkb prune: old items lose their summaries or go, and what went never comes back."""

import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from feedkb.prune import prune
from feedkb.store import Store
from tests.conftest import rss, run, write_sources
from tests.test_store import entry, item

OLD = ["Mon, 03 Nov 2025 08:00:00 GMT", "Mon, 29 Dec 2025 08:00:00 GMT"]
NEW = ["Fri, 02 Jan 2026 08:00:00 GMT"]


@pytest.fixture
def fetched(curation: Path, feed_server) -> Path:
    """Three stories (two before 2026) from a feed, and a second feed syndicating them."""
    stories = [
        {
            "title": f"融资 {n}",
            "link": f"http://vc.example/{n}",
            "pubDate": moment,
            "description": "<p>某公司完成 A 轮融资</p>",
        }
        for n, moment in enumerate(OLD + NEW)
    ]
    for path, body in (("/vc", rss(stories)), ("/copy", rss(stories, title="Copy"))):
        feed_server.expect_request(path).respond_with_data(body, content_type="application/xml")
    write_sources(
        curation,
        [
            {"id": "vc", "url": feed_server.url_for("/vc")},
            {"id": "copy", "url": feed_server.url_for("/copy"), "enabled": False},
        ],
    )
    assert run(curation, "fetch").exit_code == 0
    return curation


def stored(curation: Path) -> dict[str, str]:
    return {item.title: item.summary for item in Store(curation).load_items()}


def test_pruned_items_never_come_back_when_their_feeds_are_fetched_again(fetched: Path) -> None:
    report = prune(fetched, date(2026, 1, 1), "items")
    assert (report.items, report.files_removed, report.files_rewritten) == (2, 2, 0)
    assert report.bytes_after < report.bytes_before
    assert list(stored(fetched)) == ["融资 2"]
    assert Store(fetched).load_state("vc").item_count == 1
    pruned = sorted(p.name for p in (fetched / "items" / "pruned").iterdir())
    assert pruned == ["2025-11.txt", "2025-12.txt"]
    # The feed still lists them: fetched again as it stands, with the state that remembers
    # its last listing...
    assert run(fetched, "fetch").exit_code == 0
    assert list(stored(fetched)) == ["融资 2"]
    # ...and with that state gone, from the feed and from another source that links to the
    # same pages (without guids, so with the same ids): the pruned ids alone keep them out.
    shutil.rmtree(fetched / "state")
    result = run(fetched, "fetch", "--source", "vc", "--source", "copy")
    assert result.exit_code == 0 and "0 new items" in result.output
    assert list(stored(fetched)) == ["融资 2"]


def test_pruned_summaries_leave_the_items_listed(fetched: Path) -> None:
    ids = sorted(item.id for item in Store(fetched).load_items())
    report = prune(fetched, date(2026, 1, 1), "summaries")
    assert (report.items, report.files_rewritten, report.files_removed) == (2, 2, 0)
    assert stored(fetched) == {"融资 0": "", "融资 1": "", "融资 2": "某公司完成 A 轮融资"}
    assert sorted(item.id for item in Store(fetched).load_items()) == ids
    assert prune(fetched, date(2026, 1, 1), "summaries").files_rewritten == 0  # done already


def test_items_the_curator_corrected_are_kept_whole(fetched: Path) -> None:
    corrected = next(i for i in Store(fetched).load_items() if i.title == "融资 0")
    assert run(fetched, "override", corrected.id, "--set", "deal").exit_code == 0
    prune(fetched, date(2026, 1, 1), "items")
    assert stored(fetched) == {"融资 0": "某公司完成 A 轮融资", "融资 2": "某公司完成 A 轮融资"}
    assert run(fetched, "doctor").exit_code == 0


def test_the_prune_command_says_what_it_did(fetched: Path) -> None:
    result = run(fetched, "prune", "--before", "2026-01-01", "--drop", "summaries")
    assert result.exit_code == 0, result.output
    assert "2 items before 2026-01-01: summaries dropped; 2 files rewritten" in result.output
    assert stored(fetched)["融资 0"] == ""
    wrong = run(fetched, "prune", "--before", "2026-01-01", "--drop", "bodies")
    assert wrong.exit_code == 2 and "'bodies' is not one of 'summaries', 'items'" in wrong.output


def test_prune_refuses_an_unknown_drop(fetched: Path) -> None:
    with pytest.raises(ValueError, match="drop is one of summaries, items, not 'bodies'"):
        prune(fetched, date(2026, 1, 1), "bodies")


PRUNER = """
import sys
from datetime import date
from pathlib import Path
from feedkb.prune import prune
prune(Path(sys.argv[1]), date(2026, 1, 15), "items")
"""


def test_sigkill_in_the_middle_of_a_prune_loses_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path)
    months = [f"{year}-{month:02d}" for year in (2025, 2026) for month in range(1, 13)]
    everything = {
        story.id: story.published
        for story in store.add_items(
            entry(item(n, f"{months[n % 24]}-{1 + n % 28:02d}T08:00:00Z")) for n in range(96_000)
        )
    }
    command = [sys.executable, "-c", PRUNER, str(tmp_path)]
    for attempt in range(10):  # killed later each time: a prune takes about half a second
        process = subprocess.Popen(command)
        time.sleep(0.25 + 0.03 * attempt)
        process.send_signal(signal.SIGKILL)
        process.wait()
        kept = [story.id for story in store.load_items()]  # whole lines, every file
        assert len(kept) == len(set(kept)), "an item is stored twice"
        assert set(kept) | store.pruned_ids(months) == set(everything), "an item is lost"
    assert subprocess.run(command).returncode == 0
    assert min(story.published for story in store.load_items()) >= "2026-01-15"
    assert store.pruned_ids(months) == {i for i, day in everything.items() if day < "2026-01-15"}
