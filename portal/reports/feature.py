"""Wiring: every report's page, CSV and JSON."""

from flask import Flask

from portal.kernel.api import register_api
from portal.kernel.wiring import install
from portal.reports import api, catalogue, cells, registry, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, cells, registry, views)
    for spec in catalogue.SPECS:
        registry.register(spec)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
