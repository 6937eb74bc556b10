"""Wiring: Campaign briefs' pages and API."""

from flask import Flask

import workflows.campaigns.rules  # noqa: F401 - registers its rules on import
from portal.kernel.api import register_api
from workflows.campaigns import api, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
