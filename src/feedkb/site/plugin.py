"""The ``feedkb`` MkDocs plugin: reads the curation folder at build time and adds the
knowledge base's pages, feeds and stylesheet as virtual files. Nothing goes into docs/."""

import os
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

from feedkb.kb import KnowledgeBase, load_kb
from feedkb.site.config import FeedkbPluginConfig
from feedkb.site.feeds import atom_feed, permalink_url
from feedkb.site.localtime import LocalTime
from feedkb.site.pages import SiteBuilder, SiteSettings, build_pages, url_of
from feedkb.site.pages.deals import DEALS_CSV, TABLES_SCRIPT, deals_csv
from feedkb.site.search_index import SearchIndexError, build_search_index
from feedkb.store import Store
from feedkb.values import VALUE_LABELS

log = get_plugin_logger(__name__)
STYLESHEET = "assets/feedkb.css"
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
EMPTY_SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n'
)
HERE = Path(__file__).parent
CSS = (HERE / "feedkb.css").read_text(encoding="utf-8")
SEARCH_SCRIPT = "assets/feedkb-search.js"
SEARCH_JS = (HERE / "search.js").read_text(encoding="utf-8")
PAGEFIND_BODY = '<article class="md-content__inner md-typeset">'
TABLES_JS = (HERE / "tables.js").read_text(encoding="utf-8")  # loaded by the pages using it
ARCHIVE_INDEX = "archive/index.md"


class FeedkbPlugin(BasePlugin[FeedkbPluginConfig]):
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        try:
            self.time = LocalTime(self.config.timezone)
        except ValueError as exc:
            raise PluginError(f"feedkb plugin, timezone: {exc}") from None
        base = Path(config.config_file_path or ".").parent
        self.curation = (base / os.environ.get("FEEDKB_CURATION", self.config.curation)).resolve()
        self.site_url = config.site_url or "http://127.0.0.1:8000/"
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        # Share (og:) tags on every page, a footer and a 404 page in the site's language;
        # after the site's own custom_dir, which may override them in turn.
        config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(HERE / "overrides"))
        if self.pagefind:
            # Our partials/search.html replaces the theme's: the same box, answered by Pagefind.
            config.theme.dirs.insert(0, str(HERE / "templates"))
            if SEARCH_SCRIPT not in config.extra_javascript:
                config.extra_javascript.append(SEARCH_SCRIPT)
        return config

    @property
    def pagefind(self) -> bool:
        return self.config.search_engine == "pagefind"

    def on_serve(self, server, /, *, config: MkDocsConfig, builder):
        server.watch(str(self.curation))  # a fetch or an override edit rebuilds the site
        return server

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        kb = load_kb(self.curation, notify=log.info)
        store = Store(self.curation)
        states = {source_id: store.load_state(source_id) for source_id in kb.sources}
        settings = SiteSettings(
            self.config.items_per_page,
            self.config.highlights_per_value,
            self.config.digest_per_value,
            config.use_directory_urls,
            self.time,
        )
        builder = SiteBuilder(kb, states, settings)
        pages = build_pages(builder)
        self.bodies, self.tocs = {}, builder.tocs
        for src_uri, content in pages.items():
            if files.get_file_from_path(src_uri) is None:  # a hand-written page wins
                head, self.bodies[src_uri] = split_page(content)
                files.append(File.generated(config, src_uri, content=head))
        for src_uri, content in self._feeds(kb, builder, config).items():
            files.append(File.generated(config, src_uri, content=content))
        files.append(File.generated(config, STYLESHEET, content=CSS))
        files.append(File.generated(config, TABLES_SCRIPT, content=TABLES_JS))
        files.append(File.generated(config, DEALS_CSV, content=deals_csv(builder, self.site_url)))
        if self.pagefind:
            files.append(File.generated(config, SEARCH_SCRIPT, content=SEARCH_JS))
        # Material reads every <link rel="alternate"> as another language of the site and
        # fetches sitemap.xml beside it: an empty one saves a 404 on every page.
        files.append(File.generated(config, "feeds/sitemap.xml", content=EMPTY_SITEMAP))
        log.info(f"{len(kb.entries)} items from {self.curation}, {len(pages)} pages generated")
        return files

    def _feeds(
        self, kb: KnowledgeBase, builder: SiteBuilder, config: MkDocsConfig
    ) -> dict[str, str]:
        site = self.site_url if self.site_url.endswith("/") else self.site_url + "/"
        permalinks = {
            item_id: permalink_url(
                site, url_of(uri, config.use_directory_urls), kb.entries[item_id]
            )
            for item_id, uri in builder.canonical.items()
        }
        size = self.config.feed_size
        feeds = {
            "feeds/all.xml": atom_feed(
                "行业知识库 · 全部",
                f"{site}feeds/all.xml",
                site,
                builder.visible[:size],
                permalinks,
            )
        }
        for slug, label in VALUE_LABELS.items():
            chosen = [e for e in builder.visible if slug in e.values][:size]
            feeds[f"feeds/{slug}.xml"] = atom_feed(
                f"行业知识库 · {label}", f"{site}feeds/{slug}.xml", site, chosen, permalinks
            )
        return feeds

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """A generated page's body is HTML already: it joins the page here, after Markdown
        (parsing thousands of entries' raw HTML again was most of the build's time)."""
        body = self.bodies.get(page.file.src_uri)
        if body is None:
            return html
        entries = self.tocs.get(page.file.src_uri)
        if entries:  # one table-of-contents entry, and one search section, per item
            items = get_toc(
                [
                    {"level": 2, "id": ident, "name": title, "children": []}
                    for ident, title in entries
                ]
            )
            if len(page.toc) == 1:  # under the page's h1, where the theme looks
                page.toc.items[0].children.extend(items)
            else:
                page.toc = items
        return html + body

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if self.pagefind:
            page.meta["search"] = {"exclude": True}  # the theme's index stays empty
        return markdown

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.pagefind:
            try:
                count = build_search_index(Path(config.site_dir))
            except SearchIndexError as exc:  # fails the build, --strict or not
                raise PluginError(f"the search index is not whole: {exc}") from None
            log.info(f"Pagefind indexed {count} archive pages")

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        """Every page names the feeds, so a reader finds them from any page."""
        links = [("行业知识库 · 全部", "feeds/all.xml")]
        links += [
            (f"行业知识库 · {label}", f"feeds/{slug}.xml") for slug, label in VALUE_LABELS.items()
        ]
        tags = "".join(
            f'<link rel="alternate" type="application/atom+xml" title="{title}" '
            f'href="{get_relative_url(href, page.url)}">'
            for title, href in links
        )
        output = output.replace("</head>", tags + "</head>", 1)
        if self.pagefind and is_canonical(page.file.src_uri):
            # Only the archive is indexed: each item has one place, and one search result.
            output = output.replace(PAGEFIND_BODY, PAGEFIND_BODY[:-1] + " data-pagefind-body>", 1)
        # The theme's search dialog has no accessible name; screen readers announce this one.
        return output.replace(SEARCH_DIALOG, f'{SEARCH_DIALOG[:-1]} aria-label="搜索">', 1)


def is_canonical(src_uri: str) -> bool:
    return src_uri.startswith("archive/") and src_uri != ARCHIVE_INDEX


def split_page(content: str) -> tuple[str, str]:
    """A generated page as (Markdown: front matter and the "# title" line, HTML body)."""
    title_at = content.index("# ")
    end = content.find("\n", title_at)
    end = len(content) if end < 0 else end
    return content[: end + 1], content[end + 1 :]
