"""Ranking signals reach the index in batches, at most once per asset per delay.

A rating or a ranked use (a download, a share, a buyer opening a link, a deal) changes an
asset's quality score, not its words, and a popular share link is opened many times a
minute. So a transaction that changes signals does not queue the asset in the outbox: it
upserts the asset's one row in ``search_signal_refreshes``, due
``TANDEM_SEARCH_SIGNAL_DELAY_SECONDS`` after the first signal (later signals keep that
time). The indexer (``search.indexing.drain``, run by the schedule's sweep) moves due rows
into the outbox, and the asset is indexed with every signal counted so far.

No signal is lost, on either database, without locks held across the index write:

- Each signalling transaction writes a fresh random ``stamp`` in its commit. On
  PostgreSQL the upsert holds the row's lock until that commit; on SQLite the transaction
  holds the database's write lock.
- Moving due rows skips rows another transaction holds (``SKIP LOCKED``): they stay for
  the next sweep, by when their signals are committed. A signal arriving after a row was
  moved writes a new row.
- When an asset is indexed anyway (a content change), its row is dropped only if its
  stamp is still the one read *before* the asset's document was read: a signal committed
  after that read changed the stamp, one still in flight holds the row, and either keeps
  it. A random stamp, unlike a counter, cannot come back to an old value after a row was
  moved and written anew.
"""

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.orm import Session

from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from portal.kernel.sql import upsert_insert
from search.models import SearchOutbox, SignalRefresh

_CHUNK = 500


def delay_seconds() -> int:
    """How long signals wait before they re-rank their asset (0: they do not wait)."""
    return current_app.config["SEARCH_SIGNAL_DELAY_SECONDS"]


def queue(session: Session, asset_ids: Iterable[int]) -> None:
    """Ask for these assets to be re-indexed once the delay has passed, in the caller's
    transaction: one row per asset, its due time set by the first signal."""
    ids = sorted(set(asset_ids))
    if not ids:
        return
    due_at = utcnow() + timedelta(seconds=delay_seconds())
    stamp = secrets.randbits(62)
    # In id order, so two transactions signalling the same assets lock them in one order.
    statement = upsert_insert(SignalRefresh).values(
        [{"asset_id": asset_id, "due_at": due_at, "stamp": stamp} for asset_id in ids]
    )
    statement = statement.on_conflict_do_update(
        index_elements=[SignalRefresh.asset_id], set_={"stamp": statement.excluded.stamp}
    )
    session.execute(statement)


def move_due(now: datetime | None = None) -> int:
    """Move the refreshes due by ``now`` into the outbox, in one transaction (committed
    here); returns how many moved. Rows a signalling transaction still holds are left for
    the next call."""
    held_by_nobody = (
        select(SignalRefresh.asset_id)
        .where(SignalRefresh.due_at <= (now or utcnow()))
        .with_for_update(skip_locked=True)
    )
    statement = (
        delete(SignalRefresh)
        .where(SignalRefresh.asset_id.in_(held_by_nobody))
        .returning(SignalRefresh.asset_id)
        .execution_options(synchronize_session=False)
    )
    moved = sorted(db.session.scalars(statement))
    if not moved:
        db.session.rollback()
        return 0
    db.session.add_all(SearchOutbox(asset_id=asset_id) for asset_id in moved)
    db.session.commit()
    return len(moved)


def stamps(asset_ids: list[int] | None = None) -> dict[int, int]:
    """The stamps of the refreshes waiting for these assets (all assets: None). Read them
    before reading the documents that may make the refreshes unneeded."""
    query = select(SignalRefresh.asset_id, SignalRefresh.stamp)
    if asset_ids is None:
        return dict(db.session.execute(query).all())
    found: dict[int, int] = {}
    for start in range(0, len(asset_ids), _CHUNK):
        chunk = asset_ids[start : start + _CHUNK]
        rows = db.session.execute(query.where(SignalRefresh.asset_id.in_(chunk)))
        found.update(rows.all())
    return found


def forget(read: dict[int, int]) -> None:
    """Drop the refreshes of assets just indexed from documents read after ``read``
    (from :func:`stamps`), unless a signal changed them since; not committed here."""
    pairs = list(read.items())
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start : start + _CHUNK]
        unchanged = (
            select(SignalRefresh.asset_id)
            .where(tuple_(SignalRefresh.asset_id, SignalRefresh.stamp).in_(chunk))
            .with_for_update(skip_locked=True)
        )
        db.session.execute(
            delete(SignalRefresh)
            .where(SignalRefresh.asset_id.in_(unchanged))
            .execution_options(synchronize_session=False)
        )


def waiting(overdue_after: timedelta) -> tuple[int, int]:
    """(refreshes waiting, those due for longer than ``overdue_after``): the second
    should be 0 while the indexer and the schedule run."""
    late = utcnow() - overdue_after
    total, overdue = db.session.execute(
        select(
            func.count(SignalRefresh.asset_id),
            func.count(SignalRefresh.asset_id).filter(SignalRefresh.due_at <= late),
        )
    ).one()
    return total or 0, overdue or 0
