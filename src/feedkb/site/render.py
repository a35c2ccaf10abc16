"""HTML for one entry, a badge, a table row: every feed-supplied string is escaped here.

Pages are Markdown documents made of raw HTML blocks, so Python-Markdown leaves their insides
alone: nothing a feed writes can become Markdown, a template or a tag.
"""

from collections.abc import Callable

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


def text(value: str) -> str:
    """Escaped for HTML text and attributes, with nothing Markdown or templates act on."""
    return value.translate(ESCAPES)


def safe_url(url: str) -> str:
    """An http(s) URL fit for an attribute, or "" for anything else."""
    return text(canonical_url(url)) if url else ""


def anchor(entry: Entry) -> str:
    return f"item-{entry.id}"


def badge(entry: Entry, slug: str, rules: Rules) -> str:
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
    return (
        f'<span class="fk-badge fk-{slug}" title="{text("；".join(reasons))}" tabindex="0">'
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
    """One item: title to the original, source, date, summary, badges, note, other coverage.

    The canonical card's title is a heading carrying the item's anchor (one search section,
    one table-of-contents entry per item); elsewhere a card links to that anchor.
    """
    parts = (
        []
        if canonical
        else ['<article class="fk-item">', f'<h3 class="fk-title">{title_link(entry)}</h3>']
    )
    parts.append(
        f'<p class="fk-meta">{text(source_title(entry))} · '
        f'<time datetime="{text(entry.item.published)}">{time.day(entry.item.published)}</time>'
        + ("" if canonical else f' · <a href="{permalink}" title="永久链接">#</a>')
        + ("" if not entry.pinned else ' · <span class="fk-pin">置顶</span>')
        + "</p>"
    )
    if entry.values:
        parts.append(
            '<p class="fk-badges">' + "".join(badge(entry, s, rules) for s in entry.values) + "</p>"
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
        parts.append(f'<p class="fk-also">其他报道：{links}</p>')
    if not canonical:
        parts.append("</article>")
        return "\n".join(parts)
    heading = f'<h2 id="{anchor(entry)}" class="fk-title">{title_link(entry)}</h2>'
    return "\n".join([heading, '<div class="fk-item">', *parts, "</div>"])
