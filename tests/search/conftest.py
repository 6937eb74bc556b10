"""Fixtures for the search tests: indexing on demand, a backend per implementation, and
documents for the backend contract.

In tests the app runs with SEARCH_INDEXER="off": nothing is indexed until a test calls
``index_now()``, as the background indexer would after a commit.
"""

import importlib.util
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, func, select, text

from content.usage.models import Rating, UsageEvent
from content.usage.signals import signal_changed
from portal.kernel.extensions import db
from search import indexing
from search.backend import SearchBackend, SearchDocument, SearchRequest, SearchResult
from search.models import SearchOutbox
from search.query import parse_query
from search.whoosh_backend import WhooshBackend
from tests.conftest import (
    IN_CI,
    PG_ADMIN_URL,
    _postgres_reachable,
    make_user,
    selected_databases,
)

POSTGRES_BACKEND_WRITTEN = importlib.util.find_spec("search.postgres_backend") is not None
BACKENDS = ["whoosh", "postgres"] if POSTGRES_BACKEND_WRITTEN else ["whoosh"]


def index_now() -> int:
    """Drain the outbox into the index, as the background indexer does after a commit."""
    return indexing.drain()


def outbox_asset_ids() -> list[int]:
    """The asset ids committed to the outbox, oldest first (read on a connection of its
    own, so the test's session and its open transaction are left alone)."""
    with db.engine.connect() as connection:
        return list(connection.scalars(select(SearchOutbox.asset_id).order_by(SearchOutbox.id)))


def outbox_size() -> int:
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count(SearchOutbox.id)))


def give_signals(asset_id: int, stars=(), uses: int = 0) -> None:
    """Ratings (one rater each) and ranked uses (downloads) of an asset, written as the
    events they are and announced as the services announce them; committed."""
    for count in stars:
        rater = make_user("rep")
        db.session.add(Rating(asset_id=asset_id, user_id=rater.id, stars=count))
    db.session.add_all(
        UsageEvent(asset_id=asset_id, kind="download", evidence="verified") for _ in range(uses)
    )
    signal_changed(asset_id)
    db.session.commit()


@pytest.fixture
def marketer(users):
    return users["marketer"]


@pytest.fixture
def rep(users):
    return users["rep"]


# ---- the backend contract ------------------------------------------------------------------


def document(asset_id: int, title: str, body: str = "", **fields) -> SearchDocument:
    """A search document with quiet defaults: live, Awareness, a one-pager, no signals."""
    when = datetime(2024, 1, 1, 12, tzinfo=UTC).replace(day=min(asset_id, 28))
    values = {
        "summary": "",
        "file_text": "",
        "stages": ["awareness"],
        "personas": [],
        "industries": [],
        "content_type": "one-pager",
        "tags": [],
        "status": "published",
        "live": True,
        "owner_id": 1,
        "published_at": when,
        "updated_at": when,
        "review_by": None,
    }
    values.update(fields)
    return SearchDocument(asset_id=asset_id, title=title, body=body, **values)


def put(backend: SearchBackend, *documents: SearchDocument) -> None:
    writer = backend.writer()
    assert writer is not None, "nobody else holds the index writer in this test"
    for doc in documents:
        writer.upsert(doc)
    writer.commit()


def find(backend: SearchBackend, query: str, **options) -> SearchResult:
    options.setdefault("today", date(2024, 6, 1))
    return backend.search(SearchRequest(parsed=parse_query(query), **options))


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
    from search.postgres_backend import PostgresBackend, create_schema

    if "postgres" not in selected_databases():
        pytest.skip("PostgreSQL is not among TANDEM_TEST_DATABASES")
    reason = _postgres_reachable()
    if reason is not None:
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({reason})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}")
    try:
        create_schema(engine)
        yield "postgres", PostgresBackend(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
