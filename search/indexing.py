"""The indexer: drains the outbox into the index, rebuilds it and checks it.

The jobs in search.jobs call these. Only one process writes the index at a time: whoever
gets the writer drains; the others skip at once. Outbox rows are deleted only after the
index commit, so a crash between the two replays the rows; indexing is idempotent.
Ranking signals reach the outbox once due (search.signal_refresh).
"""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import Row, delete, func, make_url, select

from portal.kernel.extensions import db
from portal.kernel.jobs import enqueue_now
from search import signal_refresh
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


def drain(backend: SearchBackend | None = None, batch: int = BATCH) -> int | None:
    """Index everything waiting in the outbox, in order and in batches.

    Returns the number of outbox rows processed, or None when another process holds the
    index writer (it drains what is queued, this call's rows included). With a backend
    that several processes may write at once (``parallel``: PostgreSQL), each batch's
    rows are claimed (rows another indexer claimed are skipped) and its assets locked
    until the rows are deleted, so indexers share the outbox and never index one asset at
    once. When a batch fails, its assets are tried one at a time: one that cannot be
    indexed (a poison document) is handed to a job of its own, ``search.index_asset``,
    which retries it with a growing delay and finally lists it among the failed jobs, and
    its rows leave the outbox, so it never holds up the assets queued behind it. When no
    asset of the batch can be indexed, the error is the index's, not a document's: it is
    raised and every row stays.

    Ranking-signal refreshes that are due are moved into the outbox first; those of
    assets indexed here anyway are dropped (their documents carry the signals).
    """
    backend = backend or get_backend()
    signal_refresh.move_due()
    processed = 0
    while True:
        claimed = _claim_batch(backend, batch) if backend.parallel else _read_batch(batch)
        if claimed is None:
            return processed
        rows, asset_ids = claimed
        # Read before the documents are: see search.signal_refresh.
        signalled = signal_refresh.stamps(asset_ids)
        failed: set[int] = set()
        try:
            indexed = _index(backend, asset_ids)
        except Exception:
            if len(asset_ids) == 1:
                raise
            indexed, failed = _index_one_by_one(backend, asset_ids)
            if not indexed:
                raise
        if indexed is None:
            db.session.rollback()
            return processed if processed else None
        for asset_id in sorted(failed):
            # Sent before its rows go: a crash in between replays the rows, never loses them.
            enqueue_now("search.index_asset", asset_id=asset_id)
        done = [row.id for row in rows if row.asset_id in indexed | failed]
        signal_refresh.forget({a: stamp for a, stamp in signalled.items() if a in indexed})
        db.session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(done)))
        db.session.commit()
        processed += len(done)


def _outbox_batch(batch: int):
    return select(SearchOutbox.id, SearchOutbox.asset_id).order_by(SearchOutbox.id).limit(batch)


def _read_batch(batch: int) -> tuple[Sequence[Row], list[int]] | None:
    """The next rows and their assets (one writer at a time drains: no claim needed)."""
    rows = db.session.execute(_outbox_batch(batch)).all()
    db.session.rollback()  # end the read; the index write may take a while
    if not rows:
        return None
    return rows, list(dict.fromkeys(row.asset_id for row in rows))


def _claim_batch(
    backend: SearchBackend, batch: int, tries: int = 20
) -> tuple[Sequence[Row], list[int]] | None:
    """The next rows no other indexer holds, and those of their assets this transaction
    could lock (rows and locks are held until the drain commits their deletion). When
    every asset is being indexed by another worker, waits a moment for it to finish."""
    for _ in range(tries):
        query = _outbox_batch(batch).with_for_update(skip_locked=True)
        rows = db.session.execute(query).all()
        if not rows:
            db.session.rollback()
            return None
        wanted = list(dict.fromkeys(row.asset_id for row in rows))
        mine = backend.lock_assets(db.session, wanted)
        if mine:
            kept = set(mine)
            return [row for row in rows if row.asset_id in kept], mine
        db.session.rollback()
        time.sleep(0.05)
    return None


def index_asset(asset_id: int, backend: SearchBackend | None = None) -> bool:
    """Index one asset now; False when another process holds the writer (or, with
    indexers sharing the index, the asset). Raises (with nothing written) when the asset
    cannot be indexed."""
    backend = backend or get_backend()
    if not backend.lock_assets(db.session, [asset_id]):
        db.session.rollback()
        return False
    done = _index(backend, [asset_id]) is not None
    db.session.rollback()  # let go of the asset's lock
    return done


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
    """(indexed, failed) asset ids, each asset in a commit of its own (locked again first:
    when indexers share the index, the failed batch's rollback let go of its locks)."""
    indexed: set[int] = set()
    failed: set[int] = set()
    for asset_id in asset_ids:
        if not backend.lock_assets(db.session, [asset_id]):
            continue  # another indexer has it now, with its own rows
        try:
            done = _index(backend, [asset_id])
        except Exception:
            log.exception("Asset %s could not be indexed; it is retried on its own", asset_id)
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
    if backend.outdated():
        backend.clear()
    writer = backend.writer(bulk=True)
    if writer is None:
        raise RuntimeError("Another process is writing the index; stop it and try again.")
    # Changes already queued (and committed) when the rebuild starts are covered by it;
    # rows of transactions still in flight are not read here and stay for the indexer.
    # So are waiting ranking signals, unless a signal changes them meanwhile.
    covered = list(db.session.scalars(select(SearchOutbox.id)))
    signalled = signal_refresh.stamps()
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
    signal_refresh.forget(signalled)
    db.session.commit()
    return count


@dataclass
class IndexReport:
    missing: list[int]
    stale: list[int]
    orphaned: list[int]
    backlog: int
    # Ranking-signal refreshes waiting for their delay, and those the indexer should
    # have moved to the outbox a while ago (the schedule's sweep is not running).
    signals_waiting: int = 0
    signals_overdue: int = 0

    @property
    def healthy(self) -> bool:
        lagging = self.backlog or self.signals_overdue
        return not (self.missing or self.stale or self.orphaned or lagging)


def overdue_after() -> timedelta:
    """How long a due signal refresh may wait before `search check` calls it overdue: a
    sweep of the schedule, and a minute for the indexer to get to it."""
    return timedelta(seconds=current_app.config["JOB_SWEEP_SECONDS"] + 60)


def check(backend: SearchBackend | None = None) -> IndexReport:
    """Compare the index with the database: missing, stale and orphaned assets, the
    outbox backlog and the ranking signals waiting."""
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
    waiting, overdue = signal_refresh.waiting(overdue_after())
    return IndexReport(missing, stale, orphaned, backlog, waiting, overdue)


def _chunks(items: list[int], size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
    """Create the configured backend."""
    app.extensions["search_backend"] = _create_backend(app)
