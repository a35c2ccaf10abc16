"""Text cleaning: feed HTML in, plain text out."""

import html
import re
import unicodedata

import nh3

SUMMARY_LENGTH = 280
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


def html_to_text_start(fragment: str, chars: int = SUMMARY_LENGTH) -> str:
    """``html_to_text(fragment)`` as far as its first ``chars`` characters, converting only as
    much of the HTML as that takes: a full-text feed's entry carries a 5-30 KB body, of which
    the summary keeps 280 characters. What comes after them may differ or be cut short."""
    size = HTML_PER_CHAR * chars
    while size < len(fragment):
        text = html_to_text(fragment[:size])
        # The cut may leave half an entity or tag at the end: it is past the chars kept.
        if len(text) > chars + CUT_MARGIN:
            return text
        size *= 4  # markup-heavy HTML: convert more
    return html_to_text(fragment)


def truncate(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """``text`` cut to at most ``limit`` characters plus an ellipsis, never inside a character
    sequence that renders as one (combining marks, emoji joiners)."""
    if len(text) <= limit:
        return text
    cut = limit
    while cut > 0 and (
        unicodedata.combining(text[cut]) or text[cut] in JOINERS or text[cut - 1] in JOINERS
    ):
        cut -= 1
    return text[:cut].rstrip() + ELLIPSIS


def fold_width(text: str) -> str:
    """Full-width ASCII folded to ASCII, character for character (positions are kept)."""
    return text.translate(FROM_FULL_WIDTH) if FULL_WIDTH_ALNUM.search(text) else text
