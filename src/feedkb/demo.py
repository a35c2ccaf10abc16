"""``feedkb init`` and ``feedkb demo``: a knowledge base folder from the bundled defaults, and a
complete demo site from sample feeds bundled with the package (works offline)."""

import shutil
from pathlib import Path

from feedkb.ingest import fetch_all
from feedkb.rules import DEFAULT_RULES, RULES_FILE
from feedkb.sources import SourceList

PACKAGE = Path(__file__).parent
DEFAULTS = PACKAGE / "defaults"
DEMO_FEEDS = PACKAGE / "demo" / "feeds"

# The demo's sources: feeds written for feedkb (fictional companies), fetched like any other.
DEMO_SOURCES = [
    ("demo-vc", "创投日报", "vc.xml", ["deal"], ["创投"]),
    ("demo-industry", "产业快讯", "industry.xml", ["news"], ["产业"]),
    ("demo-insight", "商业洞察", "insight.xml", ["think-tank"], ["分析"]),
    ("demo-events", "活动与资源", "events.xml", ["resource"], ["活动"]),
    ("demo-b2b", "企服观察", "b2b.xml", ["lead"], ["企业服务"]),
]
SOURCES_TEMPLATE = """\
# feedkb sources: the feeds this knowledge base pulls from (see the README's curator's guide).
# Add them with `feedkb sources add URL` or `feedkb sources import FILE.opml`.
sources: []
"""


def init_folder(target: Path) -> list[Path]:
    """Lay out a new knowledge base: mkdocs.yml, docs/, curation/ with the default rules.
    Existing files are kept; returns the files written."""
    written = []
    for source, destination in [
        (DEFAULTS / "mkdocs.yml", target / "mkdocs.yml"),
        (DEFAULT_RULES, target / "curation" / RULES_FILE),
        *[
            (page, target / "docs" / "guide" / page.name)
            for page in sorted((DEFAULTS / "docs" / "guide").glob("*.md"))
        ],
    ]:
        if not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            written.append(destination)
    sources = target / "curation" / "sources.yaml"
    if not sources.exists():
        sources.write_text(SOURCES_TEMPLATE, encoding="utf-8")
        written.append(sources)
    return written


def prepare_demo(target: Path) -> SourceList:
    """A knowledge base in ``target`` whose sources are the bundled sample feeds."""
    init_folder(target)
    curation = target / "curation"
    lines = ["# The demo's sample feeds, bundled with feedkb (fictional companies).", "sources:"]
    for source_id, title, feed, values, tags in DEMO_SOURCES:
        lines += [
            f"  - id: {source_id}",
            f"    title: {title}",
            f"    url: {(DEMO_FEEDS / feed).as_posix()}",
            f"    values: [{', '.join(values)}]",
            f"    tags: [{', '.join(tags)}]",
        ]
    (curation / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return SourceList.load(curation)


def fetch_demo(target: Path) -> int:
    """Fetch the sample feeds through the ordinary fetch path; returns the items stored."""
    source_list = prepare_demo(target)
    report = fetch_all(target / "curation", source_list.enabled())
    return sum(r.new_items for r in report.sources)
