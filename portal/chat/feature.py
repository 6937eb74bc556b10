"""Wiring: chat settings and delivery, the admins' chat page and Slack's slash command."""

from flask import Flask

from portal.chat import jobs, rules, services, views
from portal.kernel.extensions import csrf
from portal.kernel.job_schedule import every_sweep, schedule
from portal.kernel.jobs import install_jobs
from portal.kernel.notifications import on_notify
from portal.kernel.wiring import install


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.admin_bp)
    # Slack signs its requests instead of carrying a CSRF token.
    csrf.exempt(views.slack_bp)
    app.register_blueprint(views.slack_bp)
    install_jobs(app, jobs)
    schedule(app, "chat.sweep", every_sweep)
    on_notify(app, services.route_to_chat)
