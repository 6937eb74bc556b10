"""Wiring: The weekly digest's page and its `digest` commands."""

from flask import Flask

from portal.digest import views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
