"""The `worker`, `scheduler` and `jobs` commands."""

import signal
import threading

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from sqlalchemy import select

from portal.kernel.extensions import db
from portal.kernel.job_queues import RedisQueue
from portal.kernel.job_schedule import fill
from portal.kernel.jobs import (
    FailedJob,
    failed_count,
    failed_jobs,
    job_queue,
    perform,
    retry_failed,
)

NEEDS_REDIS = (
    "Jobs run in a background thread of each web process (no TANDEM_REDIS_URL); "
    "a {command} is needed only when TANDEM_REDIS_URL is set."
)


def register_cli(app: Flask) -> None:
    """Add the commands to ``app``."""
    app.cli.add_command(worker)
    app.cli.add_command(scheduler)
    app.cli.add_command(jobs_group)


@click.command("worker")
@click.option("--threads", default=4, show_default=True, help="Jobs run at once.")
def worker(threads: int) -> None:
    """Run background jobs from Redis until stopped (SIGTERM or Ctrl-C lets the jobs in
    hand finish; a worker killed outright leaves them to the others)."""
    queue = job_queue()
    if not isinstance(queue, RedisQueue):
        raise click.ClickException(NEEDS_REDIS.format(command="worker"))
    stop = threading.Event()
    for sign in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sign, lambda *_: stop.set())
    running = queue.worker(max(1, threads))
    running.start()
    click.echo(f"Worker started: {threads} thread(s), jobs: {', '.join(sorted(queue.specs))}")
    stop.wait()
    click.echo("Stopping: finishing the jobs in hand")
    running.stop()


@click.command("scheduler")
def scheduler() -> None:
    """Ask for the jobs on the schedule at their times (the weekly digest, the sweeps for
    work left behind) until stopped. One is enough; a second one only repeats requests."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not isinstance(job_queue(), RedisQueue):
        raise click.ClickException(NEEDS_REDIS.format(command="scheduler"))
    blocking = BlockingScheduler(timezone=app.config["TIMEZONE"])
    for line in fill(app, blocking):
        click.echo(line)
    blocking.start()


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs: what waits, what failed, and running one now."""


@jobs_group.command("status")
def status() -> None:
    """Print the queue, the jobs waiting and the jobs that gave up."""
    queue = job_queue()
    click.echo(
        f"Queue: {queue.mode}; waiting or running: {queue.waiting()}; failed: {failed_count()}"
    )


@jobs_group.command("failed")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
def failed(limit: int) -> None:
    """List the jobs that gave up, newest first."""
    for row in failed_jobs(1, limit).items:
        last_line = (row.error.strip().splitlines() or [""])[-1]
        click.echo(f"{row.id}\t{row.failed_at:%Y-%m-%d %H:%M}\t{row.name}\t{row.arguments}")
        click.echo(f"\t{last_line[:160]}")


@jobs_group.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "every", is_flag=True, help="Retry every failed job.")
def retry(ids: tuple[int, ...], every: bool) -> None:
    """Queue failed jobs again (by id, or --all) and take them off the failed list."""
    query = select(FailedJob).order_by(FailedJob.id)
    if not every:
        if not ids:
            raise click.UsageError("Name failed jobs by id, or use --all.")
        query = query.where(FailedJob.id.in_(ids))
    rows = list(db.session.scalars(query))
    for row in rows:
        retry_failed(row)
    db.session.commit()
    click.echo(f"{len(rows)} job(s) queued again.")


@jobs_group.command("run")
@click.argument("name")
def run(name: str) -> None:
    """Run the job NAME (one that takes no arguments, e.g. digest.send) now, in this
    process, and wait for it; exits 1 when it fails."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        spec = job_queue().spec(name)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    try:
        perform(app, spec, {}, None)
    except Exception as error:
        raise click.ClickException(f"{name} failed: {type(error).__name__}: {error}") from None
    click.echo(f"{name} done.")
