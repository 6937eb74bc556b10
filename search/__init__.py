"""Search over the content library: backends (Whoosh, PostgreSQL), the outbox and indexer,
the search page, the API and the `search` commands. Search builds on content and the
portal's kernel."""
