"""Job-queue benchmark: index and email jobs worked off by the in-process default and by one
and two `flask --app portal worker` processes on Redis, in the same run.

Each round asks for ``--jobs`` jobs, half ``search.index`` (a commit that changes an asset
and so writes a search-outbox row) and half ``notifications.email`` (a commit that notifies
one person while a mail server listens), on a PostgreSQL schema of its own (or SQLite with
``--database sqlite``, in-process only: SQLite is not for several processes). Two figures
per way of running jobs:

- **drain**: every job is queued first (no worker running), then the workers start; the
  jobs/s is the count over the time from the first email's arrival (the workers are up:
  their start-up is left out) until the last email arrived and the outbox is empty.
- **delay**: ``--paced`` commits at a steady rate while the workers run; the delay is from
  each commit to its email arriving at the mail server (p50, p95, p99).

    .venv/bin/python bench/job_bench.py                 # 10,000 jobs; thread, 1 and 2 workers
    .venv/bin/python bench/job_bench.py --jobs 400 --paced 40 --json out.json
"""

import argparse
import json
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import redis
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, delete, func, select, text

from content.library.models import Asset, Stage
from content.library.services import AssetInput, create_asset
from content.taxonomy.services import ensure_defaults
from portal import create_app
from portal.accounts.services import create_user
from portal.kernel.extensions import db
from portal.kernel.jobs import job_queue
from portal.kernel.models import Role, User
from portal.kernel.notifications import notify
from search.models import SearchOutbox

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TANDEM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TANDEM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
ASSETS = 50


class Sink:
    """A mail server that notes when each benchmark email arrived, by its sequence number."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        marker = envelope.content.split(b"bench-seq-", 1)
        if len(marker) == 2:
            sequence = int(marker[1].split(b" ", 1)[0].split(b"\r", 1)[0])
            with self.lock:
                self.arrived[sequence] = now
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.arrived)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Portal:
    """The database, the settings every process shares and the bench's own app."""

    def __init__(self, args, workdir: Path, mail_port: int) -> None:
        self.args = args
        self.workdir = workdir
        self.schema = f"jobbench_{uuid.uuid4().hex[:10]}"
        if args.database == "postgres":
            with create_engine(PG_URL).begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            self.url = f"{PG_URL}?options=-csearch_path%3D{self.schema}"
        else:
            self.url = f"sqlite:///{workdir / 'tandem.db'}"
        self.environment = {
            "DATABASE_URL": self.url,
            "SECRET_KEY": "bench-secret",
            "TANDEM_INSTANCE_PATH": str(workdir / "instance"),
            "TANDEM_SEARCH_BACKEND": "postgres" if args.database == "postgres" else "whoosh",
            "TANDEM_SEARCH_INDEX_PATH": str(workdir / "search-index"),
            "TANDEM_MAIL_SERVER": "127.0.0.1",
            "TANDEM_MAIL_PORT": str(mail_port),
            "TANDEM_REDIS_URL": REDIS_URL,
            "TANDEM_JOB_SWEEP_SECONDS": "3600",  # the sweeps would blur the figures
            "TANDEM_DIGEST_SCHEDULE": "",
        }

    def app(self, jobs: str, namespace: str):
        settings = {
            "SQLALCHEMY_DATABASE_URI": self.url,
            "SECRET_KEY": "bench-secret",
            "INSTANCE_PATH": str(self.workdir / "instance"),
            "SEARCH_BACKEND": self.environment["TANDEM_SEARCH_BACKEND"],
            "SEARCH_INDEX_PATH": str(self.workdir / "search-index"),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": int(self.environment["TANDEM_MAIL_PORT"]),
            "REDIS_URL": REDIS_URL,
            "JOBS": jobs,
            "JOB_NAMESPACE": namespace,
            "JOB_SWEEP_SECONDS": 3600,
            "DIGEST_SCHEDULE": "",
            "RATELIMIT_ENABLED": False,
        }
        return create_app(settings)

    def prepare(self) -> None:
        app = self.app("held", "prepare")
        with app.app_context():
            db.create_all()
            ensure_defaults()
            author = create_user("author@example.com", "Author", Role.MARKETER, "bench-password")
            create_user("reader@example.com", "Reader", Role.REP, "bench-password")
            stage = db.session.scalar(select(Stage).where(Stage.slug == "decision"))
            for n in range(ASSETS):
                create_asset(author, AssetInput(title=f"Asset {n}", body="Body.", stages=[stage]))
            db.session.commit()
            db.session.execute(delete(SearchOutbox))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

    def drop(self) -> None:
        if self.args.database == "postgres":
            with create_engine(PG_URL).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))


