"""Wiring: The audit log's page."""

from flask import Flask

from portal.kernel.wiring import install
from workflows.audit import views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, views)
    app.register_blueprint(views.bp)
