"""Wiring: every report's page, CSV and JSON."""

from flask import Flask

from portal.kernel.api import register_api
from portal.kernel.wiring import install

# The API module imports each report module, which registers it on the dashboard.
from portal.reports import api, registry, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, registry, views)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
