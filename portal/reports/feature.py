"""Wiring: every report's page, CSV and JSON, and their part of the API's description."""

from flask import Flask

# Importing each report module registers it on the dashboard.
from portal.kernel.api import register_api
from portal.kernel.wiring import install
from portal.reports import (  # noqa: F401
    adoption,
    content_usage,
    coverage,
    evidence,
    feedback,
    gaps,
    ghostwriting,
    influence,
    registry,
    views,
)
from portal.reports.openapi import register_openapi
from portal.reports.views import api_bp, bp


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, registry, views)
    register_openapi()
    app.register_blueprint(bp)
    register_api(app, api_bp)
