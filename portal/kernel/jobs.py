"""Background jobs: the one way work leaves a request or a web process.

A feature marks a function with :func:`job` and adds it in its ``register(app)`` through
:func:`install_jobs`. Code asks for one with :func:`enqueue` inside its transaction; the
job is handed to the queue only after that transaction commits (a rollback sends
nothing), so a job never runs before the rows it reads exist.

A job's work is kept in the database, never only in the message: the search outbox,
notifications whose email is pending, files waiting for their text, the digest's claims.
A message is a wake-up. A job that runs twice, or after another one did its work, finds
nothing left and does nothing; a message lost with a process that died is made up for by
the schedule, which sweeps for work left behind (``portal.kernel.job_schedule``).

Where jobs run is the application's ``JOBS`` setting (see ``portal.kernel.job_queues``):
a background thread in each app process (``thread``, the default), workers reading a
Redis queue (``redis``), or nowhere until someone calls :func:`run_held` (``held``: tests
and benchmarks).
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import FunctionType, ModuleType
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import String, Text, event, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.kernel.extensions import Entity, db
from portal.kernel.logs import bound_request_id, current_request_id, sane_request_id
from portal.kernel.models import utcnow
from portal.kernel.pagination import Page, paginate

log = logging.getLogger(__name__)

_MARK = "__tandem_job__"
_AFTER_COMMIT = "jobs_after_commit"
MAX_ERROR = 4000


@dataclass(frozen=True)
class JobSpec:
    """A kind of job: its name in queues, the function that does it and its limits."""

    name: str
    function: Callable[..., object]
    max_retries: int
    time_limit_seconds: int


@dataclass(frozen=True)
class Queued:
    """One job asked for: its name, its keyword arguments (JSON values) and the request
    that asked, so its log lines can be followed back."""

    name: str
    arguments: dict[str, Any]
    request_id: str | None = None

    @property
    def key(self) -> str:
        return self.name + json.dumps(self.arguments, sort_keys=True)


def job(name: str, *, max_retries: int = 6, time_limit_seconds: int = 600):
    """Mark a function as the job ``name``; it takes keyword arguments that are JSON
    values and runs in an app context, committed when it returns and rolled back when it
    raises. A raised error retries it with a growing delay, ``max_retries`` times, before
    it is listed among the failed jobs."""

    def mark(function: Callable[..., object]) -> Callable[..., object]:
        setattr(function, _MARK, JobSpec(name, function, max_retries, time_limit_seconds))
        return function

    return mark


def install_jobs(app: Flask, *modules: ModuleType) -> None:
    """Declare the jobs ``modules`` mark on ``app``'s queue."""
    queue = app.extensions["job_queue"]
    for module in modules:
        for value in vars(module).values():
            if not isinstance(value, FunctionType):  # e.g. current_app, a proxy
                continue
            spec = getattr(value, _MARK, None)
            if isinstance(spec, JobSpec):
                queue.declare(spec)


def job_queue(app: Flask | None = None):
    """The application's queue (a ``portal.kernel.job_queues.JobQueue``)."""
    return (app or current_app).extensions["job_queue"]


def enqueue(name: str, /, **arguments: Any) -> None:
    """Ask for the job ``name`` once the current transaction commits.

    The same job with the same arguments asked for twice in one transaction is sent once.
    Raises ValueError for a job nobody declared, so a typo fails where it is made.
    """
    enqueue_in(db.session(), name, arguments)


def enqueue_in(session: Session, name: str, arguments: dict[str, Any]) -> None:
    """:func:`enqueue` for the transaction of ``session`` (session listeners get theirs)."""
    job_queue().spec(name)
    queued = Queued(name, arguments, current_request_id())
    pending: dict[str, Queued] = session.info.setdefault(_AFTER_COMMIT, {})
    pending.setdefault(queued.key, queued)


def enqueue_now(name: str, /, **arguments: Any) -> None:
    """Send the job ``name`` at once, outside any transaction (commands, the schedule,
    jobs that must hand work on before they delete what records it)."""
    queue = job_queue()
    queue.spec(name)
    queue.send(Queued(name, arguments, current_request_id()))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    pending = session.info.pop(_AFTER_COMMIT, None)
    if not pending or not has_app_context():
        return
    queue = job_queue()
    for queued in pending.values():
        try:
            queue.send(queued)
        except Exception:  # noqa: BLE001 - the commit stands; the schedule's sweep makes up
            log.exception("Could not queue the job %s; the schedule will find its work", queued)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous) -> None:
    if previous.parent is None:
        session.info.pop(_AFTER_COMMIT, None)


def perform(app: Flask, spec: JobSpec, arguments: dict[str, Any], request_id: str | None):
    """Run one job in its own app context and session: committed when it returns,
    rolled back (and the error raised again, for the queue to retry) when it raises. Its
    log lines carry the id of the request that asked for it (a new one for a job no
    request asked for)."""
    with app.app_context(), bound_request_id(sane_request_id(request_id)):
        try:
            spec.function(**arguments)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def run_held(app: Flask | None = None) -> int:
    """Run the jobs a ``held`` queue keeps, and those they ask for, until none is left;
    returns how many ran. A job that raises is listed among the failed jobs at once."""
    return job_queue(app).run_held()


# ---- jobs that gave up -------------------------------------------------------------------


class FailedJob(Entity):
    """A job that failed every attempt: kept until an admin retries or discards it."""

    __tablename__ = "failed_jobs"

    name: Mapped[str] = mapped_column(String(80))
    arguments: Mapped[str] = mapped_column(Text)
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int]
    request_id: Mapped[str | None] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    @property
    def argument_values(self) -> dict[str, Any]:
        return json.loads(self.arguments)


def record_failure(app: Flask, queued: Queued, error: str, attempts: int) -> None:
    """List a job that gave up, in a transaction of its own."""
    log.error("The job %s gave up after %d attempt(s): %s", queued.name, attempts, error)
    with app.app_context():
        try:
            db.session.add(
                FailedJob(
                    name=queued.name,
                    arguments=json.dumps(queued.arguments, sort_keys=True),
                    error=error[-MAX_ERROR:],
                    attempts=attempts,
                    request_id=queued.request_id,
                )
            )
            db.session.commit()
        finally:
            db.session.remove()


def failed_jobs(page: int, per_page: int) -> Page:
    """One page of the jobs that gave up, newest first."""
    return paginate(
        select(FailedJob), page, per_page, order=(FailedJob.failed_at.desc(), FailedJob.id.desc())
    )


def failed_count() -> int:
    """How many jobs gave up and wait for an admin."""
    return db.session.scalar(select(func.count(FailedJob.id))) or 0


def retry_failed(failed: FailedJob) -> None:
    """Queue the job again (after the commit) and take it off the failed list."""
    enqueue(failed.name, **failed.argument_values)
    db.session.delete(failed)
    db.session.flush()


def discard_failed(failed: FailedJob) -> None:
    """Take the job off the failed list without running it again."""
    db.session.delete(failed)
    db.session.flush()
