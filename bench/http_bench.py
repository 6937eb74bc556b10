"""HTTP benchmark: the seeded portal served by gunicorn (2 sync workers) beside a bare Flask
app in the same run, both driven by a real HTTP load tool (wrk).

For each database (SQLite, PostgreSQL) it seeds a portal (the demo library, or with
``--assets N`` a library of N assets inserted in bulk by the report benchmark's seeder),
starts gunicorn on it, and drives each page with ``wrk`` at 8 connections for a few
seconds; then it does the same for a bare Flask app rendering a comparable template (a
list of 24 cards in a layout). It prints requests/s, p50, p99, CPU ms per request (the
gunicorn processes' CPU time over the requests answered), SQL statements per request
(one request through the test client, counted on the engine) and the ratio to the
bare-Flask rate. See bench/README.md.

    apt-get install wrk                                   # once: the load tool
    .venv/bin/python bench/http_bench.py                  # both databases, demo library
    .venv/bin/python bench/http_bench.py --database sqlite --assets 10000
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import report_bench  # beside this file, as ``python bench/http_bench.py`` runs it
from sqlalchemy import create_engine, event, select, text

from content.library.models import Asset
from content.usage import share_links
from portal import create_app
from portal.accounts.services import issue_token
from portal.demo.seed import DEFAULT_PASSWORD, seed_demo
from portal.kernel.extensions import db
from portal.kernel.models import find_user
from search import indexing
from search.postgres_table import create_schema

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TANDEM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET = "http-bench-secret"  # noqa: S105 - the benchmark's throwaway portal
TARGET_SHARE = {"demo": 0.10, "large": 0.05}  # of the bare-Flask rate
P99_TARGET_MS = 250.0
GUNICORN = Path(sys.executable).with_name("gunicorn")
TICKS = os.sysconf("SC_CLK_TCK")
# Flask-Login ties a session to the browser it was made in: wrk sends the same agent.
AGENT = "tandem-http-bench"


@dataclass(frozen=True)
class Reader:
    email: str
    password: str


@dataclass(frozen=True)
class Timed:
    rate: float
    p50_ms: float
    p99_ms: float
    requests: int
    cpu_ms: float


@dataclass(frozen=True)
class Visit:
    """What the load tool presents: a reader's session cookie, an API token for the
    token API, and a buyer's share-link token (the buyer has no session)."""

    cookie: str
    api_token: str
    share_token: str

    def headers(self, path: str) -> dict[str, str]:
        if path.startswith("/api/"):
            return {"Authorization": f"Bearer {self.api_token}"}
        if path.startswith("/s/"):
            return {}
        return {"Cookie": f"session={self.cookie}"}


SEARCH_PAGE = "search"


def pages(asset_id: int, share_token: str) -> dict[str, str]:
    """The pages measured. The search page is served by each search backend in turn."""
    return {
        "library board": "/library",
        "asset page": f"/assets/{asset_id}",
        "asset list": "/assets",
        "API asset list": "/api/v1/assets?per_page=24",
        SEARCH_PAGE: "/search?q=pricing",
        "deals": "/deals",
        "content-usage report": "/reports/content-usage",
        "buyer's share page": f"/s/{share_token}",
    }


# ---- the portal -------------------------------------------------------------------------


