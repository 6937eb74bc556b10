"""The indexer: drains the outbox into the index, rebuilds it and checks it.

Each drain first reads the text of uploaded files still waiting for it (uploads answer
before their text is read; content.files.reading), which queues their assets. Only one process
writes the index at a time: whoever gets the writer drains; the others skip at once
(nothing ever waits on a request). Outbox rows are deleted only after the
index commit, so a crash between the two replays the rows; indexing is idempotent.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import delete, func, make_url, select

from content.files.reading import read_waiting_files
from portal.kernel.extensions import db
from search import outbox
from search.backend import SearchBackend
from search.documents import all_asset_ids, load_documents
from search.models import SearchOutbox
from search.postgres_backend import PostgresBackend
from search.whoosh_backend import WhooshBackend

log = logging.getLogger(__name__)
BATCH = 200


def get_backend(app: Flask | None = None) -> SearchBackend:
    """The configured backend, created once per app and process."""
    app = app or current_app
    return app.extensions["search_backend"]


def drain(backend: SearchBackend | None = None, batch: int = BATCH) -> int:
    """Read the text of files waiting for it, then index everything waiting in the
    outbox, in order and in batches.

    Files are read whether or not this process gets the index writer (each is claimed,
    so no two readers read the same one). Returns the number of outbox rows processed,
    or 0 when another process holds the index writer (it will do the work). When a batch
    fails, its assets are tried one at a time: one that cannot be indexed (a poison
    document) is logged and its rows stay for the next drain, without holding up the
    assets queued behind it. When no asset of the batch can be indexed, the error is the
    index's, not a document's: it is raised and every row stays.
    """
    backend = backend or get_backend()
    read_waiting_files()
    processed = 0
    skipped: set[int] = set()
    while True:
        query = select(SearchOutbox.id, SearchOutbox.asset_id).order_by(SearchOutbox.id)
        if skipped:
            query = query.where(SearchOutbox.asset_id.not_in(skipped))
        rows = db.session.execute(query.limit(batch)).all()
        db.session.rollback()  # end the read; the index write may take a while
        if not rows:
            return processed
        asset_ids = list(dict.fromkeys(asset_id for _row, asset_id in rows))
        try:
            indexed = _index(backend, asset_ids)
        except Exception:
            if len(asset_ids) == 1:
                raise
            indexed, failed = _index_one_by_one(backend, asset_ids)
            if not indexed:
                raise
            skipped |= failed
        if indexed is None:
            return processed
        done = [row.id for row in rows if row.asset_id in indexed]
        db.session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(done)))
        db.session.commit()
        processed += len(done)


def _index(backend: SearchBackend, asset_ids: list[int]) -> set[int] | None:
    """Index these assets in one commit: the ids done, or None when another process
    holds the writer. Raises (with nothing written) when the commit fails."""
    writer = backend.writer()
    if writer is None:
        return None
    try:
        documents, gone = load_documents(asset_ids)
        for document in documents:
            writer.upsert(document)
        for asset_id in gone:
            writer.delete(asset_id)
        writer.commit()
    except BaseException:
        writer.cancel()
        db.session.rollback()
        raise
    return set(asset_ids)


def _index_one_by_one(backend: SearchBackend, asset_ids: list[int]) -> tuple[set[int], set[int]]:
    """(indexed, failed) asset ids, each asset in a commit of its own."""
    indexed: set[int] = set()
    failed: set[int] = set()
    for asset_id in asset_ids:
        try:
            done = _index(backend, [asset_id])
        except Exception:
            log.exception(
                "Asset %s could not be indexed; its outbox rows stay and are tried again "
                "on the next drain",
                asset_id,
            )
            failed.add(asset_id)
            continue
        if done is None:  # another process took the writer: it carries on
            break
        indexed |= done
    return indexed, failed


def rebuild(backend: SearchBackend | None = None, progress: Callable[[int], object] | None = None):
    """Re-index every asset from the database and drop index entries for deleted ones.

    The old index keeps answering searches until the rebuild commits. Returns the number
    of assets indexed.
    """
    backend = backend or get_backend()
    if getattr(backend, "outdated", lambda: False)():
        backend.clear()
    writer = backend.writer(bulk=True)
    if writer is None:
        raise RuntimeError("Another process is writing the index; stop it and try again.")
    # Changes already queued (and committed) when the rebuild starts are covered by it;
    # rows of transactions still in flight are not read here and stay for the indexer.
    covered = list(db.session.scalars(select(SearchOutbox.id)))
    ids = all_asset_ids()
    count = 0
    try:
        for chunk in _chunks(ids, BATCH):
            documents, _gone = load_documents(chunk)
            for document in documents:
                writer.upsert(document)
            count += len(documents)
            db.session.expunge_all()
            if progress is not None:
                progress(len(chunk))
        for asset_id in set(backend.indexed()) - set(ids):
            writer.delete(asset_id)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    for chunk in _chunks(covered, 1000):
        db.session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(chunk)))
    db.session.commit()
    return count


@dataclass
class IndexReport:
    missing: list[int]
    stale: list[int]
    orphaned: list[int]
    backlog: int

    @property
    def healthy(self) -> bool:
        return not (self.missing or self.stale or self.orphaned or self.backlog)


def check(backend: SearchBackend | None = None) -> IndexReport:
    """Compare the index with the database: missing, stale and orphaned assets."""
    backend = backend or get_backend()
    indexed = backend.indexed()
    expected = {}
    for start_ids in _chunks(all_asset_ids(), BATCH):
        documents, _gone = load_documents(start_ids)
        expected.update({d.asset_id: d.updated_at for d in documents})
        db.session.expunge_all()
    missing = sorted(set(expected) - set(indexed))
    stale = sorted(a for a in set(expected) & set(indexed) if indexed[a] < expected[a])
    orphaned = sorted(set(indexed) - set(expected))
    backlog = db.session.scalar(select(func.count(SearchOutbox.id))) or 0
    return IndexReport(missing, stale, orphaned, backlog)


def _chunks(items: list[int], size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class BackgroundIndexer:
    """A daemon thread in the app process that drains the outbox when woken (after a
    commit that wrote outbox rows) and every few seconds in case a wake-up was missed."""

    def __init__(self, app: Flask, interval: float = 5.0):
        self.app = app
        self.interval = interval
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="search-indexer", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    @staticmethod
    def _rebuild_if_outdated() -> None:
        """After an upgrade that changed the index layout, rebuild it from the database
        rather than answer from an index the search code can no longer read."""
        backend = get_backend()
        if not getattr(backend, "outdated", lambda: False)():
            return
        log.warning("The search index has an older layout; rebuilding it from the database")
        try:
            count = rebuild(backend)
        except RuntimeError:  # another process holds the writer: it does the work
            log.info("Another process is writing the search index; not rebuilding here")
        except Exception:
            log.exception("Rebuilding the outdated search index failed")
        else:
            log.warning("Rebuilt the search index: %s assets", count)

    def _run(self) -> None:
        with self.app.app_context():
            try:
                self._rebuild_if_outdated()
            finally:
                db.session.remove()
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            with self.app.app_context():
                try:
                    drain()
                except Exception:
                    log.exception("Search indexing failed; the outbox keeps the updates")
                finally:
                    db.session.remove()


def _create_backend(app: Flask) -> SearchBackend:
    name = app.config["SEARCH_BACKEND"]
    if name == "whoosh":
        config = app.config
        return WhooshBackend(
            config["SEARCH_INDEX_PATH"], rebuild_memory_mb=config["SEARCH_REBUILD_MEMORY_MB"]
        )
    if name == "postgres":
        database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
        if database != "postgresql":
            raise RuntimeError(
                "TANDEM_SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL "
                f"(this one is {database}); use 'whoosh' with other databases."
            )
        with app.app_context():
            return PostgresBackend(db.engine)
    raise RuntimeError(f"Unknown TANDEM_SEARCH_BACKEND {name!r}; use 'whoosh' or 'postgres'.")


def init_search(app: Flask) -> None:
    """Create the configured backend and, unless indexing is left to `search worker`, the
    indexer thread (with the postgres backend every process may run one: only the holder
    of the advisory lock drains)."""
    app.extensions["search_backend"] = _create_backend(app)
    if app.config["SEARCH_INDEXER"] == "thread":
        indexer = BackgroundIndexer(app)
        outbox.on_outbox_commit(indexer.wake)
        # Started by the first request, so CLI commands (and the parent of forking
        # servers) never run it.
        app.before_request(indexer.start)
