"""HTML for one entry, a badge, a table row: every feed-supplied string is escaped here.

Pages are Markdown documents made of raw HTML blocks, so Python-Markdown leaves their insides
alone: nothing a feed writes can become Markdown, a template or a tag.
"""

from collections.abc import Callable
from datetime import datetime

from feedkb.digest import TAKEAWAY_LABEL
from feedkb.kb import Entry
from feedkb.rules import Rules, TagRule
from feedkb.site.localtime import LocalTime
from feedkb.tagging import SOURCE
from feedkb.urls import canonical_url
from feedkb.values import VALUE_LABELS

WHERE = {"title": "标题", "summary": "摘要"}
# Punctuation terms ("?" for a question in a headline) are told in words, never as a mark.
PUNCTUATION = {"?": "问号", ":": "冒号", "!": "感叹号"}


# One pass, so no entity is escaped twice: HTML's specials, plus what Markdown, attr_list
# and templates would act on in a heading.
ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'{}[]*_`|#\\"})


# The canonical card is search's record of an item (search_records.py reads it): its
# data-pagefind-* attributes hold per item, not per archive page as Pagefind would read them.
SEARCH_RECORD = "data-feedkb-record"
# Shown on the card, not searched as its text: search filters by source, month and value.
SEARCH_IGNORE = " data-pagefind-ignore"
# The takeaway label's tooltip: who wrote the sentence beside it.
TAKEAWAY_NOTICE = "由 AI 根据原文自动生成，未经编辑核实"


def text(value: str) -> str:
    """Escaped for HTML text and attributes, with nothing Markdown or templates act on."""
    return value.translate(ESCAPES)


def safe_url(url: str) -> str:
    """An http(s) URL fit for an attribute, or "" for anything else."""
    return text(canonical_url(url)) if url else ""


def anchor(entry: Entry) -> str:
    return f"item-{entry.id}"


def badge(entry: Entry, slug: str, rules: Rules, search: bool = False) -> str:
    """A value's badge; its tooltip says why, in a member's words: 命中词：融资（标题）、A轮
    （标题）；得分 7，门槛 3. A regular expression is never shown: it reads 规则匹配."""
    tag = rules.tags[slug]
    score = entry.scores.get(slug, 0)
    reasons = []
    if slug not in entry.computed_values:
        reasons.append("编辑添加")
    elif score < tag.threshold:
        reasons.append("模型判定")
    matches = [m for m in entry.evidence.get(slug, []) if m.weight > 0]
    expressions = _expressions(tag)
    terms = dict.fromkeys(  # in order, each once
        f"{_term_words(m.term, expressions)}（{WHERE[m.where]}）"
        for m in matches
        if m.where != SOURCE
    )
    if terms:
        reasons.append("命中词：" + "、".join(terms))
    if any(m.where == SOURCE for m in matches):  # the hint its source's values give
        reasons.append("来源常发此类内容")
    reasons.append(f"得分 {score:g}，门槛 {tag.threshold:g}")
    filter_attr = ' data-pagefind-filter="value"' if search else ""
    return (
        f'<span class="fk-badge fk-{slug}" title="{text("；".join(reasons))}" tabindex="0"'
        f"{filter_attr}>"
        f"{VALUE_LABELS[slug]}</span>"
    )


def _term_words(term: str, expressions: frozenset[str]) -> str:
    if term in expressions:
        return "规则匹配"
    if not any(c.isalnum() for c in term):
        return PUNCTUATION.get(term, "标点")
    return term


# The texts of a tag's regular expressions, by the tag's identity: badges are drawn for every
# item on many pages, and a tag's terms are scanned once, not for each.
_EXPRESSIONS: dict[int, tuple[TagRule, frozenset[str]]] = {}


def _expressions(tag: TagRule) -> frozenset[str]:
    known = _EXPRESSIONS.get(id(tag))
    if known is None or known[0] is not tag:
        known = (tag, frozenset(t.text for t in tag.terms if t.regex))
        _EXPRESSIONS[id(tag)] = known
    return known[1]


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
    """One item: title to the original, the machine's takeaway, source, date, summary, badges,
    note, other coverage.

    The canonical card's title is a heading carrying the item's anchor (one search section,
    one table-of-contents entry per item); elsewhere a card links to that anchor.
    """
    parts = (
        []
        if canonical
        else ['<article class="fk-item">', f'<h3 class="fk-title">{title_link(entry)}</h3>']
    )
    if entry.takeaway:
        parts.append(takeaway(entry, canonical))
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


def takeaway(entry: Entry, canonical: bool) -> str:
    """The AI assist's one-line takeaway, labelled as machine-written. Search shows it with a
    result but does not search it (its words are the model's, not the item's): the canonical
    card keeps it out of the searched text and hands it over as the item's meta."""
    label = f'<span class="fk-takeaway__label" title="{TAKEAWAY_NOTICE}">{TAKEAWAY_LABEL}</span>'
    sentence = text(entry.takeaway)
    if canonical:
        sentence = f'<span data-pagefind-meta="takeaway">{sentence}</span>'
    return f'<p class="fk-takeaway"{SEARCH_IGNORE if canonical else ""}>{label}{sentence}</p>'


def companies(entry: Entry) -> str:
    """The companies an item is about, the deal's first: search weighs them as its title."""
    names = [entry.deal.company] if entry.deal and entry.deal.company else []
    names += [c for c in entry.companies if c not in names]
    return " ".join(names)


def epoch(stamp: str) -> int:
    """Seconds since 1970 of an ISO 8601 time: Pagefind sorts numbers as numbers."""
    return int(datetime.fromisoformat(stamp).timestamp())
