"""Wiring: every report's page, CSV and JSON."""

from flask import Flask

from portal.kernel.api import register_api

# The API module imports each report module, which registers it on the dashboard.
from portal.reports import api, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
