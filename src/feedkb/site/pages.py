"""The site's pages, as Markdown documents of raw HTML, built from the knowledge base.

Pages grow with months x values, never with items: sections, archives and deal tables are
split by month and paginated; items get no pages of their own.
"""

import posixpath
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from feedkb.digest import build_digest, week_of
from feedkb.kb import Entry, KnowledgeBase
from feedkb.site.render import anchor, entry_card, safe_url, text
from feedkb.store import SourceState
from feedkb.values import VALUE_LABELS

NO_SEARCH = "---\nsearch:\n  exclude: true\n---\n\n"
COMPANIES_PER_PAGE = 200


@dataclass
class SiteSettings:
    items_per_page: int
    highlights_per_value: int
    digest_per_value: int
    use_directory_urls: bool


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


class SiteBuilder:
    def __init__(
        self, kb: KnowledgeBase, states: dict[str, SourceState], settings: SiteSettings
    ) -> None:
        self.kb, self.states, self.settings = kb, states, settings
        self.visible = kb.visible()  # newest first, no hidden items, one per story
        self.pages: dict[str, str] = {}
        self.canonical: dict[str, str] = {}  # item id -> src_uri of its archive page
        self.tocs: dict[str, list[tuple[str, str]]] = {}  # archive page -> (anchor, title)
        self._by_month: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.visible:
            self._by_month[entry.item.month].append(entry)

    # --- helpers -------------------------------------------------------------------------

    def link(self, from_uri: str, to_uri: str, fragment: str = "") -> str:
        use_dirs = self.settings.use_directory_urls
        href = relative_url(url_of(to_uri, use_dirs), url_of(from_uri, use_dirs))
        return escape(href + (f"#{fragment}" if fragment else ""), quote=True)

    def permalink(self, from_uri: str, entry: Entry) -> str:
        return self.link(from_uri, self.canonical[entry.id], anchor(entry))

    def cards(self, uri: str, entries: Iterable[Entry]) -> str:
        return "\n\n".join(
            entry_card(
                e,
                self.kb.rules,
                self.kb.source_title,
                self.permalink(uri, e),
                False,
                self.kb.entries,
            )
            for e in entries
        )

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

    # --- pages ---------------------------------------------------------------------------

    def build(self) -> dict[str, str]:
        self.build_archive()  # first: every other page links to the canonical places
        self.build_home()
        for slug in VALUE_LABELS:
            self.build_value(slug)
        self.build_deals()
        self.build_companies()
        self.build_sources()
        self.build_digests()
        return self.pages

    def build_archive(self) -> None:
        """The canonical place of every item: its month, oldest first, so pages stay put."""
        months = sorted(self._by_month, reverse=True)
        index = ["# 归档", "", '<ul class="fk-months">']
        for month in months:
            chronological = sorted(self._by_month[month], key=lambda e: (e.item.published, e.id))
            chunks = paged(chronological, self.settings.items_per_page)
            uris = [f"archive/{page_name(month, n)}" for n in range(1, len(chunks) + 1)]
            for entries, uri in zip(chunks, uris, strict=True):
                for entry in entries:
                    self.canonical[entry.id] = uri
            for number, (entries, uri) in enumerate(zip(chunks, uris, strict=True), 1):
                self.tocs[uri] = [(anchor(e), text(e.title)) for e in entries]
                cards = "\n\n".join(
                    entry_card(e, self.kb.rules, self.kb.source_title, "", True, self.kb.entries)
                    for e in entries
                )
                self.pages[uri] = (
                    f"# {month} 归档（第 {number} 页）\n\n"
                    f"{self.pager(uris, number)}\n\n{cards}\n\n"
                    f"{self.pager(uris, number)}\n"
                )
            index.append(
                f'<li><a href="{self.link("archive/index.md", uris[0])}">{month}</a>'
                f"（{len(chronological)} 条）</li>"
            )
        self.pages["archive/index.md"] = NO_SEARCH + "\n".join([*index, "</ul>", ""])

    def build_home(self) -> None:
        uri = "index.md"
        counts = {slug: sum(slug in e.values for e in self.visible) for slug in VALUE_LABELS}
        updated = max(
            (s.last_success for s in self.states.values() if s.last_success), default=None
        )
        shown_time = updated.replace("T", " ").replace("Z", " UTC") if updated else "尚未抓取"
        lines = [
            "# 行业知识库",
            "",
            f'<p class="fk-updated">共 {len(self.visible)} 条 · 最近更新：{shown_time}</p>',
            "",
            '<ul class="fk-counts">',
        ]
        lines += [
            f'<li><a href="{self.link(uri, f"values/{slug}/index.md")}">'
            f"{label}</a> {counts[slug]} 条</li>"
            for slug, label in VALUE_LABELS.items()
        ]
        lines += ["</ul>", ""]
        for slug, label in VALUE_LABELS.items():
            chosen = [e for e in self.visible if slug in e.values]
            chosen.sort(key=lambda e: not e.pinned)  # stable: pinned first, then newest
            lines += [
                f'<h2 id="{slug}">{label}</h2>',
                "",
                self.cards(uri, chosen[: self.settings.highlights_per_value]),
                "",
                f'<p><a href="{self.link(uri, f"values/{slug}/index.md")}">更多{label} →</a></p>',
                "",
            ]
        self.pages[uri] = NO_SEARCH + "\n".join(lines)

    def build_value(self, slug: str) -> None:
        label = VALUE_LABELS[slug]
        description = self.kb.rules.tags[slug].description if slug in self.kb.rules.tags else ""
        chosen = [e for e in self.visible if slug in e.values]
        by_month: dict[str, list[Entry]] = defaultdict(list)
        for entry in chosen:
            by_month[entry.item.month].append(entry)
        month_links = []
        for month in sorted(by_month, reverse=True):
            chunks = paged(by_month[month], self.settings.items_per_page)
            uris = [f"values/{slug}/{page_name(month, n)}" for n in range(1, len(chunks) + 1)]
            for number, (entries, uri) in enumerate(zip(chunks, uris, strict=True), 1):
                self.pages[uri] = (
                    NO_SEARCH + f"# {label} · {month}（第 {number} 页）\n\n"
                    f"{self.pager(uris, number)}\n\n{self.cards(uri, entries)}"
                    f"\n\n{self.pager(uris, number)}\n"
                )
            month_links.append((month, uris[0], len(by_month[month])))
        uri = f"values/{slug}/index.md"
        newest = chosen[: self.settings.items_per_page]
        months = "".join(
            f'<li><a href="{self.link(uri, m_uri)}">{month}</a>（{count} 条）</li>'
            for month, m_uri, count in month_links
        )
        feed = self.link(uri, f"feeds/{slug}.xml").removesuffix("/")
        self.pages[uri] = (
            NO_SEARCH + f"# {label}\n\n<p>{text(description)}</p>\n\n"
            f'<p><a href="{feed}">订阅{label}（Atom）</a></p>\n\n'
            f"<h2>最新</h2>\n\n{self.cards(uri, newest)}\n\n"
            f'<h2>按月归档</h2>\n\n<ul class="fk-months">{months}</ul>\n'
        )

    def build_deals(self) -> None:
        deals = [e for e in self.visible if e.deal]
        by_month: dict[str, list[Entry]] = defaultdict(list)
        for entry in deals:
            by_month[entry.item.month].append(entry)
        months = sorted(by_month, reverse=True)
        index = [
            "# 融资与并购",
            "",
            "<p>按月份分组，最新在前。公司名链接到原文，# 链接到本站条目。</p>",
            "",
        ]
        for n, month in enumerate(months):
            uri = f"deals/{month}.md"
            table = self.deal_table(uri, by_month[month])
            self.pages[uri] = NO_SEARCH + f"# 融资与并购 · {month}\n\n{table}\n"
            if n < 2:  # the index shows the two latest months in full
                index += [
                    f'<h2 id="m-{month}">{month}</h2>',
                    "",
                    self.deal_table("deals/index.md", by_month[month]),
                    "",
                ]
        index += ["<h2>全部月份</h2>", "", '<ul class="fk-months">']
        index += [
            f'<li><a href="{self.link("deals/index.md", f"deals/{m}.md")}">{m}</a>'
            f"（{len(by_month[m])} 起）</li>"
            for m in months
        ]
        self.pages["deals/index.md"] = NO_SEARCH + "\n".join([*index, "</ul>", ""])

    def deal_table(self, uri: str, entries: list[Entry]) -> str:
        rows = []
        for e in entries:
            deal = e.deal
            amount = deal.amount.text if deal and deal.amount else "未披露"
            investors = "、".join(
                (deal.investors.get("lead", []) if deal else [])
                + (deal.investors.get("others", []) if deal else [])
            )
            company = deal.company if deal and deal.company else e.title[:20]
            url = safe_url(e.item.url)
            company_cell = (
                f'<a href="{url}" rel="noopener nofollow">{text(company)}</a>'
                if url
                else text(company)
            )
            rows.append(
                f"<tr><td>{e.item.published[:10]}</td><td>{company_cell}</td>"
                f"<td>{text(deal.round or '—') if deal else '—'}</td><td>{text(amount)}</td>"
                f"<td>{text(investors) or '—'}</td>"
                f"<td>{text(self.kb.source_title(e))} "
                f'<a href="{self.permalink(uri, e)}" title="{text(e.title)}">#</a></td></tr>'
            )
        return (
            '<table class="fk-deals"><thead><tr><th scope="col">日期</th>'
            '<th scope="col">公司</th><th scope="col">轮次</th><th scope="col">金额</th>'
            '<th scope="col">投资方</th><th scope="col">来源</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def build_companies(self) -> None:
        directory = self.kb.companies()
        chunks = paged(directory, COMPANIES_PER_PAGE)
        uris = [
            f"companies/{'index.md' if n == 1 else f'p{n}.md'}" for n in range(1, len(chunks) + 1)
        ]
        for number, (companies, uri) in enumerate(zip(chunks, uris, strict=True), 1):
            blocks = []
            for company in companies:
                links = "".join(
                    f'<li><a href="{self.permalink(uri, self.kb.entries[i])}">'
                    f"{text(self.kb.entries[i].title)}</a> "
                    f"<small>{self.kb.entries[i].item.published[:10]}</small></li>"
                    for i in company.item_ids
                    if i in self.canonical
                )
                blocks.append(
                    f'<section class="fk-company" id="c-{text(company.key)}">'
                    f"<h2>{text(company.name)}</h2><ul>{links}</ul></section>"
                )
            self.pages[uri] = (
                NO_SEARCH + f"# 企业名录（第 {number} 页）\n\n"
                f"<p>获客与FA条目中出现的企业，共 {len(directory)} 家。</p>\n\n"
                f"{self.pager(uris, number)}\n\n" + "\n\n".join(blocks) + "\n"
            )

    def build_sources(self) -> None:
        rows = []
        for source in self.kb.sources.values():
            state = self.states.get(source.id, SourceState())
            uri = f"sources/{source.id}.md"
            health = "失败" if state.failing else "正常" if state.last_success else "未抓取"
            error = state.last_error or ""
            if state.moved_to:
                error = f"已永久迁移至 {state.moved_to}；{error}".rstrip("；")
            rows.append(
                f'<tr><td><a href="{self.link("sources/index.md", uri)}">{text(source.title)}'
                f"</a></td><td>{health}</td><td>{text(state.last_success or '—')}</td>"
                f"<td>{state.consecutive_failures}</td><td>{text(error) or '—'}</td>"
                f"<td>{state.item_count}</td></tr>"
            )
            entries = [e for e in self.visible if e.item.source == source.id]
            homepage = safe_url(source.homepage or "")
            self.pages[uri] = (
                NO_SEARCH
                + f"# {text(source.title)}\n\n"
                + (
                    f'<p><a href="{homepage}" rel="noopener nofollow">{homepage}</a></p>\n\n'
                    if homepage
                    else ""
                )
                + f"<p>状态：{health} · 最近成功：{text(state.last_success or '—')} · "
                f"连续失败：{state.consecutive_failures} · 条目：{len(entries)}</p>\n\n"
                + (f'<p class="fk-error">最近错误：{text(error)}</p>\n\n' if error else "")
                + "<h2>最新条目</h2>\n\n"
                + self.cards(uri, entries[: self.settings.items_per_page])
                + "\n"
            )
        self.pages["sources/index.md"] = (
            NO_SEARCH
            + "# 来源\n\n<p>每个来源的抓取健康状况。连续失败 3 次或返回 410 即标为失败。</p>\n\n"
            '<table class="fk-sources"><thead><tr><th scope="col">来源</th>'
            '<th scope="col">状态</th><th scope="col">最近成功</th><th scope="col">连续失败</th>'
            '<th scope="col">最近错误</th><th scope="col">条目</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>\n"
        )

    def build_digests(self) -> None:
        weeks = sorted({week_of(e.item.published) for e in self.visible}, reverse=True)
        index = ["# 周报", "", "<p>每周各类价值的精选条目。</p>", "", '<ul class="fk-months">']
        for week in weeks:
            uri = f"digests/{week}.md"
            digest = build_digest(self.kb, week, self.settings.digest_per_value, self.visible)
            sections = [
                f'<h2 id="{slug}">{VALUE_LABELS[slug]}</h2>\n\n{self.cards(uri, entries)}'
                for slug, entries in digest.sections.items()
                if entries
            ]
            self.pages[uri] = (
                NO_SEARCH + f"# 周报 {week}\n\n<p>{digest.start} 至 {digest.end}"
                "</p>\n\n" + "\n\n".join(sections) + "\n"
            )
            index.append(
                f'<li><a href="{self.link("digests/index.md", uri)}">{week}</a>'
                f"（{digest.start} 至 {digest.end}）</li>"
            )
        self.pages["digests/index.md"] = NO_SEARCH + "\n".join([*index, "</ul>", ""])
