"""Wiring: Content requests' pages and API."""

from flask import Flask

from portal.kernel.api import register_api
from portal.kernel.wiring import install
from workflows.requests import api, services, views
from workflows.review.machine import after_transition


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, services, views)
    after_transition(services.fulfil_on_publish)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
