"""What search knows of each item, read from its canonical card on a built archive page, and
the page Pagefind indexes in its place.

Cards carry their search annotations in Pagefind's own vocabulary (render.entry_card):
``data-pagefind-filter`` (value, source, month), ``data-pagefind-sort`` (published) and
``data-pagefind-meta`` (company). Pagefind reads those per page, and an archive page holds
fifty items; read here, they hold per item.

Chinese has no spaces, so a search engine cuts it into words, and Pagefind cuts the page with
one segmenter (jieba, at build time) and the query with another (the browser's). When they cut
differently, nothing is found: the page says 深蓝储能, the index holds 深蓝 and 储能, the
browser sends 深蓝储能, or 储 and 能, and finds nothing. So the page Pagefind indexes is not cut
into words at all. Every Chinese character starts a token of the characters that follow it, up
to SPAN of them (深蓝储能宣布 gives 深蓝储能 蓝储能宣 储能宣布 能宣布 宣布 布), and Pagefind, which
matches each query word against the start of the index's words, finds any piece of up to SPAN
characters wherever it stands; search.js cuts a query into such pieces. Latin words (OpenAI,
Pre-A, GGV) are indexed as they are. Tokens are for matching only: what a member reads comes
from the item's own record, as written.
"""

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

# Han (with the extension blocks) and kana: the scripts written without spaces.
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
# Characters in one token: a piece of a query of up to SPAN characters matches as one word.
# search.js holds the same number.
SPAN = 4
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
    """The canonical cards (``data-feedkb-record``) of a built archive page at URL ``page``."""
    parser = _Cards(page)
    parser.feed(html)
    parser.close()
    return parser.cards


class _Open:
    """An element open inside a card, and what it captures when it closes."""

    __slots__ = ("captures", "heading", "ignored", "tag", "text")

    def __init__(self, tag: str, ignored: bool, heading: bool) -> None:
        self.tag, self.ignored, self.heading = tag, ignored, heading
        self.captures: list[tuple[str, str]] = []  # ("filter" | "meta" | "sort", key)
        self.text: list[str] = []


class _Cards(HTMLParser):
    """Cards, read with Pagefind's rules for its attributes: ``key:value`` inline, or ``key``
    taking the element's text; text outside data-pagefind-ignore is the searched text, the
    heading's the title."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.cards: list[Card] = []
        self._card: Card | None = None
        self._open: list[_Open] = []
        self._title: list[str] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if self._card is None:
            if RECORD in values:
                self._card = Card(values[RECORD], self.page)
                self._open = []
                self._title, self._text = [], []
            else:
                return
        if tag in VOID:
            return
        parent = self._open[-1] if self._open else None
        element = _Open(
            tag,
            IGNORE in values or bool(parent and parent.ignored),
            tag in HEADINGS or bool(parent and parent.heading),
        )
        for kind in ("filter", "meta", "sort"):
            for capture in _captures(values.get(f"data-pagefind-{kind}", "")):
                key, _, inline = capture.partition(":")
                if inline:
                    self._annotate(kind, key.strip(), inline.strip())
                else:
                    element.captures.append((kind, key.strip()))
        if tag == "time":
            element.captures.append(("day", "day"))
        self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self._card is None or tag in VOID or not self._open:
            return
        element = self._open.pop()
        text = " ".join("".join(element.text).split())
        for kind, key in element.captures:
            self._annotate(kind, key, text)
        if self._open:
            self._open[-1].text.extend(element.text)
        else:  # the card's own element closed
            card, self._card = self._card, None
            card.title = " ".join("".join(self._title).split())
            card.text = " ".join("".join(self._text).split())
            self.cards.append(card)

    def handle_data(self, data: str) -> None:
        if self._card is None or not self._open:
            return
        element = self._open[-1]
        element.text.append(data)
        if not element.ignored:
            (self._title if element.heading else self._text).append(data)

    def _annotate(self, kind: str, key: str, value: str) -> None:
        card = self._card
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
