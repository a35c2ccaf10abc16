"""The site's pages, as Markdown documents of raw HTML, built from the knowledge base: one
module per kind of page, each a function of the SiteBuilder that holds what they share.

Pages grow with months x values, never with items: sections, archives and deal tables are
split by month and paginated; items get no pages of their own.
"""

from feedkb.site.pages.archive import build_archive
from feedkb.site.pages.base import SiteBuilder, SiteSettings, relative_url, url_of
from feedkb.site.pages.companies import build_companies
from feedkb.site.pages.deals import build_deals
from feedkb.site.pages.digests import build_digests
from feedkb.site.pages.home import build_home
from feedkb.site.pages.sources import build_sources
from feedkb.site.pages.values import build_values

__all__ = ["SiteBuilder", "SiteSettings", "build_pages", "relative_url", "url_of"]

# The archive first: every other page links to the canonical places it gives items.
BUILDERS = (
    build_archive,
    build_home,
    build_values,
    build_deals,
    build_companies,
    build_sources,
    build_digests,
)


def build_pages(site: SiteBuilder) -> dict[str, str]:
    """Every generated page: source URI -> Markdown."""
    for build in BUILDERS:
        build(site)
    return site.pages
