"""Wiring: Signing in (with a password or single sign-on), the profile and user
administration."""

from flask import Flask

from portal.accounts import admin, commands, reset, services, sso, sso_views, views
from portal.kernel.jobs import install_jobs
from portal.kernel.wiring import install


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    sso.check_settings(app)
    install(app, services)
    app.register_blueprint(views.bp)
    app.register_blueprint(sso_views.bp)
    app.register_blueprint(admin.bp)
    app.cli.add_command(commands.users)
    install_jobs(app, reset)
