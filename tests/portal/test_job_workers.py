"""Jobs queued in Redis and run by `flask --app portal worker` processes: a commit in one
process is worked off in another, and a worker killed in the middle of a job loses
nothing."""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal.kernel.extensions import db
from portal.kernel.job_queues import RedisQueue
from portal.kernel.jobs import enqueue_now, job_queue
from portal.kernel.models import User
from portal.kernel.notifications import CLAIM_TIMEOUT, Notification, notify
from search import indexing
from search.backend import SearchRequest
from search.query import parse_query
from tests.factories import make_app, make_asset
from tests.portal.helpers import free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def namespace(redis_url) -> Iterator[str]:
    """A Redis key prefix of the test's own, removed afterwards."""
    name = f"tandem-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{name}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def redis_app(app, tmp_path, redis_url, namespace):
    """An application over the test's database whose jobs go to Redis."""
    sender = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        tmp_path / "sender",
        JOBS="redis",
        REDIS_URL=redis_url,
        JOB_NAMESPACE=namespace,
        SEARCH_INDEX_PATH=app.config["SEARCH_INDEX_PATH"],
    )
    assert isinstance(job_queue(sender), RedisQueue)
    return sender


@contextmanager
def worker_process(app, tmp_path, redis_url: str, namespace: str, **environment: str):
    """`flask --app portal worker` in a process (and session) of its own, on the test's
    database, index and Redis namespace; killed at the end if still running."""
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret",
        "TANDEM_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "TANDEM_UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "TANDEM_SEARCH_INDEX_PATH": app.config["SEARCH_INDEX_PATH"],
        "TANDEM_REDIS_URL": redis_url,
        "TANDEM_JOB_NAMESPACE": namespace,
        "TANDEM_JOB_MIN_BACKOFF_SECONDS": "1",
        **environment,
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "flask", "--app", "portal", "worker", "--threads", "1"],
        cwd=REPO,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_worker_process_indexes_what_a_web_process_committed(
    app, tmp_path, redis_url, namespace, redis_app, users
):
    marketer_id = users["marketer"].id
    with redis_app.app_context():
        asset_id = make_asset(db.session.get(User, marketer_id), "Pricing guide").id
        waiting = job_queue(redis_app).waiting()
        db.session.remove()
    assert waiting >= 1, "the commit's search.index job waits in Redis"

    with worker_process(app, tmp_path, redis_url, namespace):

        def found() -> bool:
            request = SearchRequest(parse_query("pricing"), per_page=5, highlight=False)
            return [hit.asset_id for hit in indexing.get_backend().search(request).hits] == [
                asset_id
            ]

        assert wait_for(found), "the worker indexed the asset"
        assert wait_for(lambda: job_queue(redis_app).waiting() == 0)


class StallingInbox:
    """An SMTP server that holds the first message without answering (the worker is then
    in the middle of its job) and keeps the ones after it."""

    def __init__(self) -> None:
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.messages: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        if not self.stalled.is_set():
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Try again later"
        self.messages.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def test_a_worker_killed_in_the_middle_of_a_job_loses_nothing(
    app, tmp_path, redis_url, namespace, redis_app, users
):
    inbox = StallingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    mail = {"TANDEM_MAIL_SERVER": "127.0.0.1", "TANDEM_MAIL_PORT": str(port)}
    redis_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        with redis_app.app_context():
            rep = db.session.get(User, users["rep"].id)
            (row,) = notify(rep, "approved", "Your case study was approved", "/assets/1")
            db.session.commit()
            notification_id = row.id
            db.session.remove()

        with worker_process(app, tmp_path, redis_url, namespace, **mail) as first:
            assert inbox.stalled.wait(20), "the first worker is sending the email"
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(10)
        inbox.release.set()

        status, claimed_at = email_state(notification_id)
        assert status == "sending", "the dead worker's claim is left behind"
        assert inbox.messages == []

        # Once the claim is older than a send can take, the schedule's sweep hands the
        # email to another worker; the claim is aged here rather than waited for.
        db.session.execute(
            Notification.__table__.update()
            .where(Notification.id == notification_id)
            .values(email_claimed_at=claimed_at - CLAIM_TIMEOUT * 2)
        )
        db.session.commit()
        with worker_process(app, tmp_path, redis_url, namespace, **mail):
            with redis_app.app_context():
                enqueue_now("notifications.email_sweep")
            assert wait_for(lambda: email_state(notification_id)[0] == "sent")
    finally:
        inbox.release.set()
        controller.stop()

    assert inbox.messages == [[users["rep"].email]], "sent once, by the second worker"


def email_state(notification_id: int):
    db.session.remove()
    row = db.session.execute(
        select(Notification.email_status, Notification.email_claimed_at).where(
            Notification.id == notification_id
        )
    ).one()
    db.session.remove()
    return row
