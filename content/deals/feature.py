"""Wiring: Deals' pages and API."""

from flask import Flask

from content.deals import api, services, views
from portal.kernel.api import register_api
from portal.kernel.wiring import install


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, services, views)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
