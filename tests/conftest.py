"""Shared fixtures: an app per test with a fresh database, clients per role (the factories
they use are in tests/factories.py).

Every test that uses ``app`` runs twice, once on SQLite and once on PostgreSQL, each time
on a database holding only the schema and the default taxonomy (a copy of a SQLite file
built once per worker; a PostgreSQL schema per worker, emptied before each test).
Set TANDEM_TEST_DATABASES=sqlite to run only one of them. Outside CI a missing
PostgreSQL skips its half with a message; in CI (CI=true) it fails the run.
"""

import gc
import json
import logging
import os
import shutil
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import text

from content.taxonomy.services import ensure_defaults
from portal.accounts.services import create_user
from portal.kernel.extensions import db
from tests.factories import (
    IN_CI,
    PASSWORD,
    fresh_database,
    login,
    make_app,
    postgres_schema,
    require_postgres,
    selected_databases,
    share_engines_between_apps,
)
from tests.oidc.helpers import HOW_TO_ENABLE, Provider, missing_requirement, running_provider


def pytest_configure(config):
    share_engines_between_apps()


def pytest_collection_finish(session):
    """Leave the modules, tests and fixtures loaded by now out of the garbage collector's
    full passes: they live until the run ends, and walking them again and again as each
    test's application became garbage cost about a tenth of a test process's time."""
    gc.collect()
    gc.freeze()


@pytest.fixture(params=selected_databases())
def database(request) -> str:
    """ "sqlite" or "postgres": every test that uses a database runs on both."""
    return request.param


@pytest.fixture
def database_url(database, tmp_path):
    """A fresh, empty database: a SQLite file or a PostgreSQL schema of its own."""
    with fresh_database(database, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file with the schema and the default taxonomy, which tests copy."""
    folder = tmp_path_factory.mktemp("template")
    app = make_app(f"sqlite:///{folder / 'template.db'}", folder)
    with app.app_context():
        db.create_all()
        ensure_defaults()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return folder / "template.db"


class PostgresWorkerSchema:
    """One PostgreSQL schema per test worker, emptied before each test.

    Building the schema for every test cost about 0.17 s. Emptying its tables, restarting
    their sequences and putting the default taxonomy back is one function, written once
    per worker, so a reset is a single round trip instead of a dozen statements.
    """

    def __init__(self, url: str, folder):
        self.url = url
        app = make_app(url, folder)
        with app.app_context():
            db.create_all()
            ensure_defaults()
            db.session.commit()
            with db.engine.begin() as conn:
                # Doubled: the driver reads a lone % as a parameter's placeholder.
                conn.exec_driver_sql(_reset_function(conn).replace("%", "%%"))
            db.session.remove()
            db.engine.dispose()

    def reset(self) -> None:
        """Leave only the default taxonomy, as create_all and ensure_defaults would, and
        drop tables an earlier test created (the PostgreSQL search backend's)."""
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"SELECT {RESET_FUNCTION}()")


RESET_FUNCTION = "tandem_test_reset"


def _reset_function(conn) -> str:
    """The CREATE FUNCTION statement for the reset, with the default rows as they are now."""
    tables = list(reversed(db.metadata.sorted_tables))
    sequences = conn.scalars(
        text(
            "SELECT sequence_name FROM information_schema.sequences "
            "WHERE sequence_schema = current_schema()"
        )
    ).all()
    known = ", ".join(f"'{table.name}'" for table in tables)
    # Foreign-key triggers are off while emptying: assets and revisions refer to each
    # other, so no order of deletes satisfies them.
    body = [
        "DECLARE extra text;",
        "BEGIN",
        "FOR extra IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"  # noqa: S608
        f" AND tablename <> ALL (ARRAY[{known}]) LOOP",
        "EXECUTE 'DROP TABLE ' || quote_ident(extra) || ' CASCADE';",
        "END LOOP;",
        "PERFORM set_config('session_replication_role', 'replica', true);",
        *(f'DELETE FROM "{table.name}";' for table in tables),  # noqa: S608 - our own names
        # setval, not ALTER SEQUENCE … RESTART: a restart gives the sequence a new file,
        # and creating 40 files made a reset five times slower.
        *(f"PERFORM setval('\"{name}\"', 1, false);" for name in sequences),
    ]
    for table in reversed(tables):
        rows = conn.scalar(text(f'SELECT json_agg(t) FROM "{table.name}" t'))  # noqa: S608
        if rows is None:
            continue
        columns = ", ".join(f'"{column.name}"' for column in table.columns)
        literal = json.dumps(rows).replace("'", "''")
        body += [
            f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} '  # noqa: S608
            f"FROM json_populate_recordset(NULL::\"{table.name}\", '{literal}');",
            f"PERFORM setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
            f"{max(row['id'] for row in rows)});",
        ]
    body.append("END")
    statements = "\n".join(body)
    return (
        f"CREATE FUNCTION {RESET_FUNCTION}() RETURNS void LANGUAGE plpgsql AS "
        f"$reset$\n{statements}\n$reset$"
    )