def commit_pairs(app, first: int, count: int, pace: float | None, started: dict[int, float]):
    """``count`` transactions, each asking for one index job and one email job; the commit
    time of each is noted by sequence number."""
    with app.app_context():
        reader = db.session.scalar(select(User).where(User.role == Role.REP))
        for sequence in range(first, first + count):
            # A changed asset writes its outbox row and asks for search.index.
            db.session.get(Asset, sequence % ASSETS + 1).title = f"Asset {sequence}"
            notify(reader, "approved", f"bench-seq-{sequence} approved", "/assets/1")
            db.session.commit()
            started[sequence] = time.perf_counter()
            if pace:
                time.sleep(pace)
        db.session.remove()


def outbox_left(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count(SearchOutbox.id))) or 0
        finally:
            db.session.remove()


def start_workers(portal: Portal, count: int, namespace: str, threads: int) -> list:
    environment = {**os.environ, **portal.environment, "TANDEM_JOB_NAMESPACE": namespace}
    return [
        subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "flask", "--app", "portal", "worker", "--threads", str(threads)],
            cwd=ROOT,
            env=environment,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def stop_workers(workers: list) -> None:
    for worker in workers:
        os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        worker.wait(30)


def wait_done(app, sink: Sink, emails: int, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if sink.count() >= emails and outbox_left(app) == 0:
            return True
        time.sleep(0.01)
    return False


def one_way(portal: Portal, sink: Sink, mode: str, workers: int, args) -> dict:
    """Drain and delay figures for one way of running jobs."""
    namespace = f"jobbench-{uuid.uuid4().hex[:8]}"
    app = portal.app("thread" if mode == "thread" else "redis", namespace)
    pairs = args.jobs // 2
    figures: dict = {"mode": mode, "workers": workers, "jobs": pairs * 2}
    try:
        sink.arrived.clear()
        started: dict[int, float] = {}
        commit_pairs(app, 0, pairs, None, started)
        figures["queue_s"] = round(max(started.values()) - min(started.values()), 2)
        begin = time.perf_counter()
        processes = []
        if mode == "thread":
            job_queue(app).start()
        else:
            processes = start_workers(portal, workers, namespace, args.threads)
        done = wait_done(app, sink, pairs, args.timeout)
        finished = time.perf_counter()
        first = min(sink.arrived.values(), default=finished)
        elapsed = max(finished - first, 1e-3)
        figures["drain"] = {
            "done": done,
            "start_s": round(first - begin, 2),
            "seconds": round(elapsed, 2),
            "jobs_per_s": round(pairs * 2 / elapsed, 1),
        }
        sink.arrived.clear()
        started.clear()
        commit_pairs(app, pairs, args.paced, 1 / args.rate, started)
        wait_done(app, sink, args.paced, args.timeout)
        delays = [
            (sink.arrived[seq] - started[seq]) * 1000 for seq in started if seq in sink.arrived
        ]
        figures["delay_ms"] = {
            "count": len(delays),
            "p50": round(statistics.median(delays), 1) if delays else None,
            "p95": round(percentile(delays, 0.95), 1) if delays else None,
            "p99": round(percentile(delays, 0.99), 1) if delays else None,
        }
        if mode == "thread":
            job_queue(app).stop()
        else:
            stop_workers(processes)
    finally:
        with app.app_context():
            db.engine.dispose()
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{namespace}*"))
        if keys:
            client.delete(*keys)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000, help="index plus email jobs")
    parser.add_argument("--paced", type=int, default=200, help="paced commits for the delay")
    parser.add_argument("--rate", type=float, default=50.0, help="paced commits per second")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process")
    parser.add_argument("--max-workers", type=int, default=2, help="Redis worker processes, 1 to N")
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    workdir = Path(tempfile.mkdtemp(prefix="job-bench-"))
    portal = Portal(args, workdir, port)
    results = []
    try:
        portal.prepare()
        ways = [("thread", 1)]
        if args.database == "postgres":
            ways += [("redis", count) for count in range(1, args.max_workers + 1)]
        for mode, workers in ways:
            figures = one_way(portal, sink, mode, workers, args)
            results.append(figures)
            print(_line(figures), flush=True)
    finally:
        controller.stop()
        portal.drop()
    baseline = results[0]["drain"]["jobs_per_s"]
    for figures in results[1:]:
        share = figures["drain"]["jobs_per_s"] / baseline
        print(f"{_name(figures)}: {share:.2f}× the in-process default's drain rate")
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)},
                                         "results": results}, indent=2))  # fmt: skip
    return 0 if all(r["drain"]["done"] for r in results) else 1


def _name(figures: dict) -> str:
    if figures["mode"] == "thread":
        return "in-process thread"
    return f"redis, {figures['workers']} worker(s)"


def _line(figures: dict) -> str:
    drain, delay = figures["drain"], figures["delay_ms"]
    return (
        f"{_name(figures):22} start {drain['start_s']:5.2f} s, "
        f"drain {figures['jobs']} jobs in {drain['seconds']:7.2f} s "
        f"= {drain['jobs_per_s']:7.1f} jobs/s{'' if drain['done'] else ' (TIMED OUT)'}; "
        f"commit→email p50 {delay['p50']} ms, p95 {delay['p95']} ms, p99 {delay['p99']} ms"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