def portal_env(url: str, workdir: Path, search_backend: str = "whoosh") -> dict[str, str]:
    """The environment gunicorn's portal reads its settings from."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "TANDEM_INSTANCE_PATH": str(workdir / "instance"),
        "TANDEM_SEARCH_BACKEND": search_backend,
        "TANDEM_SEARCH_INDEX_PATH": str(workdir / "search-index"),
        "TANDEM_JOBS": "held",
        "TANDEM_RATELIMIT_ENABLED": "false",
    }


def search_backends(database: str, args) -> list[str]:
    """The search backends to serve the search page with (PostgreSQL's needs PostgreSQL)."""
    if database != "postgres":
        return ["whoosh"]
    return ["whoosh", "postgres"] if args.search_backend == "both" else [args.search_backend]


def build_search_indexes(config: dict, backends: list[str]) -> None:
    """Index the seeded library for each backend, as `flask search rebuild` does."""
    for backend in backends:
        app = create_app({**config, "SEARCH_BACKEND": backend})
        with app.app_context():
            if backend == "postgres":
                create_schema(db.engine)  # a migrated database has it; create_all does not
            indexing.rebuild()
            db.session.commit()
            db.session.remove()
            db.engine.dispose()


def seed(app, assets: int) -> Reader:
    """The demo library, or ``assets`` assets in bulk; answers who reads the pages."""
    with app.app_context():
        db.create_all()
        if assets:
            sizes = report_bench.Sizes(assets=assets, reps=50, deals=2_000, events=50_000)
            report_bench.Seeder(sizes, seed=7).run()
            report_bench.after_seeding()
            reader = Reader("leader@bench.test", report_bench.PASSWORD)
        else:
            seed_demo()
            reader = Reader("leader@example.com", DEFAULT_PASSWORD)
        db.session.commit()
        db.session.remove()
    return reader


def signed_in(app, reader: Reader) -> tuple[Visit, int]:
    """A session cookie, an API token and a share link made by ``reader``, and the live
    asset they all look at."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = AGENT
    data = {"email": reader.email, "password": reader.password}
    if client.post("/login", data=data).status_code != 302:
        raise RuntimeError(f"Signing in as {reader.email} failed")
    cookie = client.get_cookie("session")
    assert cookie is not None
    with app.app_context():
        user = find_user(reader.email)
        api_token = issue_token(user, "http bench")
        asset = db.session.scalar(select(Asset).where(Asset.live_clause()).limit(1))
        if asset is None:
            raise RuntimeError("The seeded library has no live asset")
        _link, share_token = share_links.create_link(asset, user, expires_in_days=30)
        asset_id = asset.id
        db.session.commit()
        db.session.remove()
    return Visit(cookie.value, api_token, share_token), asset_id


def statements(app, visit: Visit, path: str) -> int:
    """How many SQL statements one request of ``path`` runs (after one to warm up)."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = AGENT
    if not path.startswith("/s/"):
        client.set_cookie("session", visit.cookie)
    headers = visit.headers(path) if path.startswith("/api/") else {}
    sent: list[str] = []
    with app.app_context():
        engine = db.engine

        def count(_conn, _cursor, statement, *_args) -> None:
            sent.append(statement)

        client.get(path, headers=headers)
        event.listen(engine, "before_cursor_execute", count)
        try:
            status = client.get(path, headers=headers).status_code
        finally:
            event.remove(engine, "before_cursor_execute", count)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    return len(sent)


# ---- serving and loading ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with 2 sync workers serving ``app`` (a WSGI entry point) on a free port."""

    def __init__(self, app: str, env: dict[str, str], workers: int):
        self.port = free_port()
        command = [str(GUNICORN), "-w", str(workers), "-k", "sync", "-b",
                   f"127.0.0.1:{self.port}", "--log-level", "warning", app]  # fmt: skip
        # The portal logs a line per request: kept out of the figures' terminal, shown
        # only when the server does not start.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the server
        self.process = subprocess.Popen(  # noqa: S603 - our command
            command, cwd=ROOT, env=env, stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.log.seek(0)
        tail = self.log.read()[-3000:].decode(errors="replace")
        self.stop()
        raise RuntimeError(f"gunicorn did not start: {' '.join(command)}\n{tail}")

    def cpu_seconds(self) -> float:
        """CPU time of the master and its workers so far."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids += [int(pid) for pid in children.read_text().split()]
        total = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / TICKS

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _found(pattern: str, out: str) -> str:
    match = re.search(pattern, out)
    if match is None:
        raise RuntimeError(f"wrk's output has no {pattern!r}:\n{out}")
    return match.group(1)


def _ms(value: str) -> float:
    """wrk's "635.91us", "1.20ms" or "2.01s" in milliseconds."""
    number = _found(r"^([\d.]+)(?:us|ms|s)$", value)
    return float(number) * _UNITS[value[len(number) :]]


def warm(server: Server, path: str, headers: dict[str, str], args) -> None:
    """A few requests one after another, so that every worker has served the page once
    (a worker's first request of a page can take seconds), then a short load (none with
    ``--warm-seconds 0``)."""
    for _ in range(2 * args.workers):
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.port}{path}", headers={**headers, "User-Agent": AGENT}
        )
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - our server
            answer.read()
    if args.warm_seconds > 0:
        load(server, path, headers, args, seconds=args.warm_seconds)


def load(server: Server, path: str, headers: dict[str, str], args, seconds=None) -> Timed:
    """Drive ``path`` with wrk and read its rate, latency percentiles and request count."""
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{seconds or args.seconds}s",
               "--timeout", "10s", "--latency",
               "-H", f"User-Agent: {AGENT}"]  # fmt: skip
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{server.port}{path}")
    cpu = server.cpu_seconds()
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    cpu = server.cpu_seconds() - cpu
    requests = int(_found(r"(\d+) requests in", out))
    if "Non-2xx" in out:
        raise RuntimeError(f"{path} answered errors under load:\n{out}")
    return Timed(
        rate=float(_found(r"Requests/sec:\s+([\d.]+)", out)),
        p50_ms=_ms(_found(r"(?m)^\s+50%\s+(\S+)\s*$", out)),
        p99_ms=_ms(_found(r"(?m)^\s+99%\s+(\S+)\s*$", out)),
        requests=requests,
        cpu_ms=1000 * cpu / max(requests, 1),
    )


# ---- one run ----------------------------------------------------------------------------


