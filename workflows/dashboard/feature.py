"""Wiring: "My work"."""

from flask import Flask

from workflows.dashboard import views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
