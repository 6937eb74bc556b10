"""Wiring: Ghost-written posts' pages and API, and who may see and work on them."""

from flask import Flask

import workflows.posts.rules  # noqa: F401 - registers its rules on import
from portal.kernel.api import register_api
from workflows.posts import api, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
