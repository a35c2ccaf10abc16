"""feedkb: turn industry news feeds into a curated, value-tagged knowledge base."""

__version__ = "0.1.0"
USER_AGENT = f"feedkb/{__version__} (+https://github.com/feedkb/feedkb)"
