"""Wiring: The library's pages and API, who may do what with assets, and the markdown filter."""

from flask import Flask

import content.library.markdown  # noqa: F401 - registers its template filter on import
import content.library.rules  # noqa: F401 - registers its rules on import
from content.library import api, views
from portal.kernel.api import register_api


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
