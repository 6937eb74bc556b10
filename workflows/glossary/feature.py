"""Wiring: The shared glossary's pages."""

from flask import Flask

from workflows.glossary import views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
