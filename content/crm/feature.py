"""Wiring: Importing a CRM export: its pages, the `deals` commands and the background
import of large files."""

from flask import Flask

from content.crm import cli, imports, views
from portal.kernel.jobs import install_jobs


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
    cli.register_cli(app)
    install_jobs(app, imports)
