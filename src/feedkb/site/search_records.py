"""What search knows of each item, read from its canonical card on a built archive page, and
the page Pagefind indexes in its place.

Cards carry their search annotations in Pagefind's own vocabulary (render.entry_card):
``data-pagefind-filter`` (value, source, month), ``data-pagefind-sort`` (published) and
``data-pagefind-meta`` (company; the AI takeaway, shown with a result). Pagefind reads those
per page, and an archive page holds fifty items; read here, they hold per item.

Chinese has no spaces, so a search engine cuts it into words, and Pagefind cuts the page with
one segmenter (jieba, at build time) and the query with another (the browser's). When they cut
differently, nothing is found: the page says 深蓝储能, the index holds 深蓝 and 储能, the
browser sends 深蓝储能, or 储 and 能, and finds nothing (储能 found one item, and not one
holding 储能; 南方电网 and 深蓝储能 found none). So the page Pagefind indexes is not cut into
words at all. Every Chinese character starts a token of itself and the SPAN - 1 characters
after it (深蓝储能 gives 深蓝 蓝储 储能 能), each one word to Pagefind: Pagefind matches a query
word against the start of the index's words, so a piece of up to SPAN characters is found
wherever it stands, and one character finds every token it starts. search.js cuts a query
into such pieces and, as a Chinese character is one word position, keeps the items where a
query's pieces stand one after the other: a phrase search. (Bigrams, as Lucene indexes CJK:
longer tokens found a four-character name in one piece, but cost a third more memory and time
to index, and their vocabulary grows without end on real text.) Latin words (OpenAI, Pre-A,
GGV) are indexed as they are. Tokens are for matching only: what a member reads comes from
the item's own record, as written.
"""

import re
from dataclasses import dataclass, field
from html import escape, unescape

# Han (with the extension blocks) and kana: the scripts written without spaces.
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
# Characters in one token. search.js holds the same number.
SPAN = 2
RECORD = "data-feedkb-record"
IGNORE = "data-pagefind-ignore"
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}
)
PAGE = (
    '<!DOCTYPE html><html lang="und"><head><meta charset="utf-8"><title></title></head>'
    "<body><main data-pagefind-body>\n{cards}\n</main></body></html>"
)
# One item on the indexed page: the heading starts it, the text (unweighted) follows the title
# and companies (weighted by search.js); the anchors tell search.js where each part begins.
CARD = '<section><h2 id="{start}">{title}</h2><p>{companies}</p><p id="{text}">{body}</p></section>'


