"""Background jobs: asked for after the commit, retried with a growing delay, listed for
admins when they give up, and run by a thread of the app process when there is no Redis."""

import threading
import time
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal.kernel.extensions import db
from portal.kernel.job_queues import ThreadQueue
from portal.kernel.job_schedule import entries
from portal.kernel.jobs import FailedJob, JobSpec, Queued, enqueue, job_queue, run_held
from portal.kernel.models import User
from portal.kernel.notifications import Notification, notify, send_emails, send_lost_emails
from search import indexing
from search.backend import SearchRequest
from search.query import parse_query
from tests.factories import make_app, make_asset
from tests.portal.helpers import Inbox, free_port

# ---- asked for after the commit ------------------------------------------------------------


def held_names(app) -> list[str]:
    return [queued.name for queued in job_queue(app).held]


def test_a_job_is_sent_only_when_its_transaction_commits(app):
    queue = job_queue(app)
    queue.held.clear()

    enqueue("files.extract")
    assert queue.held == [], "nothing leaves before the commit"
    db.session.rollback()
    assert queue.held == [], "a rollback sends nothing"

    enqueue("files.extract")
    enqueue("files.extract")  # the same job twice in one transaction goes once
    enqueue("notifications.email", ids=[1])
    enqueue("notifications.email", ids=[2])
    db.session.commit()

    assert [(q.name, q.arguments) for q in queue.held] == [
        ("files.extract", {}),
        ("notifications.email", {"ids": [1]}),
        ("notifications.email", {"ids": [2]}),
    ]


def test_a_job_nobody_declared_is_refused_where_it_is_asked_for(app):
    with pytest.raises(ValueError, match="Unknown job 'search.reindex'"):
        enqueue("search.reindex")


def test_a_job_that_raises_is_rolled_back_and_listed_with_its_error(app, users):
    rep_id = users["rep"].id

    def rename_then_fail() -> None:
        db.session.get(User, rep_id).name = "Half-done"
        raise RuntimeError("the CRM answered 503")

    job_queue(app).declare(JobSpec("test.fails", rename_then_fail, 3, 10))
    enqueue("test.fails")
    db.session.commit()

    run_held()

    db.session.expire_all()
    assert db.session.get(User, rep_id).name == "Riley Rep", "the job's changes were rolled back"
    (failed,) = db.session.scalars(select(FailedJob)).all()
    assert failed.name == "test.fails"
    assert "the CRM answered 503" in failed.error


# ---- the thread queue: retries, giving up, and the work done in the background -------------


@contextmanager
def thread_app(app, tmp_path, **settings):
    """An application over the test's database whose jobs run in a thread of this process,
    as in a web process without Redis; its thread is stopped at the end."""
    threaded = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        tmp_path,
        JOBS="thread",
        JOB_MIN_BACKOFF_SECONDS=0.05,
        JOB_MAX_BACKOFF_SECONDS=0.2,
        SEARCH_INDEX_PATH=app.config["SEARCH_INDEX_PATH"],
        **settings,
    )
    queue = job_queue(threaded)
    assert isinstance(queue, ThreadQueue)
    try:
        yield threaded, queue
    finally:
        queue.stop()
        with threaded.app_context():
            db.engine.dispose()


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def failed_rows(app) -> list[FailedJob]:
    with app.app_context():
        try:
            return list(db.session.scalars(select(FailedJob).order_by(FailedJob.id)))
        finally:
            db.session.remove()


def test_a_failing_job_is_retried_with_a_growing_delay_until_it_works(app, tmp_path):
    attempts: list[float] = []

    def flaky() -> None:
        attempts.append(time.monotonic())
        if len(attempts) < 3:
            raise ConnectionError("the mail server is restarting")

    with thread_app(app, tmp_path) as (threaded, queue):
        queue.declare(JobSpec("test.flaky", flaky, 5, 10))
        queue.start()
        with threaded.app_context():
            queue.send(queue_item("test.flaky"))
            assert wait_for(lambda: len(attempts) == 3)
            time.sleep(0.3)

    assert len(attempts) == 3
    assert attempts[1] - attempts[0] >= 0.04, "the first retry waited its backoff"
    assert failed_rows(app) == []


def test_a_job_that_never_works_gives_up_without_holding_up_the_others(app, tmp_path):
    done: list[str] = []

    def poison() -> None:
        raise ValueError("this record can never be read")

    with thread_app(app, tmp_path) as (threaded, queue):
        queue.declare(JobSpec("test.poison", poison, 2, 10))
        queue.declare(JobSpec("test.fine", lambda: done.append("fine"), 2, 10))
        queue.start()
        with threaded.app_context():
            queue.send(queue_item("test.poison"))
            queue.send(queue_item("test.fine"))
            assert wait_for(lambda: bool(done)), "the good job ran while the poison waited"
            assert wait_for(lambda: bool(failed_rows(app)))

    (failed,) = failed_rows(app)
    assert (failed.name, failed.attempts) == ("test.poison", 3)  # the first try, 2 retries
    assert "this record can never be read" in failed.error


