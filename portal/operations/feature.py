"""Wiring: The health, readiness and metrics endpoints, outside rate limits and CSRF."""

from flask import Flask

from portal.kernel.extensions import csrf, limiter
from portal.operations import views
from portal.operations.access import parse_networks


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    # Read once here, so a mistyped network stops the start instead of every scrape.
    app.extensions["metrics_allow"] = parse_networks(app.config["METRICS_ALLOW"])
    csrf.exempt(views.bp)
    limiter.exempt(views.bp)
    app.register_blueprint(views.bp)
