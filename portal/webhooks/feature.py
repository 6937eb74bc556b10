"""Wiring: the admins' webhook pages, the events subscriber, the delivery jobs, their
place on the schedule and the failed deliveries' gauge."""

from flask import Flask

from portal.kernel import events
from portal.kernel.job_schedule import every_sweep, schedule
from portal.kernel.jobs import install_jobs
from portal.kernel.metrics import register_gauge
from portal.kernel.wiring import install
from portal.webhooks import delivery, rules, services, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules, views)
    app.register_blueprint(views.bp)
    events.subscribe(app, services.queue_deliveries)
    install_jobs(app, delivery)
    schedule(app, "webhooks.sweep", every_sweep)
    register_gauge(
        app,
        "tandem_webhook_deliveries_failed",
        "Webhook deliveries that gave up after a day of attempts, listed on /admin/webhooks.",
        lambda: float(services.failed_count()),
    )
