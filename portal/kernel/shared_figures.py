"""Figures many requests share (a stage's asset count, say), kept for a few seconds in
each worker process.

Only figures every reader may see are kept here, never rows: the caller puts whatever
decides the figure (the filters, the day) in the key. A feature names the models whose
changes alter a topic's figures; a commit that wrote any of them drops the topic's
figures at once in the process that wrote, and the other processes, which cannot hear
of it, drop theirs after ``SHARED_FIGURES_SECONDS`` at the latest.
"""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Table, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

_CHANGED_KEY = "shared_figures_changed"
_lock = threading.Lock()
_watched: dict[Table, set[str]] = {}


def watch(topic: str, *models: type | Table) -> None:
    """Drop ``topic``'s figures whenever a commit wrote a row of one of ``models`` (mapped
    classes or tables), through the ORM or an UPDATE, INSERT or DELETE statement."""
    for model in models:
        table = model if isinstance(model, Table) else inspect(model).local_table
        _watched.setdefault(table, set()).add(topic)


def _kept() -> dict[str, dict[Hashable, tuple[float, Any]]]:
    """This application's figures (each app keeps its own, as each has its database)."""
    return current_app.extensions.setdefault("shared_figures", {})


def figure(topic: str, key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``'s answer for ``key``, kept under ``topic`` for a few seconds."""
    seconds = current_app.config["SHARED_FIGURES_SECONDS"] if has_app_context() else 0
    if seconds <= 0:
        return compute()
    now = time.monotonic()
    kept = _kept()
    with _lock:
        found = kept.get(topic, {}).get(key)
    if found is not None and now - found[0] < seconds:
        return found[1]
    value = compute()
    with _lock:
        kept.setdefault(topic, {})[key] = (now, value)
    return value


def forget(topic: str) -> None:
    """Drop every figure kept under ``topic``."""
    if has_app_context():
        with _lock:
            _kept().pop(topic, None)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context) -> None:
    if not _watched:
        return
    topics = session.info.setdefault(_CHANGED_KEY, set())
    for instance in (*session.new, *session.dirty, *session.deleted):
        topics.update(_watched.get(inspect(instance).mapper.local_table, ()))


@event.listens_for(Session, "do_orm_execute")
def _note_statements(state: ORMExecuteState) -> None:
    if not (_watched and (state.is_update or state.is_delete or state.is_insert)):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table in _watched:
        state.session.info.setdefault(_CHANGED_KEY, set()).update(_watched[table])


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    for topic in session.info.pop(_CHANGED_KEY, ()):
        forget(topic)


@event.listens_for(Session, "after_soft_rollback")
def _keep_after_rollback(session: Session, previous) -> None:
    # Nothing was written after all; dropping the figures anyway would only cost a query.
    if previous.parent is None:
        session.info.pop(_CHANGED_KEY, None)
