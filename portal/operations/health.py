"""Readiness: whether this process can serve requests now, check by check.

Each check answers a small dict, ``{"ok": True}`` or ``{"ok": False, "message": ...}``, whose
message is a short sentence for the person on call: never an exception's text, which may
name a host, a user or worse. The checks run side by side in a few threads shared by the
process, and whatever has not answered within ``DEADLINE`` seconds counts as failing, so a
database or Redis that hangs still gets an answer to the load balancer in time.
"""

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import lru_cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from portal.kernel.extensions import db
from search.backend import SearchBackend
from search.indexing import get_backend

log = logging.getLogger(__name__)

# Seconds the whole of /readyz may take, and each network call to Redis.
DEADLINE = 1.5
REDIS_TIMEOUT = 1.0
VERSION_TABLE = "alembic_version"
Outcome = dict[str, object]

# Shared by every application of the process; a check stuck on a hung server holds one
# thread until its own timeout, and later probes still answer by the deadline.
_checks = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readiness")


def passed(**details: object) -> Outcome:
    """A check that passed, with what is worth showing (nothing secret)."""
    return {"ok": True, **details}


def failed(message: str) -> Outcome:
    """A check that failed, and why in a sentence."""
    return {"ok": False, "message": message}


def check_database(engine: Engine) -> Outcome:
    """The database answers a query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        log.warning("Readiness: the database did not answer (%s)", type(error).__name__)
        return failed(f"The database did not answer a query ({type(error).__name__}).")
    return passed()


@lru_cache
def script_heads(directory: str) -> frozenset[str]:
    """The head revisions of the migration scripts in ``directory``, read once per
    process (reading every script takes a while, and they do not change under it)."""
    config = Config()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def check_migrations(engine: Engine, directory: str) -> Outcome:
    """The database is at the head revision(s) of the migrations this code ships."""
    try:
        with engine.connect() as connection:
            current = _current_revisions(connection)
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        return failed(f"The migration revision could not be read ({type(error).__name__}).")
    heads = script_heads(directory)
    if current == heads:
        return passed(revision=sorted(current))
    if not current:
        return failed("The database has no migration revision: run `flask db upgrade`.")
    return failed(
        f"The database is at {', '.join(sorted(current))} but this code expects "
        f"{', '.join(sorted(heads))}: run `flask db upgrade`."
    )


def _current_revisions(connection: Connection) -> frozenset[str]:
    """What ``alembic current`` reads, without Alembic's INFO line on every probe."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    return frozenset(connection.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")))  # noqa: S608


def check_search(backend: SearchBackend) -> Outcome:
    """The search backend can answer searches."""
    try:
        problem = backend.readiness()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        problem = f"The {backend.name} search index could not be checked ({type(error).__name__})."
    return failed(problem) if problem else passed(backend=backend.name)


def check_redis(url: str) -> Outcome:
    """Redis answers a ping within ``REDIS_TIMEOUT``."""
    import redis  # only a portal configured with Redis checks it; see RedisQueue

    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )
    try:
        client.ping()
    except redis.RedisError as error:
        return failed(f"Redis did not answer a ping ({type(error).__name__}).")
    finally:
        client.close()
    return passed()


def readiness(app: Flask) -> tuple[bool, dict[str, Outcome]]:
    """Run every check for ``app`` (inside its request) and say whether all passed."""
    # Read here: the checks' threads have no application context.
    engine, backend = db.engine, get_backend(app)
    migrations = app.extensions["migrate"].directory
    planned: dict[str, Callable[[], Outcome]] = {
        "database": lambda: check_database(engine),
        "migrations": lambda: check_migrations(engine, migrations),
        "search_index": lambda: check_search(backend),
    }
    redis_url = app.config["REDIS_URL"]
    if redis_url:
        planned["redis"] = lambda: check_redis(redis_url)
    running: dict[str, Future[Outcome]] = {
        name: _checks.submit(check) for name, check in planned.items()
    }
    wait(running.values(), timeout=DEADLINE)
    checks = {name: _outcome(future) for name, future in running.items()}
    if not redis_url:
        checks["redis"] = passed(configured=False)
    return all(check["ok"] for check in checks.values()), checks


def _outcome(future: Future[Outcome]) -> Outcome:
    if not future.done():
        return failed(f"No answer within {DEADLINE} seconds.")
    error = future.exception()
    if error is not None:
        log.warning("A readiness check failed unexpectedly", exc_info=error)
        return failed(f"The check failed unexpectedly ({type(error).__name__}).")
    return future.result()
