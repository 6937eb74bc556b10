"""Fixtures for the search tests: indexing on demand, a backend per implementation, and
documents for the backend contract.

In tests the app's background jobs are held: nothing is indexed until a test calls
``index_now()``, as the search.index job would after a commit.
"""

import importlib.util
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from portal.kernel.extensions import db
from search.backend import SearchBackend
from search.postgres_backend import PostgresBackend
from search.postgres_table import create_schema
from search.whoosh_backend import WhooshBackend
from tests.factories import IN_CI, PG_ADMIN_URL, postgres_reachable, schema_url, selected_databases

POSTGRES_BACKEND_WRITTEN = importlib.util.find_spec("search.postgres_backend") is not None
BACKENDS = ["whoosh", "postgres"] if POSTGRES_BACKEND_WRITTEN else ["whoosh"]


@pytest.fixture
def marketer(users):
    return users["marketer"]


@pytest.fixture
def rep(users):
    return users["rep"]


# ---- the backend contract ------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Iterator[tuple[str, SearchBackend]]:
    """``(name, backend)`` for every search backend, each on an empty index.

    Whoosh needs no database. The PostgreSQL backend runs when its module exists and
    PostgreSQL is among the databases under test (TANDEM_TEST_DATABASES); it gets a
    schema of its own, so each backend's contract runs once, not once per database.
    """
    if request.param == "whoosh":
        yield "whoosh", WhooshBackend(tmp_path / "contract-index")
        return
    yield from _postgres_backend(tmp_path)


def _postgres_backend(tmp_path) -> Iterator[tuple[str, SearchBackend]]:
    """The PostgreSQL backend on a schema of its own, built as its module documents:
    ``create_schema(engine)`` then ``PostgresBackend(engine)``."""
    from search.postgres_backend import PostgresBackend
    from search.postgres_table import create_schema

    if "postgres" not in selected_databases():
        pytest.skip("PostgreSQL is not among TANDEM_TEST_DATABASES")
    reason = postgres_reachable()
    if reason is not None:
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({reason})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(schema_url(schema))
    try:
        create_schema(engine)
        yield "postgres", PostgresBackend(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# ---- the application on either backend ----------------------------------------------------


@pytest.fixture(params=BACKENDS)
def search_backend(request, app) -> str:
    """The application's search backend, once per implementation: Whoosh on every
    database, the PostgreSQL backend when the database is PostgreSQL (the SQLite run
    skips it). Nothing is indexed until the test calls ``index_now()``."""
    if request.param == "postgres":
        if db.engine.dialect.name != "postgresql":
            pytest.skip("The postgres search backend needs PostgreSQL; this is the SQLite run.")
        create_schema(db.engine)
        app.extensions["search_backend"] = PostgresBackend(db.engine)
    return request.param