@pytest.fixture(scope="session")
def postgres_worker_schema(tmp_path_factory) -> Iterator[PostgresWorkerSchema]:
    require_postgres()
    with postgres_schema() as url:
        yield PostgresWorkerSchema(url, tmp_path_factory.mktemp("postgres"))


@pytest.fixture
def app(database, tmp_path, request):
    """The application with an empty schema, the default taxonomy and an app context."""
    if database == "sqlite":
        # A copy of a database built once per worker: the same schema and defaults in a
        # millisecond instead of building them again for every test. Each test has a file
        # of its own (and so an engine of its own): a connection an earlier test's thread
        # still held would otherwise meet the next test's file under the same name.
        url = f"sqlite:///{tmp_path / 'test.db'}"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "test.db")
        schema = None
    else:
        schema = request.getfixturevalue("postgres_worker_schema")
        url = schema.url
    # @pytest.mark.app_config(NAME=value): settings of the test's own.
    marker = request.node.get_closest_marker("app_config")
    app = make_app(url, tmp_path, **(marker.kwargs if marker else {}))
    with app.app_context():
        if schema is not None:
            schema.reset()
        yield app
        db.session.remove()
        # The worker schema's engine keeps its pooled connection for the next test: a new
        # PostgreSQL connection is a new server process with empty caches, which cost each
        # test about 40 ms. A connection is rolled back as it returns to the pool, and the
        # reset empties the tables whatever the connection. Only one is kept, so a test's
        # code that runs one statement after another still meets a single connection.
        if schema is None or db.engine.pool.checkedin() > 1:  # type: ignore[attr-defined]
            db.engine.dispose()


@pytest.fixture
def db_session(app):
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def redis_url() -> str:
    """The test Redis (TANDEM_TEST_REDIS_URL), or a skip saying how to start it (a failure
    in CI)."""
    url = os.environ.get("TANDEM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        message = (
            f"Redis is not reachable at {url} ({error}). Start it with "
            "`redis-server --daemonize yes` or set TANDEM_TEST_REDIS_URL."
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def keep_logging():
    """Alembic's env.py reconfigures logging; put it back for the tests that follow."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    disabled = {
        name: logger.disabled
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    root.setLevel(level)
    root.handlers[:] = handlers
    for name, was_disabled in disabled.items():
        logging.getLogger(name).disabled = was_disabled


@pytest.fixture
def users(app):
    """One user per role, committed together (most tests start here)."""
    made = {
        "rep": create_user("rep@example.com", "Riley Rep", "rep", PASSWORD),
        "marketer": create_user("marketer@example.com", "Morgan Marketer", "marketer", PASSWORD),
        "leader": create_user("leader@example.com", "Lee Leader", "leader", PASSWORD),
        "admin": create_user("admin@example.com", "Ada Admin", "admin", PASSWORD),
    }
    db.session.commit()
    return made


@pytest.fixture
def client_as(app, users):
    """``client_as("rep")`` returns a new client signed in as that role's user."""

    def signed_in(role: str):
        return login(app.test_client(), users[role])

    return signed_in


def pytest_collection_modifyitems(config, items):
    """Tests that need PostgreSQL itself (they use the ``postgres_url`` fixture, carry
    the ``postgres_only`` marker or run the PostgreSQL search backend) are left out of
    the SQLite half instead of skipped, so a skip in the report always means something
    is missing."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_sqlite = callspec is not None and callspec.params.get("database") == "sqlite"
        needs_postgres = (
            "postgres_url" in getattr(item, "fixturenames", ())
            or item.get_closest_marker("postgres_only") is not None
            or (callspec is not None and callspec.params.get("search_backend") == "postgres")
        )
        (dropped if on_sqlite and needs_postgres else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    """The test OpenID Connect provider, one per worker. Outside CI, no Node.js or no
    tests/oidc/node_modules skips the tests that need it, saying how to enable them; in CI
    it fails them."""
    missing = missing_requirement()
    if missing:
        message = f"{missing}: to run the single sign-on tests, {HOW_TO_ENABLE}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with running_provider() as provider:
        yield provider


@pytest.fixture
def sso(app, oidc_provider) -> Provider:
    """The provider, with the test's app set to offer it beside passwords."""
    app.config.update(oidc_provider.settings("both"))
    return oidc_provider
