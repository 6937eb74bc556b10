"""Search memory benchmark: how much a web worker holds once it has searched.

Each figure comes from a fresh process (as a web worker starts) that creates the app on an
existing library and reads its resident memory (VmRSS, and the peak VmHWM, from
/proc/self/status) after start, after its first search, and after replaying the search
benchmark's query set (bench/search_bench.py QUERIES, with and without highlights) from 1
and from 4 threads at once, as a threaded worker would. See bench/README.md.

    # a Whoosh library kept by `bench/search_bench.py --assets N --workdir DIR --keep`
    .venv/bin/python bench/search_memory.py --workdir /tmp/sb-w10k
    # a PostgreSQL library (assets and search_documents already filled in)
    .venv/bin/python bench/search_memory.py --backend postgres \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("start", "first search", "query set")
FIRST_QUERY = "pricing"
READ = ("VmRSS", "VmHWM", "RssAnon", "RssFile")
CELL = "{VmRSS:.0f} / {VmHWM:.0f} ({RssAnon:.0f} + {RssFile:.0f})"


def status() -> dict[str, float]:
    """This process's memory figures in MB, from /proc/self/status."""
    figures = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _sep, value = line.partition(":")
        if name in READ:
            figures[name] = int(value.split()[0]) / 1024  # kB
    return figures


def app_config(args) -> dict:
    """The settings of the app under test: the kept workdir's database and index, or the
    given database and the PostgreSQL backend."""
    # Without a workdir, instance and upload folders of its own that nothing writes to.
    workdir = args.workdir or Path(tempfile.gettempdir()) / "tandem-search-memory"
    config = {
        "SECRET_KEY": "bench-secret",
        "SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{workdir / 'tandem.db'}",
        "INSTANCE_PATH": str(workdir / "instance"),
        "UPLOAD_FOLDER": str(workdir / "uploads"),
        "SEARCH_BACKEND": args.backend,
        # No indexer thread: only searching is measured.
        "JOBS": "held",
        "RATELIMIT_ENABLED": False,
    }
    if args.backend == "whoosh":
        config["SEARCH_INDEX_PATH"] = str(args.index or workdir / "search-index")
    return config


def searcher_user_id() -> int:
    """The rep the search benchmark searches as, or else any rep."""
    from sqlalchemy import select

    from portal.kernel.extensions import db
    from portal.kernel.models import Role, User

    found = db.session.scalar(select(User.id).where(User.email == "rep@bench.test"))
    found = found or db.session.scalar(select(User.id).where(User.role == Role.REP).limit(1))
    if found is None:
        sys.exit("The database holds no rep to search as.")
    return found


def query_set() -> list[tuple[str, str | None]]:
    sys.path.insert(0, str(ROOT / "bench"))
    from search_bench import QUERIES

    return list(QUERIES)


