"""Wiring: Importing a CRM export: its pages and the `deals` commands."""

from flask import Flask

from content.crm import cli, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
    cli.register_cli(app)
