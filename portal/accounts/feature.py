"""Wiring: Signing in, the profile and user administration."""

from flask import Flask

from portal.accounts import admin, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
