"""Wiring: Field feedback's pages and API."""

from flask import Flask

import workflows.feedback.rules  # noqa: F401 - registers its rules on import
from content.library.panels import register_panel
from portal.kernel.api import register_api
from workflows.feedback import api, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
    register_panel("field_feedback", lambda asset, _revision: views.feedback_on_asset(asset))
