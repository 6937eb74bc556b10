"""Wiring: Exporting all data: its pages, the `export` command, the job that builds an
archive and the sweep that deletes expired ones."""

from flask import Flask

from portal.export import cli, jobs, rules, views
from portal.kernel.job_schedule import every_sweep, schedule
from portal.kernel.jobs import install_jobs
from portal.kernel.wiring import install


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules)
    app.register_blueprint(views.bp)
    cli.register_cli(app)
    install_jobs(app, jobs)
    schedule(app, "export.sweep", every_sweep)