def test_without_redis_a_commit_is_indexed_moments_later_by_the_job_thread(
    app, tmp_path, marketer_and_reader
):
    marketer, rep = marketer_and_reader
    make_asset(marketer, "Security primer")
    with thread_app(app, tmp_path) as (threaded, queue):
        client = threaded.test_client()
        client.get("/login")  # the first request starts the thread and the schedule
        assert queue.worker is not None
        assert queue.scheduler is not None
        with threaded.app_context():
            asset = make_asset(db.session.get(User, marketer.id), "Pricing guide")
            asset_id = asset.id

            def found() -> bool:
                hits = indexing.get_backend().search(pricing_request()).hits
                return [hit.asset_id for hit in hits] == [asset_id]

            assert wait_for(found)
            db.session.remove()


def test_work_left_before_the_thread_started_is_swept_up_when_it_starts(
    app, tmp_path, marketer_and_reader
):
    marketer, _rep = marketer_and_reader
    asset_id = make_asset(marketer, "Pricing guide").id  # its job stays in another process
    with thread_app(app, tmp_path, JOB_SWEEP_SECONDS=3600) as (threaded, _queue):
        threaded.test_client().get("/login")
        with threaded.app_context():

            def found() -> bool:
                hits = indexing.get_backend().search(pricing_request()).hits
                return [hit.asset_id for hit in hits] == [asset_id]

            assert wait_for(found), "the sweep ran when the schedule started, not an hour later"
            db.session.remove()


def test_two_jobs_sending_the_same_emails_send_each_once(app, users):
    inbox = Inbox()
    with smtp_sink(app, inbox):
        rows = notify([users["rep"], users["leader"]], "approved", "Approved", "/assets/1")
        db.session.commit()
        ids = [row.id for row in rows]
        job_queue(app).held.clear()
        workers = [threading.Thread(target=run_send_emails, args=(app, ids)) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(15)

    assert sorted(rcpt for rcpt, _message in inbox.messages) == sorted(
        [[users["rep"].email], [users["leader"].email]]
    )
    db.session.expire_all()
    assert {db.session.get(Notification, i).email_status for i in ids} == {"sent"}


def test_the_sweep_sends_emails_whose_job_was_lost(app, users):
    inbox = Inbox()
    with smtp_sink(app, inbox):
        (row,) = notify(users["rep"], "approved", "Approved", "/assets/1")
        db.session.commit()
        job_queue(app).held.clear()  # the job is lost with its process
        row.created_at = row.created_at.replace(year=row.created_at.year - 1)
        db.session.commit()

        send_lost_emails()
        db.session.commit()
        run_held()

    assert [rcpt for rcpt, _message in inbox.messages] == [[users["rep"].email]]


# ---- the schedule ----------------------------------------------------------------------------


def test_the_schedule_holds_the_digest_and_the_sweeps(app):
    jobs = {entry.job: entry.trigger(app) for entry in entries(app)}

    assert set(jobs) == {
        "alignment.remind",
        "alignment.send_packs",
        "chat.sweep",
        "digest.send",
        "export.sweep",
        "files.extract",
        "files.preview",
        "files.prune_pending",
        "notifications.email_sweep",
        "search.index",
        "webhooks.sweep",
    }
    assert "cron[month='*', day='*', day_of_week='mon', hour='7', minute='0']" in str(
        jobs["digest.send"]
    )


def test_an_empty_digest_schedule_turns_it_off_and_a_wrong_one_stops_the_start(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    quiet = make_app(url, tmp_path / "quiet", DIGEST_SCHEDULE="")
    digest = next(entry for entry in entries(quiet) if entry.job == "digest.send")
    assert digest.trigger(quiet) is None

    with pytest.raises(RuntimeError, match="The schedule of the job digest.send is not valid"):
        make_app(url, tmp_path / "wrong", DIGEST_SCHEDULE="every monday")


# ---- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def marketer_and_reader(users):
    return users["marketer"], users["rep"]


def queue_item(name: str) -> Queued:
    return Queued(name, {})


def pricing_request() -> SearchRequest:
    return SearchRequest(parse_query("pricing"), per_page=5, highlight=False)


def run_send_emails(app, ids: list[int]) -> None:
    with app.app_context():
        try:
            send_emails(ids)
            db.session.commit()
        finally:
            db.session.remove()


@contextmanager
def smtp_sink(app, inbox: Inbox):
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    try:
        yield
    finally:
        controller.stop()
        app.config["MAIL_SERVER"] = ""
