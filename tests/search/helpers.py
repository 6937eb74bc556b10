"""Helpers for the search tests: run the indexer, read the outbox, build and find
documents in a backend."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update

from content.files.reading import read_waiting_files
from content.usage.models import Rating, UsageEvent
from content.usage.signals import signal_changed
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from search import indexing
from search.backend import SearchBackend, SearchDocument, SearchRequest, SearchResult
from search.models import SearchOutbox, SignalRefresh
from search.query import parse_query
from tests.factories import make_user


def index_now() -> int | None:
    """Read the files waiting for their text, then drain the outbox into the index, as
    the files.extract and search.index jobs do after a commit."""
    read_waiting_files()
    return indexing.drain()


def outbox_asset_ids() -> list[int]:
    """The asset ids committed to the outbox, oldest first (read on a connection of its
    own, so the test's session and its open transaction are left alone)."""
    with db.engine.connect() as connection:
        return list(connection.scalars(select(SearchOutbox.asset_id).order_by(SearchOutbox.id)))


def outbox_size() -> int:
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count(SearchOutbox.id)))


def signal_refreshes() -> dict[int, datetime]:
    """The ranking-signal refreshes waiting: asset id → due time (on a connection of its
    own, like ``outbox_asset_ids``)."""
    with db.engine.connect() as connection:
        rows = connection.execute(select(SignalRefresh.asset_id, SignalRefresh.due_at))
        return dict(rows.all())


def bring_signals_due() -> None:
    """Move every waiting signal refresh's due time into the past, as if the delay had
    passed: the next drain indexes their assets."""
    db.session.execute(update(SignalRefresh).values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def give_signals(asset_id: int, stars=(), uses: int = 0) -> None:
    """Ratings (one rater each) and ranked uses (downloads) of an asset, written as the
    events they are and announced as the services announce them; committed, and due for
    the indexer at once (as if the signal delay had passed)."""
    for count in stars:
        rater = make_user("rep")
        db.session.add(Rating(asset_id=asset_id, user_id=rater.id, stars=count))
    db.session.add_all(
        UsageEvent(asset_id=asset_id, kind="download", evidence="verified") for _ in range(uses)
    )
    signal_changed(asset_id)
    db.session.commit()
    bring_signals_due()


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
