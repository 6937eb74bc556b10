"""Wiring: The search page and API, the search box's suggestions, the `search` commands
and the indexer."""

from flask import Flask

from portal.kernel.api import register_api
from portal.kernel.suggestions import register_source
from search import api, cli, outbox, suggest, views
from search.indexing import init_search


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    outbox.install()
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
    cli.register_cli(app)
    init_search(app)
    register_source(app, suggest.asset_titles)
