"""Weekly digests: the week's best items per value, for the site and for a WeChat group."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from feedkb.kb import Entry, KnowledgeBase
from feedkb.values import VALUE_LABELS

WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")
DEFAULT_PER_VALUE = 5
# What marks the AI assist's takeaway wherever members read it (site, feeds, digests): a
# machine wrote it, and no editor checked it.
TAKEAWAY_LABEL = "AI 解读"


@dataclass
class Digest:
    week: str  # ISO week, e.g. 2026-W47
    start: date
    end: date  # inclusive
    sections: dict[str, list[Entry]]  # value slug -> best entries

    @property
    def empty(self) -> bool:
        return not any(self.sections.values())


def parse_week(text: str) -> tuple[int, int]:
    found = WEEK_RE.match(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 53:
        raise ValueError(f"{text!r} is not an ISO week (use YYYY-Www, e.g. 2026-W47)")
    return int(found.group(1)), int(found.group(2))


def utc_day(moment: str) -> str:
    """The day of a stored time, in UTC (the site passes its own time zone's)."""
    return moment[:10]


def week_of(moment: str, day: Callable[[str], str] = utc_day) -> str:
    """The ISO week of ``moment``, by the day ``day`` says it falls on."""
    year, week, _weekday = date.fromisoformat(day(moment)).isocalendar()
    return f"{year}-W{week:02d}"


def latest_week(kb: KnowledgeBase, day: Callable[[str], str] = utc_day) -> str:
    """The week of the newest visible item (this week for an empty store), by the day
    ``day`` says it falls on."""
    visible = kb.visible()
    newest = visible[0].item.published if visible else datetime.now(UTC).isoformat()
    return week_of(newest, day)


def build_digest(
    kb: KnowledgeBase,
    week: str,
    per_value: int = DEFAULT_PER_VALUE,
    visible: list[Entry] | None = None,
    day: Callable[[str], str] = utc_day,
) -> Digest:
    """Per value, the week's visible items: pinned first, then by score, then newest.
    ``visible`` is ``kb.visible()`` when the caller already has it; ``day`` tells which day
    an item was published on (the site's time zone, or UTC)."""
    year, number = parse_week(week)
    start = date.fromisocalendar(year, number, 1)
    end = start + timedelta(days=6)
    in_week = [
        e
        for e in (kb.visible() if visible is None else visible)
        if start.isoformat() <= day(e.item.published) <= end.isoformat()
    ]
    sections = {}
    for slug in VALUE_LABELS:
        chosen = [e for e in in_week if slug in e.values]  # already newest first
        chosen.sort(key=lambda e, s=slug: (not e.pinned, -e.scores.get(s, 0)))  # stable
        sections[slug] = chosen[:per_value]
    return Digest(f"{year}-W{number:02d}", start, end, sections)


def digest_markdown(digest: Digest, source_title: Callable[[Entry], str]) -> str:
    lines = [f"# 周报 {digest.week}（{digest.start:%m月%d日}–{digest.end:%m月%d日}）", ""]
    for slug, entries in digest.sections.items():
        if not entries:
            continue
        lines += [f"## {VALUE_LABELS[slug]}", ""]
        for e in entries:
            lines.append(
                f"- [{_md_text(e.title)}]({e.item.url or '#'}) — {_md_text(source_title(e))} · "
                f"{e.item.published[:10]}"
            )
            if e.takeaway:  # the item's second line, inside its list item
                lines.append(f"  {_md_text(takeaway_line(e))}")
        lines.append("")
    if digest.empty:
        lines.append("本周没有条目。")
    return "\n".join(lines).rstrip() + "\n"


def digest_text(digest: Digest) -> str:
    """Plain text for a chat group: no Markdown, one item per line with its link."""
    lines = [f"周报 {digest.week}（{digest.start:%m月%d日}–{digest.end:%m月%d日}）"]
    for slug, entries in digest.sections.items():
        if not entries:
            continue
        lines += ["", f"【{VALUE_LABELS[slug]}】"]
        for n, e in enumerate(entries, 1):
            lines.append(f"{n}. {e.title} {e.item.url}".rstrip())
            if e.takeaway:
                lines.append(f"   {takeaway_line(e)}")
    if digest.empty:
        lines += ["", "本周没有条目。"]
    return "\n".join(lines) + "\n"


def takeaway_line(entry: Entry) -> str:
    """The item's takeaway as plain text, marked as the machine's: AI 解读：…"""
    return f"{TAKEAWAY_LABEL}：{entry.takeaway}"


def _md_text(text: str) -> str:
    # Link text must not close the link or start Markdown of its own.
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)
