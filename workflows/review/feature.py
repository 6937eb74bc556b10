"""Wiring: review and publishing, its transitions and collaborators, who may do what and
who hears of it."""

from flask import Flask

import workflows.review.notices  # noqa: F401 - registers its notices on import
from content.library.panels import register_panel
from portal.kernel.api import register_api
from portal.kernel.wiring import install
from workflows.review import api, rules, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules, views)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
    register_panel("review", lambda asset, _revision: views.review_panel(asset))
    register_panel("actions", lambda asset, _revision: views.asset_actions(asset))
