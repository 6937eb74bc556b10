"""Wiring: Discussion on assets."""

from flask import Flask

from content.library.panels import register_panel
from portal.kernel.wiring import install
from workflows.comments import services, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, services, views)
    app.register_blueprint(views.bp)
    register_panel("discussion", lambda asset, _revision: views.discussion_for(asset))
    register_panel("timeline", lambda asset, _revision: views.timeline_for(asset))
