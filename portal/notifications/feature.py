"""Wiring: The bell, the notifications page, /api/v1/notifications and the email jobs."""

from flask import Flask

from portal.kernel import notifications
from portal.kernel.api import register_api
from portal.kernel.job_schedule import every_sweep, schedule
from portal.kernel.jobs import install_jobs
from portal.kernel.wiring import install
from portal.notifications import api, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, views)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
    install_jobs(app, notifications)
    schedule(app, "notifications.email_sweep", every_sweep)
