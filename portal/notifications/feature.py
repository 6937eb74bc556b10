"""Wiring: The bell, the notifications page and /api/v1/notifications."""

from flask import Flask

from portal.kernel.api import register_api
from portal.kernel.wiring import install
from portal.notifications import api, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, views)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
