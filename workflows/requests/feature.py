"""Wiring: Content requests' pages and API."""

from flask import Flask

from portal.kernel.api import register_api
from portal.kernel.wiring import install
from workflows.requests import api, services, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, services, views)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
