"""HTML for one entry, a badge, a table row: every feed-supplied string is escaped here.

Pages are Markdown documents made of raw HTML blocks, so Python-Markdown leaves their insides
alone: nothing a feed writes can become Markdown, a template or a tag.
"""

from collections.abc import Callable

from feedkb.kb import Entry
from feedkb.rules import Rules
from feedkb.site.localtime import LocalTime
from feedkb.urls import canonical_url
from feedkb.values import VALUE_LABELS

WHERE = {"title": "标题", "summary": "摘要", "source": "来源提示"}


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
    return (
        f'<span class="fk-badge fk-{slug}" title="{text(tip)}" tabindex="0">'
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
