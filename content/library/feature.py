"""Wiring: The library's pages and API, who may do what with assets, and the markdown filter."""

from flask import Flask

from content.files import jobs as file_jobs
from content.files import previews
from content.files.cli import register_cli as register_preview_cli
from content.files.storage import install_file_store
from content.library import api, browsing, markdown, rules, views
from content.library.models import (
    Asset,
    Stage,
    asset_industries,
    asset_personas,
    asset_stages,
    asset_tags,
)
from portal.kernel import shared_figures
from portal.kernel.api import register_api
from portal.kernel.job_schedule import every_hour, every_sweep, schedule
from portal.kernel.jobs import install_jobs
from portal.kernel.wiring import install


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules, markdown, previews)
    install_file_store(app)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
    # Uploads' text is read and their pages rendered in the background; the sweep finds
    # files a lost job left.
    install_jobs(app, file_jobs)
    schedule(app, "files.extract", every_sweep)
    schedule(app, "files.preview", every_sweep)
    # Files kept for refused forms live a day: an hourly look is soon enough.
    schedule(app, "files.prune_pending", every_hour)
    register_preview_cli(app)
    # What the board's stage totals count: assets, their stages and the filters' terms.
    shared_figures.watch(
        browsing.LIBRARY_FIGURES,
        Asset,
        Stage,
        asset_stages,
        asset_personas,
        asset_industries,
        asset_tags,
    )
