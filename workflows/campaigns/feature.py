"""Wiring: Campaign briefs' pages and API."""

from flask import Flask

from portal.kernel.api import register_api
from portal.kernel.wiring import install
from workflows.campaigns import api, rules, services, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules, services, views)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
