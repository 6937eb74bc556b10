"""Wiring: Ghost-written posts' pages and API, and who may see and work on them."""

from flask import Flask

from portal.kernel.api import register_api
from portal.kernel.wiring import install
from workflows.posts import api, rules, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules, views)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
