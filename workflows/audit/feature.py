"""Wiring: The audit log's page."""

from flask import Flask

from workflows.audit import views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
