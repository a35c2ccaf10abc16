"""The knowledge-base site: a MkDocs plugin that renders the store into pages and feeds."""