def measure(args) -> dict:
    """The child process: create the app, search, and read the memory after each step."""
    if args.tracemalloc:
        tracemalloc.start(25)
    from portal import create_app
    from portal.kernel.extensions import db
    from portal.kernel.models import User
    from search.service import search

    app = create_app(app_config(args))
    figures: dict = {"threads": args.threads, "stages": {}}
    with app.app_context():
        user_id = searcher_user_id()
        db.session.get(User, user_id)
        gc.collect()
        figures["stages"]["start"] = status()
        queries = query_set()[: args.queries or None]

        started = time.perf_counter()
        search(db.session.get(User, user_id), FIRST_QUERY, {})
        figures["first_search_ms"] = (time.perf_counter() - started) * 1000
        gc.collect()
        figures["stages"]["first search"] = status()
        db.session.remove()

    errors: list[str] = []
    start = threading.Barrier(args.threads + 1)
    done = threading.Barrier(args.threads + 1)

    def replay() -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            start.wait()
            try:
                for _round in range(args.rounds):
                    for highlight in (True, False):
                        for query, stage in queries:
                            filters = {"stages": stage} if stage else {}
                            search(user, query, filters, highlight=highlight)
            except Exception as error:  # noqa: BLE001 - counted and reported
                errors.append(repr(error))
            finally:
                db.session.remove()
                # Measured while every thread is still alive, as a worker's threads are:
                # what a thread keeps (its searcher) goes when it ends.
                done.wait()

    threads = [threading.Thread(target=replay) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    done.wait(timeout=3600)
    figures["query_set_s"] = time.perf_counter() - started
    gc.collect()
    figures["stages"]["query set"] = status()
    figures["searches"] = args.threads * args.rounds * 2 * len(queries)
    figures["errors"] = errors
    if args.tracemalloc:
        snapshot = tracemalloc.take_snapshot()
        top = snapshot.statistics("traceback")[: args.tracemalloc]
        figures["tracemalloc"] = [
            {"mb": stat.size / 2**20, "count": stat.count, "where": stat.traceback.format()[-6:]}
            for stat in top
        ]
        figures["traced_mb"] = sum(s.size for s in snapshot.statistics("filename")) / 2**20
    for thread in threads:
        thread.join()
    return figures


def child_command(args, threads: int) -> list[str]:
    command = [sys.executable, __file__, "--child", "--threads", str(threads)]
    command += ["--backend", args.backend, "--rounds", str(args.rounds)]
    command += ["--queries", str(args.queries)]
    if args.workdir:
        command += ["--workdir", str(args.workdir)]
    if args.index:
        command += ["--index", str(args.index)]
    if args.database_url:
        command += ["--database-url", args.database_url]
    if args.tracemalloc:
        command += ["--tracemalloc", str(args.tracemalloc)]
    return command


def run_child(args, threads: int) -> dict:
    # A PYTHONPATH given comes first (e.g. another version's search/ to compare with).
    paths = [path for path in (os.environ.get("PYTHONPATH"), str(ROOT)) if path]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    finished = subprocess.run(  # noqa: S603 - this script, with its own arguments
        child_command(args, threads), cwd=ROOT, env=env, capture_output=True, text=True
    )
    if finished.returncode != 0:
        sys.exit(f"The measuring process failed:\n{finished.stderr[-4000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def print_table(args, runs: list[dict]) -> None:
    where = args.database_url or args.workdir
    print(f"\nSearch worker memory, {args.backend} backend, {where}")
    print("RSS / peak (anonymous + file-backed) in MB after each step; a fresh process each\n")
    heads = [f"{run['threads']} thread{'s' if run['threads'] > 1 else ''}" for run in runs]
    print(f"| step | {' | '.join(heads)} |")
    print(f"| --- |{' --- |' * len(runs)}")
    for stage in STAGES:
        figures = [run["stages"][stage] for run in runs]
        cells = [CELL.format(**figure) for figure in figures]
        print(f"| {stage} | {' | '.join(cells)} |")
    cells = [f"{run['first_search_ms']:.0f}" for run in runs]
    print(f"| first search (ms) | {' | '.join(cells)} |")
    cells = [f"{run['searches']} in {run['query_set_s']:.1f} s" for run in runs]
    print(f"| query set searches | {' | '.join(cells)} |")
    for run in runs:
        if run["errors"]:
            count, threads = len(run["errors"]), run["threads"]
            print(f"\n{count} errors with {threads} threads: {run['errors'][:3]}")
        for stat in run.get("tracemalloc", []):
            print(f"\n{stat['mb']:.1f} MB in {stat['count']} blocks:")
            print("\n".join(stat["where"]))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, help="a workdir kept by search_bench.py --keep")
    parser.add_argument("--backend", choices=("whoosh", "postgres"), default="whoosh")
    parser.add_argument("--database-url", help="the library's database (default: the workdir's)")
    parser.add_argument("--index", type=Path, help="the Whoosh index (default: the workdir's)")
    parser.add_argument(
        "--threads", type=int, nargs="+", default=[1, 4], help="threads replaying the queries"
    )
    parser.add_argument("--rounds", type=int, default=1, help="passes over the query set")
    parser.add_argument("--queries", type=int, default=0, help="only the first N queries")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--tracemalloc", type=int, default=0, metavar="K", help="print the K largest allocations"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    built = args.workdir / "build.json" if args.workdir else None
    if args.database_url is None and built is not None and built.exists():
        # A kept PostgreSQL build names its database (search_bench.py --backend postgres).
        args.database_url = json.loads(built.read_text()).get("database_url")
    if args.backend == "whoosh" and not (args.workdir or (args.database_url and args.index)):
        parser.error("the Whoosh backend needs --workdir (or --database-url and --index)")
    if args.backend == "postgres" and not args.database_url:
        parser.error("the PostgreSQL backend needs --database-url")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        (args.threads,) = args.threads
        print(json.dumps(measure(args)))
        return 0
    runs = [run_child(args, threads) for threads in args.threads]
    print_table(args, runs)
    if args.json:
        args.json.write_text(json.dumps({"backend": args.backend, "runs": runs}, indent=2))
    return 1 if any(run["errors"] for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
