"""The ``feedkb`` MkDocs plugin's configuration schema."""

from mkdocs.config import base
from mkdocs.config import config_options as c

from feedkb.site.localtime import DEFAULT_TIMEZONE


class FeedkbPluginConfig(base.Config):
    # The curation folder, relative to mkdocs.yml; FEEDKB_CURATION overrides it.
    curation = c.Type(str, default="curation")
    # Entries on one page of a value section, an archive or a source.
    items_per_page = c.Type(int, default=50)
    # Newest items per value on the home page.
    highlights_per_value = c.Type(int, default=5)
    # Entries in each Atom feed.
    feed_size = c.Type(int, default=50)
    # Best items per value in a weekly digest.
    digest_per_value = c.Type(int, default=8)
    # What answers the search box: Pagefind (loads only the index chunks a query needs) or
    # the theme's own search (ships the whole index; fine for a few thousand items).
    search_engine = c.Choice(("pagefind", "material"), default="pagefind")
    # The IANA time zone every date and time on the site is shown in.
    timezone = c.Type(str, default=DEFAULT_TIMEZONE)
