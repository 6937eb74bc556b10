"""Wiring: The search page and API, the search box's suggestions, the `search` commands,
the indexing jobs and the outbox's backlog as a metric."""

from flask import Flask
from sqlalchemy import func, select

from portal.kernel.api import register_api
from portal.kernel.extensions import db
from portal.kernel.job_schedule import every_sweep, schedule
from portal.kernel.jobs import install_jobs
from portal.kernel.metrics import register_gauge
from portal.kernel.suggestions import register_source
from search import api, cli, jobs, outbox, suggest, views
from search.indexing import init_search
from search.models import SearchOutbox


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
    register_gauge(
        app,
        "tandem_search_outbox_backlog",
        "Changes to assets waiting in the search outbox for the indexer.",
        _outbox_backlog,
    )


def _outbox_backlog() -> float:
    """Rows in the search outbox: it grows when the indexer falls behind or stops."""
    return float(db.session.scalar(select(func.count(SearchOutbox.id))) or 0)
