"""Wiring: The shared glossary's pages."""

from flask import Flask

from content.library.panels import register_panel
from workflows.glossary import views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
    register_panel("glossary_terms", views.glossary_terms_on_asset)
