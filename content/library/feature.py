"""Wiring: The library's pages and API, who may do what with assets, and the markdown filter."""

from flask import Flask

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
from portal.kernel.wiring import install


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules, markdown)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
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
