"""The transactional outbox: every change that affects search writes a row in the same
transaction, so a crash anywhere loses no update (the search.index job replays what is left).
Ranking signals (ratings and usage) wait in search.signal_refresh instead, once per asset.

Content knows nothing of search; these session listeners, which the search feature
installs, watch what is flushed.
"""

from itertools import chain

from flask import has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from content.library.models import (
    Asset,
    AssetCollaborator,
    AssetRevision,
    ContentType,
    Industry,
    Persona,
    Stage,
    StoredFile,
    Tag,
    asset_industries,
    asset_personas,
    asset_stages,
    asset_tags,
)
from content.usage.signals import on_signal_change
from portal.kernel.extensions import db
from portal.kernel.jobs import enqueue_in
from search import signal_refresh
from search.models import SearchOutbox

_KEY = "search_outbox_assets"
_SIGNALS = "search_signal_assets"
_LINKS = {
    Stage: (asset_stages, "stage_id"),
    Persona: (asset_personas, "persona_id"),
    Industry: (asset_industries, "industry_id"),
    Tag: (asset_tags, "tag_id"),
}


def _pending(session: Session) -> set[int]:
    return session.info.setdefault(_KEY, set())


def _shared_changes(session: Session, _context, _instances) -> None:
    # Renamed or deleted terms change the facets of every asset carrying them; their
    # links are read now, before a delete cascades them away. A file's extracted text
    # is part of every asset whose revisions hold the file.
    for term in chain(session.dirty, session.deleted):
        if isinstance(term, StoredFile) and term.id is not None:
            ids = session.scalars(
                select(AssetRevision.asset_id).where(AssetRevision.file_id == term.id)
            )
            _pending(session).update(ids)
        if isinstance(term, ContentType) and term.id is not None:
            ids = session.scalars(select(Asset.id).where(Asset.content_type_id == term.id))
            _pending(session).update(ids)
        link = _LINKS.get(type(term))
        if link is not None and term.id is not None:
            table, column = link
            ids = session.scalars(select(table.c.asset_id).where(table.c[column] == term.id))
            _pending(session).update(ids)


def _asset_changes(session: Session, _context) -> None:
    pending = _pending(session)
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Asset) and obj.id is not None:
            pending.add(obj.id)
        elif isinstance(obj, AssetRevision | AssetCollaborator) and obj.asset_id is not None:
            pending.add(obj.asset_id)


def reindex_on_signal(asset_id: int) -> None:
    """Queue the asset for re-ranking: ratings and usage are written with single
    upserts, which session events do not see, so their services announce them. The
    asset waits for the signal delay (search.signal_refresh), or, with no delay, goes to
    the outbox like a change of its content."""
    session = db.session()
    if signal_refresh.delay_seconds() > 0:
        session.info.setdefault(_SIGNALS, set()).add(asset_id)
    else:
        _pending(session).add(asset_id)


def _write_outbox(session: Session) -> None:
    # Commit flushes what is left only after this hook: flush first, so changes nobody
    # flushed yet are in this transaction's outbox rather than the next one's.
    session.flush()
    pending = session.info.pop(_KEY, set())
    # An asset whose content changed too is indexed now, with its signals as they are.
    signalled = session.info.pop(_SIGNALS, set()) - pending
    if signalled:
        signal_refresh.queue(session, signalled)
    if not pending:
        return
    session.add_all(SearchOutbox(asset_id=asset_id) for asset_id in sorted(pending))
    session.flush()
    if has_app_context():  # else the schedule's sweep finds the rows
        enqueue_in(session, "search.index", {})


def _forget(session: Session, previous) -> None:
    if previous.parent is not None:  # a savepoint: the outer transaction goes on
        return
    session.info.pop(_KEY, None)
    session.info.pop(_SIGNALS, None)


# Session events are global to the process: one set of listeners serves every app.
_LISTENERS = (
    ("before_flush", _shared_changes),
    ("after_flush", _asset_changes),
    ("before_commit", _write_outbox),
    ("after_soft_rollback", _forget),
)


def install() -> None:
    """Watch every session's flushes and commits for changes that reach the index, and
    re-rank assets whose ratings or usage change; installing again changes nothing."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
    on_signal_change(reindex_on_signal)
