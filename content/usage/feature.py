"""Wiring: Ratings, usage and share links: the asset page's boxes, buyers' public pages, the API
and who may rate, record usage and share."""

from flask import Flask

import content.usage.rules  # noqa: F401 - registers its rules on import
from content.usage import api, share_views, views
from portal.kernel.api import register_api


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
    app.register_blueprint(share_views.bp)
    register_api(app, api.bp)
