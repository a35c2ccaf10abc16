"""Text cleaning: feed HTML in, plain text out."""

import html
import re
import unicodedata

import nh3

# A summary's room, in columns as a screen shows them: a Chinese character takes two, so a
# card holds 110 of them or 220 Latin letters, about the same space and the same words. The
# summary is two thirds of the store in git, whose history must grow by 300 MB a year at most
# (issue #13: 280 characters of any script made it 386 MB, 220 columns 292 MB).
SUMMARY_WIDTH = 220
TITLE_WIDTH = 120  # a title made from the summary, when the entry has none
WIDE = frozenset("WF")  # East Asian widths that take two columns
HTML_PER_CHAR = 8  # characters of HTML first converted for each character of text wanted
CUT_MARGIN = 40  # longer than any entity or partial tag the cut can leave
ELLIPSIS = "…"
MAX_UNESCAPE_ROUNDS = 3
WHITESPACE_RE = re.compile(r"\s+")
# Characters that belong to the character before them: never cut just before one.
JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}

# Full-width letters and digits (ＩＰＯ, Ａ轮) are folded where text is compared with rules.
FULL_WIDTH_ALNUM = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
FROM_FULL_WIDTH = str.maketrans({c + 0xFEE0: c for c in range(0x21, 0x7F)})

# No tags at all: the text survives, script and style bodies do not.
_TEXT_CLEANER = nh3.Cleaner(tags=set(), attributes={}, url_schemes=set())


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags stripped, entities decoded, whitespace collapsed."""
    # Feeds often escape HTML twice (&amp;lt;p&amp;gt;): unescaping once leaves tags in the
    # text, so clean until nothing changes.
    for _ in range(MAX_UNESCAPE_ROUNDS):
        if "<" not in fragment and "&" not in fragment:
            break
        cleaned = html.unescape(_TEXT_CLEANER.clean(fragment))
        if cleaned == fragment:
            break
        fragment = cleaned
    return WHITESPACE_RE.sub(" ", fragment).strip()


def html_to_text_start(fragment: str, chars: int = SUMMARY_WIDTH) -> str:
    """``html_to_text(fragment)`` as far as its first ``chars`` characters, converting only as
    much of the HTML as that takes: a full-text feed's entry carries a 5-30 KB body, of which
    the summary keeps at most 220 characters. What comes after them may differ or be cut
    short."""
    size = HTML_PER_CHAR * chars
    while size < len(fragment):
        text = html_to_text(fragment[:size])
        # The cut may leave half an entity or tag at the end: it is past the chars kept.
        if len(text) > chars + CUT_MARGIN:
            return text
        size *= 4  # markup-heavy HTML: convert more
    return html_to_text(fragment)


def truncate(text: str, width: int = SUMMARY_WIDTH) -> str:
    """``text`` cut to at most ``width`` columns (wide characters, Chinese among them, take
    two) plus an ellipsis, never inside a character sequence that renders as one (combining
    marks, emoji joiners)."""
    if len(text) * 2 <= width or (len(text) <= width and text.isascii()):
        return text
    cut = _columns_end(text, width)
    if cut == len(text):
        return text
    while cut > 0 and (
        unicodedata.combining(text[cut]) or text[cut] in JOINERS or text[cut - 1] in JOINERS
    ):
        cut -= 1
    return text[:cut].rstrip() + ELLIPSIS


def _columns_end(text: str, width: int) -> int:
    """The number of leading characters of ``text`` that fit in ``width`` columns."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in WIDE else 1
        if used > width:
            return index
    return len(text)


def fold_width(text: str) -> str:
    """Full-width ASCII folded to ASCII, character for character (positions are kept)."""
    return text.translate(FROM_FULL_WIDTH) if FULL_WIDTH_ALNUM.search(text) else text
