"""Wiring: The background-jobs page for admins and the job commands."""

from flask import Flask

from portal.jobs import cli, rules, views
from portal.kernel.wiring import install


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules)
    app.register_blueprint(views.bp)
    cli.register_cli(app)
