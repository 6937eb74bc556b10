"""Wiring: Field feedback's pages and API."""

from flask import Flask

from content.library.panels import register_panel
from portal.kernel.api import register_api
from portal.kernel.wiring import install
from workflows.feedback import api, rules, services, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules, services, views)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
    register_panel("field_feedback", lambda asset, _revision: views.feedback_on_asset(asset))
