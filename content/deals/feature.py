"""Wiring: Deals' pages and API."""

from flask import Flask

from content.deals import api, views
from portal.kernel.api import register_api


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
