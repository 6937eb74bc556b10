"""Wiring: The background-jobs page for admins, the job commands and the queue's metrics."""

from flask import Flask

from portal.jobs import cli, rules, views
from portal.kernel.jobs import failed_count, job_queue
from portal.kernel.metrics import register_gauge
from portal.kernel.wiring import install


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules)
    app.register_blueprint(views.bp)
    cli.register_cli(app)
    register_gauge(
        app,
        "tandem_jobs_waiting",
        "Background jobs waiting or running (in this process's queue without Redis).",
        lambda: float(job_queue(app).waiting()),
    )
    register_gauge(
        app,
        "tandem_jobs_failed",
        "Background jobs that gave up after every retry, waiting for an admin on /admin/jobs.",
        lambda: float(failed_count()),
    )
