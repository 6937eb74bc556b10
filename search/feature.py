"""Wiring: The search page and API, the search box's suggestions, the `search` commands
and the indexing jobs."""

from flask import Flask

from portal.kernel.api import register_api
from portal.kernel.job_schedule import every_sweep, schedule
from portal.kernel.jobs import install_jobs
from portal.kernel.suggestions import register_source
from search import api, cli, jobs, outbox, suggest, views
from search.indexing import init_search


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    outbox.install()
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
    cli.register_cli(app)
    init_search(app)
    install_jobs(app, jobs)
    schedule(app, "search.index", every_sweep)
    register_source(app, suggest.asset_titles)
