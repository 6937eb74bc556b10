"""Two hosts serving one portal, as docs/deploying.md sets them up: two `entrypoint.sh web`
servers on two loopback ports sharing PostgreSQL (with the postgres search backend), Redis
and the upload folder, and one `entrypoint.sh worker`.

A person signs in on one host and carries on on the other; what a marketer publishes on
one is found through search on the other within 2 s; a file uploaded through one on a
refused save is kept for the corrected save through the other, and downloaded through the
first; the sign-in limit holds across both; the digest run on both at once emails each
person once; and a bounded load through the journey a rep makes before a call (sign in,
board, search, asset) gets no error on either host.
"""

import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import redis
import requests
from aiosmtpd.controller import Controller

from content.taxonomy.services import ensure_defaults
from portal.kernel.extensions import db
from search.postgres_table import create_schema
from tests.factories import (
    PASSWORD,
    make_app,
    make_asset,
    make_user,
    pdf_bytes,
    postgres_schema,
    require_postgres,
    reviewers,
    token_headers,
)
from tests.portal.helpers import Inbox, free_port
from workflows.review import collaborators
from workflows.review.machine import transition

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
VENV_BIN = Path(sys.executable).parent
LOAD_SECONDS = 5
LOAD_CONNECTIONS = 8


class Hosts:
    """The settings both hosts and the worker share, and their base URLs."""

    def __init__(self, tmp_path: Path, database_url: str, redis_url: str, mail_port: int):
        self.tmp_path = tmp_path
        self.namespace = f"tandem-hosts-{uuid.uuid4().hex[:10]}"
        self.shared = {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "two-hosts-secret",
            "TANDEM_REDIS_URL": redis_url,
            "TANDEM_JOB_NAMESPACE": self.namespace,
            "TANDEM_SEARCH_BACKEND": "postgres",
            "TANDEM_UPLOAD_FOLDER": str(tmp_path / "shared-uploads"),
            "TANDEM_LOGIN_RATE_LIMIT": "3 per minute",
            "TANDEM_TRUSTED_PROXIES": "1",
            "TANDEM_MAIL_SERVER": "127.0.0.1",
            "TANDEM_MAIL_PORT": str(mail_port),
            "TANDEM_MIGRATE_ON_START": "false",
            "TANDEM_WEB_WORKERS": "2",
            "TANDEM_DIGEST_SCHEDULE": "",
        }
        self.urls: list[str] = []

    def env(self, host: str, **more: str) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("TANDEM_") and name not in {"DATABASE_URL", "SECRET_KEY"}
        }
        env.update(self.shared)
        env.update(
            PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            TANDEM_INSTANCE_PATH=str(self.tmp_path / host),
            **more,
        )
        return env


@contextmanager
def process(hosts: Hosts, host: str, *args: str, **env: str) -> Iterator[subprocess.Popen]:
    log = (hosts.tmp_path / f"{host}.log").open("w")
    started = subprocess.Popen(  # noqa: S603 - our own script
        [str(ENTRYPOINT), *args], env=hosts.env(host, **env), stdout=log, stderr=log,
        start_new_session=True,
    )  # fmt: skip
    try:
        yield started
    finally:
        if started.poll() is None:
            os.killpg(started.pid, signal.SIGTERM)
            try:
                started.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(started.pid, signal.SIGKILL)
                started.wait()
        log.close()


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not come up")
        time.sleep(0.2)


def client_address() -> str:
    """A made-up client address (the hosts trust one proxy's X-Forwarded-For), so each
    person here has a sign-in budget of their own."""
    return "10.{}.{}.{}".format(*random.sample(range(1, 250), 3))  # noqa: S311


def browser(address: str | None = None) -> requests.Session:
    session = requests.Session()
    session.headers["X-Forwarded-For"] = address or client_address()
    return session


def csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert found, f"no form on {url}"
    return found.group(1)


def sign_in(session: requests.Session, base: str, email: str, password: str = PASSWORD):
    token = csrf(session, f"{base}/login")
    return session.post(
        f"{base}/login",
        data={"csrf_token": token, "email": email, "password": password},
        allow_redirects=False,
        timeout=10,
    )


