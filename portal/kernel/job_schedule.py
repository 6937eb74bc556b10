"""The schedule: jobs asked for at set times rather than by a request.

Features add entries in their ``register(app)``: the weekly digest on a calendar, and the
sweeps that find work a lost message left behind (emails still pending, files still
waiting for their text, the search outbox). APScheduler reads the triggers; what it runs
is only :func:`portal.kernel.jobs.enqueue_now`, so the work itself is done by the queue,
with its retries.

With the ``thread`` queue every app process keeps the schedule in the background; with
``redis``, one `flask --app portal scheduler` process does (several may run: every job on
the schedule is safe to run twice).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from portal.kernel.jobs import enqueue_now

log = logging.getLogger(__name__)

_KEY = "job_schedule"


@dataclass(frozen=True)
class Entry:
    """A job on the schedule; ``trigger`` reads the app's settings and gives None when the
    setting turns the entry off."""

    job: str
    trigger: Callable[[Flask], BaseTrigger | None]


def schedule(app: Flask, job: str, trigger: Callable[[Flask], BaseTrigger | None]) -> None:
    """Put the job ``job`` on ``app``'s schedule."""
    app.extensions.setdefault(_KEY, []).append(Entry(job, trigger))


def entries(app: Flask) -> list[Entry]:
    return list(app.extensions.get(_KEY, ()))


def every_sweep(app: Flask) -> BaseTrigger:
    """The sweeps' trigger: every JOB_SWEEP_SECONDS."""
    return IntervalTrigger(seconds=max(1, app.config["JOB_SWEEP_SECONDS"]))


def every_hour(_app: Flask) -> BaseTrigger:
    """The trigger of housekeeping whose work is measured in hours, not seconds."""
    return IntervalTrigger(hours=1)


def crontab(setting: str) -> Callable[[Flask], BaseTrigger | None]:
    """A trigger read from the crontab line in the setting ``setting`` (empty: off), in
    the portal's time zone."""

    def trigger(app: Flask) -> BaseTrigger | None:
        line = (app.config.get(setting) or "").strip()
        if not line:
            return None
        return CronTrigger.from_crontab(line, timezone=app.config["TIMEZONE"])

    return trigger


def check(app: Flask) -> None:
    """Refuse to start with a schedule setting APScheduler cannot read."""
    for entry in entries(app):
        try:
            entry.trigger(app)
        except ValueError as error:
            message = f"The schedule of the job {entry.job} is not valid: {error}"
            raise RuntimeError(message) from None


def fill(app: Flask, scheduler: BaseScheduler) -> list[str]:
    """Add ``app``'s schedule to ``scheduler``; returns the lines that describe it."""
    lines = []
    for entry in entries(app):
        trigger = entry.trigger(app)
        if trigger is None:
            lines.append(f"{entry.job}: off")
            continue
        # A sweep runs at once too: work left by commands (seed-demo, an import) or by a
        # process that stopped is picked up when the schedule starts, not a period later.
        first = {"next_run_time": datetime.now(UTC)} if isinstance(trigger, IntervalTrigger) else {}
        scheduler.add_job(
            _ask,
            trigger,
            args=(app, entry.job),
            id=entry.job,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=300,
            **first,
        )
        lines.append(f"{entry.job}: {trigger}")
    return lines


def _ask(app: Flask, job: str) -> None:
    with app.app_context():
        try:
            enqueue_now(job)
        except Exception:  # noqa: BLE001 - the next tick asks again
            log.exception("Could not queue the scheduled job %s", job)
