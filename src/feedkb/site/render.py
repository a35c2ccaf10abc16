"""HTML for one entry, a badge, a table row: every feed-supplied string is escaped here.

Pages are Markdown documents made of raw HTML blocks, so Python-Markdown leaves their insides
alone: nothing a feed writes can become Markdown, a template or a tag.
"""

from collections.abc import Callable
from datetime import datetime

from feedkb.kb import Entry
from feedkb.rules import Rules
from feedkb.site.localtime import LocalTime
from feedkb.urls import canonical_url
from feedkb.values import VALUE_LABELS

WHERE = {"title": "标题", "summary": "摘要", "source": "来源提示"}


# One pass, so no entity is escaped twice: HTML's specials, plus what Markdown, attr_list
# and templates would act on in a heading.
ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'{}[]*_`|#\\"})


# The canonical card is search's record of an item (search_records.py reads it): its
# data-pagefind-* attributes hold per item, not per archive page as Pagefind would read them.
SEARCH_RECORD = "data-feedkb-record"
# Shown on the card, not searched as its text: search filters by source, month and value.
SEARCH_IGNORE = " data-pagefind-ignore"


def text(value: str) -> str:
    """Escaped for HTML text and attributes, with nothing Markdown or templates act on."""
    return value.translate(ESCAPES)


def safe_url(url: str) -> str:
    """An http(s) URL fit for an attribute, or "" for anything else."""
    return text(canonical_url(url)) if url else ""


def anchor(entry: Entry) -> str:
    return f"item-{entry.id}"


def badge(entry: Entry, slug: str, rules: Rules, search: bool = False) -> str:
    reasons = "；".join(
        f"{m.term}（{WHERE.get(m.where, m.where)} {m.weight:+g}）"
        for m in entry.evidence.get(slug, [])
        if m.weight > 0
    )
    if slug not in entry.computed_values:
        reasons = "编辑添加" + (f"；{reasons}" if reasons else "")
    tip = (
        f"{VALUE_LABELS[slug]}：得分 {entry.scores.get(slug, 0):g}，阈值 "
        f"{rules.tags[slug].threshold:g}。{reasons}"
    )
    filter_attr = ' data-pagefind-filter="value"' if search else ""
    return (
        f'<span class="fk-badge fk-{slug}" title="{text(tip)}" tabindex="0"{filter_attr}>'
        f"{VALUE_LABELS[slug]}</span>"
    )


def title_link(entry: Entry) -> str:
    url = safe_url(entry.item.url)
    title = text(entry.title)
    return f'<a href="{url}" rel="noopener nofollow">{title}</a>' if url else title


def entry_card(
    entry: Entry,
    rules: Rules,
    source_title: Callable[[Entry], str],
    permalink: str,
    canonical: bool,
    entries: dict[str, Entry],
    time: LocalTime,
) -> str:
    """One item: title to the original, source, date, summary, badges, note, other coverage.

    The canonical card's title is a heading carrying the item's anchor (one search section,
    one table-of-contents entry per item); elsewhere a card links to that anchor.
    """
    parts = (
        []
        if canonical
        else ['<article class="fk-item">', f'<h3 class="fk-title">{title_link(entry)}</h3>']
    )
    published = entry.item.published
    day = f'<time datetime="{text(published)}">{time.day(published)}</time>'
    source = text(source_title(entry))
    if canonical:  # what search filters, sorts and shows by; not part of the searched text
        day = (
            f'<time datetime="{text(published)}" '
            f'data-pagefind-filter="month:{time.month(published)}" '
            f'data-pagefind-sort="published:{epoch(published)}">{time.day(published)}</time>'
        )
        source = f'<span class="fk-source" data-pagefind-filter="source">{source}</span>'
    parts.append(
        f'<p class="fk-meta"{SEARCH_IGNORE if canonical else ""}>{source} · {day}'
        + ("" if canonical else f' · <a href="{permalink}" title="永久链接">#</a>')
        + ("" if not entry.pinned else ' · <span class="fk-pin">置顶</span>')
        + "</p>"
    )
    if entry.values:
        parts.append(
            f'<p class="fk-badges"{SEARCH_IGNORE if canonical else ""}>'
            + "".join(badge(entry, s, rules, canonical) for s in entry.values)
            + "</p>"
        )
    if entry.item.summary:
        parts.append(f'<p class="fk-summary">{text(entry.item.summary)}</p>')
    if entry.override.note:
        parts.append(f'<p class="fk-note">编辑按：{text(entry.override.note)}</p>')
    others = [entries[i] for i in entry.also_covered_by if i in entries]
    if others:
        links = "、".join(
            f'<a href="{safe_url(o.item.url)}" rel="noopener nofollow">{text(source_title(o))}</a>'
            if safe_url(o.item.url)
            else text(source_title(o))
            for o in others
        )
        ignore = SEARCH_IGNORE if canonical else ""
        parts.append(f'<p class="fk-also"{ignore}>其他报道：{links}</p>')
    if not canonical:
        parts.append("</article>")
        return "\n".join(parts)
    heading = f'<h2 id="{anchor(entry)}" class="fk-title">{title_link(entry)}</h2>'
    names = companies(entry)
    company = f' data-pagefind-meta="company:{text(names)}"' if names else ""
    return "\n".join(
        [
            f'<section class="fk-entry" {SEARCH_RECORD}="{entry.id}"{company}>',
            heading,
            '<div class="fk-item">',
            *parts,
            "</div>",
            "</section>",
        ]
    )


def companies(entry: Entry) -> str:
    """The companies an item is about, the deal's first: search weighs them as its title."""
    names = [entry.deal.company] if entry.deal and entry.deal.company else []
    names += [c for c in entry.companies if c not in names]
    return " ".join(names)


def epoch(stamp: str) -> int:
    """Seconds since 1970 of an ISO 8601 time: Pagefind sorts numbers as numbers."""
    return int(datetime.fromisoformat(stamp).timestamp())