@pytest.fixture
def two_hosts(tmp_path, redis_url) -> Iterator[tuple[Hosts, dict, Inbox]]:
    """Both web hosts and the worker, on a migrated PostgreSQL schema holding a few people
    and a published asset; yields (hosts, what the test needs to know, the mail inbox)."""
    require_postgres()
    inbox = Inbox()
    mail_port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=mail_port)
    with ExitStack() as stack:
        url = stack.enter_context(postgres_schema())
        controller.start()
        stack.callback(controller.stop)
        hosts = Hosts(tmp_path, url, redis_url, mail_port)
        # Registered before the processes start, so it runs after they stop.
        stack.callback(forget_namespace, redis_url, hosts.namespace)
        known = seed(url, tmp_path)
        ports = [free_port(), free_port()]
        for host, port in zip(("host-a", "host-b"), ports, strict=True):
            stack.enter_context(process(hosts, host, "web", TANDEM_BIND=f"127.0.0.1:{port}"))
            hosts.urls.append(f"http://127.0.0.1:{port}")
        stack.enter_context(process(hosts, "worker-host", "worker"))
        for base in hosts.urls:
            wait_until_up(base)
        yield hosts, known, inbox


def forget_namespace(redis_url: str, namespace: str) -> None:
    """Remove the job queue's keys (the worker's heartbeats outlive it in Redis)."""
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{namespace}*"))
    if keys:
        client.delete(*keys)


def seed(url: str, tmp_path: Path) -> dict:
    """The schema, the default taxonomy, people, a published asset and an approved draft,
    written in this process: building the schema here rather than through
    `entrypoint.sh migrate` and `init` (which test_deploy.py runs) spares two process
    starts and the migrations, most of the set-up's time."""
    app = make_app(url, tmp_path / "seeding", SEARCH_BACKEND="postgres")
    with app.app_context():
        db.create_all()
        ensure_defaults()
        create_schema(db.engine)
        make_user("admin", "admin@example.com", "Ada Admin")
        marketer = make_user("marketer", "marketer@example.com", "Morgan Marketer")
        rep = make_user("rep", "rep@example.com", "Riley Rep")
        sales_reviewer, marketing_reviewer = reviewers()
        live = make_asset(marketer, "Pricing one-pager")
        draft = make_asset(marketer, "Quokka onboarding guide", publish=False)
        for reviewer in (sales_reviewer, marketing_reviewer):
            collaborators.invite(draft, marketer, reviewer.email, "reviewer")
        transition(draft, marketer, "submit")
        for reviewer in (sales_reviewer, marketing_reviewer):
            transition(draft, reviewer, "approve")
        db.session.commit()
        known = {
            "live_id": live.id,
            "draft_id": draft.id,
            "marketer_token": token_headers(marketer),
            "rep_token": token_headers(rep),
            "stage_id": live.stages[0].id,
        }
        db.session.remove()
        db.engine.dispose()
    return known


def test_two_hosts_serve_one_portal_and_bear_a_bounded_load_without_error(two_hosts):
    """One set-up for both parts: starting the hosts is most of the test's time."""
    hosts, known, inbox = two_hosts
    work_across_the_hosts(hosts, known, inbox)
    bear_a_bounded_load(hosts, known)


