"""Wiring: The weekly digest's page, its `digest` commands and its place on the schedule."""

from flask import Flask

from portal.digest import jobs, views
from portal.kernel.job_schedule import crontab, schedule
from portal.kernel.jobs import install_jobs


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    app.register_blueprint(views.bp)
    install_jobs(app, jobs)
    schedule(app, "digest.send", crontab("DIGEST_SCHEDULE"))
