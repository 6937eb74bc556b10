"""Wiring: the meeting pages and their API, the rules, the action items' section of "My work", and
the reminders and packs on the schedule."""

from flask import Flask

from portal.alignment import api, jobs, queries, rules, views
from portal.kernel.api import register_api
from portal.kernel.job_schedule import every_sweep, schedule
from portal.kernel.jobs import install_jobs
from portal.kernel.wiring import install
from portal.kernel.work import register_work_section


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules, views)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
    register_work_section(app, queries.my_action_items)
    install_jobs(app, jobs)
    schedule(app, "alignment.remind", every_sweep)
    schedule(app, "alignment.send_packs", every_sweep)
