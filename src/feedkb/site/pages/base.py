"""What every page builder shares: the knowledge base, the pages built so far, links."""

import hashlib
import json
import posixpath
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from html import escape

from feedkb.kb import Company, Entry, KnowledgeBase
from feedkb.site.localtime import LocalTime
from feedkb.site.render import anchor, entry_card, text
from feedkb.store import SourceState

NO_SEARCH = "---\nsearch:\n  exclude: true\n---\n\n"
# What a section with nothing in it says, rather than nothing at all.
EMPTY = '<p class="fk-empty">暂无条目</p>'
# A page whose table wants the window's width: no navigation or contents sidebars beside it.
WIDE = ("navigation", "toc")


def front_matter(description: str, hide: tuple[str, ...] = ()) -> str:
    """NO_SEARCH with the page's description, which the theme puts in its description and
    share (og:) tags, and the theme's sidebars to ``hide``. The theme writes the description
    into an attribute as it is, so it is escaped here; JSON is a YAML string."""
    lines = ["---", "search:", "  exclude: true"]
    if description:  # else the theme gives the site's
        described = json.dumps(text(" ".join(description.split())), ensure_ascii=False)
        lines.append(f"description: {described}")
    if hide:
        lines.append(f"hide: [{', '.join(hide)}]")
    return "\n".join([*lines, "---", "", ""])


COMPANY_PAGE_MIN_ITEMS = 2  # a company named once has its item, not a page


@dataclass
class SiteSettings:
    items_per_page: int
    highlights_per_value: int
    digest_per_value: int
    use_directory_urls: bool
    time: LocalTime = field(default_factory=LocalTime)


def url_of(src_uri: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives the page built from ``src_uri``."""
    stem = src_uri.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return f"{stem}/" if use_directory_urls else f"{stem}.html"


def relative_url(url: str, page_url: str) -> str:
    """``url`` as a link from the page at ``page_url``, both as url_of gives them: what the
    engine's get_relative_url gives, here so that pages need no engine to be generated."""
    folder = page_url if page_url.endswith("/") else page_url.rpartition("/")[0]
    link = posixpath.relpath(url or ".", folder or ".")
    return link + "/" if url.endswith("/") else link


def paged(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def page_name(base: str, number: int) -> str:
    return f"{base}.md" if number == 1 else f"{base}-p{number}.md"


def company_uri(key: str) -> str:
    """companies/<slug>.md, the slug a hash of the company's key: the same on every build for
    as long as the key is, ASCII for a Chinese name, and of one length for every company."""
    return f"companies/{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}.md"


class SiteBuilder:
    def __init__(
        self, kb: KnowledgeBase, states: dict[str, SourceState], settings: SiteSettings
    ) -> None:
        self.kb, self.states, self.settings = kb, states, settings
        self.time = settings.time
        self.visible = kb.visible()  # newest first, no hidden items, one per story
        self.pages: dict[str, str] = {}
        self.canonical: dict[str, str] = {}  # item id -> src_uri of its archive page
        self.tocs: dict[str, list[tuple[str, str]]] = {}  # archive page -> (anchor, title)
        self.by_month = self.months_of(self.visible)

    def months_of(self, entries: list[Entry]) -> dict[str, list[Entry]]:
        """Entries by the month they were published in, in the site's time zone."""
        by_month: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries:
            by_month[self.time.month(entry.item.published)].append(entry)
        return by_month

    @cached_property
    def companies(self) -> list[Company]:
        """The company directory, worked out once for every page that lists or links one."""
        return self.kb.companies()

    @cached_property
    def company_pages(self) -> dict[str, str]:
        """Company key -> source URI of its page, for the companies that have one."""
        return {
            c.key: company_uri(c.key)
            for c in self.companies
            if len(c.item_ids) >= COMPANY_PAGE_MIN_ITEMS
        }

    # --- helpers -------------------------------------------------------------------------

    def link(self, from_uri: str, to_uri: str, fragment: str = "") -> str:
        use_dirs = self.settings.use_directory_urls
        href = relative_url(url_of(to_uri, use_dirs), url_of(from_uri, use_dirs))
        return escape(href + (f"#{fragment}" if fragment else ""), quote=True)

    def permalink(self, from_uri: str, entry: Entry) -> str:
        return self.link(from_uri, self.canonical[entry.id], anchor(entry))

    def cards(self, uri: str, entries: Iterable[Entry]) -> str:
        html = "\n\n".join(
            entry_card(
                e,
                self.kb.rules,
                self.kb.source_title,
                self.permalink(uri, e),
                False,
                self.kb.entries,
                self.time,
            )
            for e in entries
        )
        return html or EMPTY

    def pager(self, uri_of_page: list[str], current: int) -> str:
        if len(uri_of_page) < 2:
            return ""
        links = [
            f"<strong>{n}</strong>"
            if n == current
            else f'<a href="{self.link(uri_of_page[current - 1], uri)}">{n}</a>'
            for n, uri in enumerate(uri_of_page, 1)
        ]
        return f'<nav class="fk-pager" aria-label="分页">第 {" ".join(links)} 页</nav>'
