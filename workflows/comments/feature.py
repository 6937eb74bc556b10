"""Wiring: Discussion on assets."""

from flask import Flask

from workflows.comments import views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
