"""Wiring: Content requests' pages and API."""

from flask import Flask

from portal.kernel.api import register_api
from workflows.requests import api, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
