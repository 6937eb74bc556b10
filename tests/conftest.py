"""Shared fixtures: an app per test with a fresh database, clients per role (the factories
they use are in tests/factories.py).

Every test that uses ``app`` runs twice, once on SQLite and once on PostgreSQL, each time
on a database holding only the schema and the default taxonomy (a copy of a SQLite file
built once per worker; a PostgreSQL schema per worker, emptied before each test).
Set TANDEM_TEST_DATABASES=sqlite to run only one of them. Outside CI a missing
PostgreSQL skips its half with a message; in CI (CI=true) it fails the run.
"""

import logging
import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from content.taxonomy.services import ensure_defaults
from portal.kernel.extensions import db
from tests.factories import (
    fresh_database,
    login,
    make_app,
    make_user,
    postgres_schema,
    require_postgres,
    selected_databases,
)
from tests.url_builders import compile_url_builders_once


def pytest_configure(config):
    compile_url_builders_once()


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

    Building the schema for every test cost about 0.17 s; emptying its tables, restarting
    their sequences and putting the default taxonomy back costs a few milliseconds.
    """

    def __init__(self, url: str, folder):
        self.url = url
        app = make_app(url, folder)
        with app.app_context():
            db.create_all()
            ensure_defaults()
            db.session.commit()
            tables = list(reversed(db.metadata.sorted_tables))
            self.defaults = {
                table: [row._asdict() for row in db.session.execute(table.select())]
                for table in tables
            }
            sequences = db.session.scalars(
                text(
                    "SELECT sequence_name FROM information_schema.sequences "
                    "WHERE sequence_schema = current_schema()"
                )
            ).all()
            db.session.remove()
            db.engine.dispose()
        # Foreign-key triggers are off while emptying: assets and revisions refer to each
        # other, so no order of deletes satisfies them.
        self.empty_sql = "; ".join(
            ["SET LOCAL session_replication_role = replica"]
            + [f'DELETE FROM "{table.name}"' for table in tables]  # noqa: S608 - our own names
            + [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
        )

    def reset(self) -> None:
        """Leave only the default taxonomy, as create_all and ensure_defaults would, and
        drop tables an earlier test created (the PostgreSQL search backend's)."""
        with db.engine.begin() as conn:
            present = conn.scalars(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            )
            for name in set(present) - {table.name for table in self.defaults}:
                conn.exec_driver_sql(f'DROP TABLE "{name}" CASCADE')
            conn.exec_driver_sql(self.empty_sql)
            for table, rows in reversed(self.defaults.items()):
                if rows:
                    conn.execute(table.insert(), rows)
                    top = max(row["id"] for row in rows)
                    conn.execute(
                        text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :top)"),
                        {"table": table.name, "top": top},
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
        # millisecond instead of building them again for every test.
        url = f"sqlite:///{tmp_path / 'test.db'}"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "test.db")
        schema = None
    else:
        schema = request.getfixturevalue("postgres_worker_schema")
        url = schema.url
    app = make_app(url, tmp_path)
    with app.app_context():
        if schema is not None:
            schema.reset()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def db_session(app):
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


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
    """One committed user per role."""
    return {
        "rep": make_user("rep", "rep@example.com", "Riley Rep"),
        "marketer": make_user("marketer", "marketer@example.com", "Morgan Marketer"),
        "leader": make_user("leader", "leader@example.com", "Lee Leader"),
        "admin": make_user("admin", "admin@example.com", "Ada Admin"),
    }


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
