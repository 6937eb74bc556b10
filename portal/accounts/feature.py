"""Wiring: Signing in, the profile and user administration."""

from flask import Flask

from portal.accounts import admin, reset, services, views
from portal.kernel.jobs import install_jobs
from portal.kernel.wiring import install


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, services)
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    install_jobs(app, reset)
