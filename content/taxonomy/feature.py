"""Wiring: The taxonomy's admin pages."""

from flask import Flask

from content.taxonomy import views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
