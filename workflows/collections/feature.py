"""Wiring: Collections and onboarding paths' pages."""

from flask import Flask

from workflows.collections import views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