@dataclass
class Card:
    """One item as search sees it: where it is, what it is filed under, what a member reads."""

    id: str
    page: str  # its archive page's URL, relative to the site's root: archive/2026-11/
    title: str = ""
    text: str = ""  # summary and note
    day: str = ""  # as shown, in the site's time zone
    published: int = 0  # seconds since 1970
    filters: dict[str, list[str]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def href(self) -> str:
        return f"{self.page}#item-{self.id}"


def tokens(text: str) -> str:
    """``text`` with every run of Chinese characters replaced by its tokens, spaced."""
    return CJK_RUN.sub(_run_tokens, text)


def _run_tokens(run: re.Match) -> str:
    chars = run[0]
    return " " + " ".join(chars[i : i + SPAN] for i in range(len(chars))) + " "


def start_anchor(card: Card) -> str:
    return f"s-{card.id}"


def text_anchor(card: Card) -> str:
    return f"t-{card.id}"


def search_page(cards: list[Card]) -> str:
    """The page Pagefind indexes for an archive page: its items' words as tokens, each item's
    start and text marked by an anchor."""
    return PAGE.format(
        cards="\n".join(
            CARD.format(
                start=start_anchor(c),
                text=text_anchor(c),
                title=escape(tokens(c.title), quote=False),
                companies=escape(tokens(c.meta.get("company", "")), quote=False),
                body=escape(tokens(c.text), quote=False),
            )
            for c in cards
        )
    )


def read_cards(html: str, page: str) -> list[Card]:
    """The canonical cards (``data-feedkb-record``) of a built archive page at URL ``page``,
    read with Pagefind's rules for its attributes: ``key:value`` inline, or ``key`` taking the
    element's text; text outside data-pagefind-ignore is the searched text, the heading's the
    title. (A scan of tags and text, not html.parser: ten times faster, and the cards are
    render.py's own markup.)"""
    cards = []
    for match in CARD_START.finditer(html):
        end = html.find(f"</{match['tag']}>", match.end())
        cards.append(_read_card(html[match.start() : end + len(match["tag"]) + 3], page))
    return cards


CARD_START = re.compile(rf"<(?P<tag>[a-z][a-z0-9]*)\b[^>]*\s{RECORD}=")
TAG_OR_TEXT = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>|<!--.*?-->|([^<]+)", re.S)
ATTRIBUTE = re.compile(r'([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s>]+)))?')


def _read_card(html: str, page: str) -> Card:
    card: Card | None = None
    stack: list[_Open] = []
    title: list[str] = []
    text: list[str] = []
    for m in TAG_OR_TEXT.finditer(html):
        closing, tag, attrs, data = m.groups()
        if data is not None:
            if stack:
                data = unescape(data) if "&" in data else data
                element = stack[-1]
                element.text.append(data)
                if not element.ignored:
                    (title if element.heading else text).append(data)
            continue
        if tag is None:  # a comment
            continue
        tag = tag.lower()
        if closing:
            if tag in VOID or not stack:
                continue
            element = stack.pop()
            value = " ".join("".join(element.text).split())
            for kind, key in element.captures:
                _annotate(card, kind, key, value)
            if stack:
                stack[-1].text.extend(element.text)
            continue
        values = _attributes(attrs) if "data-" in attrs else {}
        if card is None:
            card = Card(values.get(RECORD, ""), page)
        if tag in VOID or attrs.rstrip().endswith("/"):
            continue
        parent = stack[-1] if stack else None
        element = _Open(
            IGNORE in values or bool(parent and parent.ignored),
            tag in HEADINGS or bool(parent and parent.heading),
        )
        for kind in ("filter", "meta", "sort") if values else ():
            for capture in _captures(values.get(f"data-pagefind-{kind}", "")):
                key, _, inline = capture.partition(":")
                if inline:
                    _annotate(card, kind, key.strip(), inline.strip())
                else:
                    element.captures.append((kind, key.strip()))
        if tag == "time":
            element.captures.append(("day", "day"))
        stack.append(element)
    assert card is not None
    card.title = " ".join("".join(title).split())
    card.text = " ".join("".join(text).split())
    return card


def _attributes(attrs: str) -> dict[str, str]:
    found = {}
    for m in ATTRIBUTE.finditer(attrs):
        value = m[2] if m[2] is not None else m[3] if m[3] is not None else m[4] or ""
        found[m[1]] = unescape(value) if "&" in value else value
    return found


class _Open:
    """An element open inside a card, and what it captures when it closes."""

    __slots__ = ("captures", "heading", "ignored", "text")

    def __init__(self, ignored: bool, heading: bool) -> None:
        self.ignored, self.heading = ignored, heading
        self.captures: list[tuple[str, str]] = []  # ("filter" | "meta" | "sort" | "day", key)
        self.text: list[str] = []


def _annotate(card: Card | None, kind: str, key: str, value: str) -> None:
    assert card is not None
    if kind == "filter":
        card.filters.setdefault(key, []).append(value)
    elif kind == "meta":
        card.meta[key] = value
    elif kind == "day":
        card.day = card.day or value
    elif kind == "sort" and key == "published":
        card.published = int(value) if value.lstrip("-").isdigit() else 0


def _captures(attribute: str) -> list[str]:
    """A data-pagefind-* attribute's captures: comma-separated, an inline ``key:value`` last
    (its value runs to the end)."""
    found = []
    rest = attribute.strip()
    while rest:
        head, comma, tail = rest.partition(",")
        if ":" in head:
            found.append(rest)
            break
        found.append(head)
        rest = tail if comma else ""
    return [f.strip() for f in found if f.strip()]
