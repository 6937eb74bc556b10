"""Wiring: Collections and onboarding paths' pages."""

from flask import Flask

from content.library.panels import register_panel
from portal.kernel.wiring import install
from workflows.collections import paths, services, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, paths, services, views)
    app.register_blueprint(views.bp)
    register_panel(
        "add_to_collection", lambda asset, _revision: views.add_to_collection_form(asset)
    )
