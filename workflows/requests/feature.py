"""Wiring: Content requests' pages and API."""

from flask import Flask

import workflows.requests.openapi  # noqa: F401 - adds its part of the API's description
from portal.kernel.api import register_api
from portal.kernel.wiring import install
from workflows.requests import api, services, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, services, views)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