def run_bare(args) -> Timed:
    server = Server("bench.bare_flask:app", dict(os.environ), args.workers)
    try:
        warm(server, "/", {}, args)
        return load(server, "/", {}, args)
    finally:
        server.stop()


@contextmanager
def scratch_database(
    name: str, pg_url: str, workdir: Path, prefix: str, keep: bool = False
) -> Iterator[str]:
    """The URL of an empty database for one run: a SQLite file in ``workdir``, or for
    "postgres" a schema named ``prefix`` and a random suffix, dropped when the run ends
    unless ``keep``."""
    workdir.mkdir(parents=True, exist_ok=True)
    if name == "sqlite":
        yield f"sqlite:///{workdir / 'tandem.db'}"
        return
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{pg_url}?options=-csearch_path%3D{schema}"
    finally:
        if not keep:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run_database(name: str, args, workdir: Path) -> dict:
    with scratch_database(name, args.pg_url, workdir, "http_bench") as url:
        return _measure(name, url, args, workdir)


def _measure(name: str, url: str, args, workdir: Path) -> dict:
    config = {
        **report_bench.bench_config(url, workdir),
        "SECRET_KEY": SECRET,
        "SEARCH_INDEX_PATH": str(workdir / "search-index"),
    }
    app = create_app(config)
    step(f"seeding {name} ({args.assets or 'the demo'} assets)")
    reader = seed(app, args.assets)
    visit, asset_id = signed_in(app, reader)
    chosen = {page: path for page, path in pages(asset_id, visit.share_token).items()
              if not args.only or page in args.only}  # fmt: skip
    backends = search_backends(name, args) if SEARCH_PAGE in chosen else []
    build_search_indexes(config, backends)
    figures = {}
    try:
        for backend in backends or ["whoosh"]:
            server = Server("portal:create_app()", portal_env(url, workdir, backend), args.workers)
            try:
                for page, path in chosen.items():
                    if backend != "whoosh" and page != SEARCH_PAGE:
                        continue
                    label = f"{page} ({backend})" if page == SEARCH_PAGE else page
                    step(f"  {name}: {label}")
                    headers = visit.headers(path)
                    warm(server, path, headers, args)
                    timed = load(server, path, headers, args)
                    count = statements(app if backend == "whoosh" else _app_with(config, backend),
                                       visit, path)  # fmt: skip
                    figures[label] = {**timed.__dict__, "statements": count, "path": path}
            finally:
                server.stop()
    finally:
        with app.app_context():
            db.engine.dispose()
    return figures


def _app_with(config: dict, backend: str):
    return create_app({**config, "SEARCH_BACKEND": backend})


def step(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def report(bare: Timed, results: dict, args) -> None:
    share = TARGET_SHARE["large" if args.assets else "demo"]
    print(f"bare Flask: {bare.rate:,.0f} req/s, p50 {bare.p50_ms:.2f} ms, "
          f"p99 {bare.p99_ms:.2f} ms, {bare.cpu_ms:.2f} CPU ms/request")  # fmt: skip
    print(f"library: {args.assets or 'demo'} assets; {args.connections} connections, "
          f"{args.seconds} s a page; load average {os.getloadavg()[0]:.1f}\n")  # fmt: skip
    header = ("database", "page", "SQL", "req/s", "p50 ms", "p99 ms", "CPU ms", "of bare")
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    misses = 0
    for database, figures in results.items():
        for page, f in figures.items():
            ratio = f["rate"] / bare.rate
            ok = ratio >= share and f["p99_ms"] < P99_TARGET_MS
            misses += not ok
            print(f"| {database} | {page} | {f['statements']} | {f['rate']:,.1f} | "
                  f"{f['p50_ms']:.1f} | {f['p99_ms']:.1f} | {f['cpu_ms']:.1f} | "
                  f"{ratio:.1%}{'' if ok else ' (miss)'} |")  # fmt: skip
    print(f"\nTargets: at least {share:.0%} of the bare-Flask rate and p99 under "
          f"{P99_TARGET_MS:.0f} ms; {misses} page(s) miss.")  # fmt: skip


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--assets", type=int, default=0, help="0: the demo library")
    parser.add_argument("--seconds", type=int, default=5, help="of load per page")
    parser.add_argument(
        "--warm-seconds", type=int, default=1, help="of load per page before it is timed"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="page names (e.g. 'library board')")
    parser.add_argument(
        "--search-backend",
        choices=("whoosh", "postgres", "both"),
        default="both",
        help="which backend serves the search page on PostgreSQL (SQLite: Whoosh)",
    )
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="http-bench-"))
    names = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    step("bare Flask")
    bare = run_bare(args)
    results = {name: run_database(name, args, workdir / name) for name in names}
    report(bare, results, args)
    if args.json:
        args.json.write_text(json.dumps({"bare": bare.__dict__, "databases": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