def work_across_the_hosts(hosts: Hosts, known: dict, inbox: Inbox) -> None:
    host_a, host_b = hosts.urls

    # Signed in on one host, carrying on on the other.
    rep = browser()
    assert sign_in(rep, host_a, "rep@example.com").status_code == 302
    library = rep.get(f"{host_b}/library", allow_redirects=False, timeout=10)
    assert library.status_code == 200
    assert "Riley Rep" in library.text

    # Published on one host, found through search on the other within 2 s.
    published = requests.post(
        f"{host_a}/api/v1/assets/{known['draft_id']}/transitions",
        json={"action": "publish"},
        headers=known["marketer_token"],
        timeout=10,
    )
    assert published.status_code == 200, published.text
    started = time.monotonic()
    found_after = None
    while time.monotonic() - started < 10:
        hits = requests.get(
            f"{host_b}/api/v1/search", params={"q": "quokka"}, headers=known["rep_token"],
            timeout=10,
        ).json()  # fmt: skip
        if [hit["id"] for hit in hits["items"]] == [known["draft_id"]]:
            found_after = time.monotonic() - started
            break
        time.sleep(0.05)
    assert found_after is not None, "host B's search never found the asset"
    assert found_after < 2.0, f"found after {found_after:.2f} s"
    print(f"\npublished on host A, found on host B after {found_after * 1000:.0f} ms")

    # A file uploaded through one host, on a save refused for its missing stage, is kept
    # for the corrected save made through the other, and downloaded through the first.
    marketer = browser()
    assert sign_in(marketer, host_a, "marketer@example.com").status_code == 302
    token = csrf(marketer, f"{host_a}/assets/new")
    content = pdf_bytes("Shared upload folder")
    fields = {"csrf_token": token, "title": "Security pack", "body": "Answers."}
    refused = marketer.post(
        f"{host_a}/assets/new", data=fields,
        files={"file": ("security.pdf", content, "application/pdf")},
        allow_redirects=False, timeout=30,
    )  # fmt: skip
    assert "Attached: <strong>security.pdf</strong>" in refused.text
    kept = re.search(r'name="pending_file" type="hidden" value="([^"]+)"', refused.text)
    assert kept is not None
    created = marketer.post(
        f"{host_b}/assets/new",
        data={**fields, "stages": str(known["stage_id"]), "pending_file": kept.group(1)},
        allow_redirects=False, timeout=30,
    )  # fmt: skip
    assert created.status_code == 302, created.text
    asset_path = created.headers["Location"].split("?")[0].removeprefix(host_b)
    download = marketer.get(f"{host_a}{asset_path}/file", timeout=10)
    assert download.status_code == 200
    assert download.content == content

    # The sign-in limit (3 a minute) holds across both hosts.
    stranger = browser()
    statuses = [
        sign_in(stranger, base, "rep@example.com", "wrong password!").status_code
        for base in (host_a, host_b, host_a, host_b)
    ]
    assert statuses == [200, 200, 200, 429]

    # The digest run on both hosts at once emails each person once.
    inbox.messages.clear()
    runs = [
        subprocess.Popen(  # noqa: S603 - our own script
            [str(ENTRYPOINT), "flask", "--app", "portal", "digest", "send"],
            env=hosts.env(host),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        for host in ("host-a", "host-b")
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    recipients = sorted(rcpt for rcpts, _message in inbox.messages for rcpt in rcpts)
    assert recipients, outputs
    assert len(recipients) == len(set(recipients)), f"someone got two digests: {recipients}"


def bear_a_bounded_load(hosts: Hosts, known: dict) -> None:
    """8 connections through a rep's journey (sign in, board, search, asset), alternating
    hosts: no error, and the latencies printed."""
    latencies: list[float] = []
    errors: list[str] = []
    journeys = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + LOAD_SECONDS

    def journey(base: str) -> None:
        session = browser()
        steps = [
            ("sign in", lambda: sign_in(session, base, "rep@example.com")),
            ("board", lambda: session.get(f"{base}/library", timeout=10)),
            ("search", lambda: session.get(f"{base}/search?q=pricing", timeout=10)),
            ("asset", lambda: session.get(f"{base}/assets/{known['live_id']}", timeout=10)),
        ]
        for name, step in steps:
            began = time.perf_counter()
            try:
                response = step()
                failed = response.status_code >= 400 and f"{name}: {response.status_code}"
            except requests.RequestException as error:
                failed = f"{name}: {error}"
            took = time.perf_counter() - began
            with lock:
                latencies.append(took)
                if failed:
                    errors.append(failed)

    def connection(number: int) -> None:
        while time.monotonic() < deadline:
            journey(hosts.urls[number % 2])
            with lock:
                journeys[0] += 1

    threads = [threading.Thread(target=connection, args=(n,)) for n in range(LOAD_CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert journeys[0] >= LOAD_CONNECTIONS
    ordered = sorted(latencies)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    print(
        f"\n{journeys[0]} journeys, {len(latencies)} requests on 2 hosts in {LOAD_SECONDS} s "
        f"at {LOAD_CONNECTIONS} connections: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, 0 errors"
    )
