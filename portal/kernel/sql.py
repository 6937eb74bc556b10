"""SQL helpers that work the same on SQLite and PostgreSQL."""

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import (
    CheckConstraint,
    Column,
    CursorResult,
    Delete,
    ForeignKey,
    Table,
    Update,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from portal.kernel.extensions import db


def on_postgresql() -> bool:
    """Whether the session's database is PostgreSQL (else SQLite), for the statements
    and functions the two spell differently."""
    return db.session.get_bind().dialect.name == "postgresql"


def upsert_insert(model):
    """An INSERT for ``model`` with ``on_conflict_do_update`` / ``on_conflict_do_nothing``
    on the session's database: one atomic statement instead of a read-then-write, which
    loses writes under concurrent requests."""
    return (postgresql if on_postgresql() else sqlite).insert(model)


def link_table(name: str, owner: str, owner_table: str, linked: str, linked_table: str) -> Table:
    """A many-to-many table whose rows link an ``owner`` row to a ``linked`` one (an asset
    to a stage, a campaign to an asset); deleting either side deletes the link. The
    primary key leads with the owner, so the linked side has an index of its own."""
    return Table(
        name,
        db.metadata,
        Column(owner, ForeignKey(f"{owner_table}.id", ondelete="CASCADE"), primary_key=True),
        Column(
            linked,
            ForeignKey(f"{linked_table}.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        ),
    )


def rows_changed(statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE in the session and return how many rows it changed."""
    # Such a statement's result is a CursorResult, which the session's signature does not say.
    result = cast(CursorResult[Any], db.session.execute(statement))
    return result.rowcount or 0


def one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    """A CHECK constraint that keeps ``column`` to ``values`` (usually a StrEnum), for a
    model's ``__table_args__``. The naming convention names it ``ck_<table>_<column>``."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


def refresh_statistics(*models) -> None:
    """Have PostgreSQL's planner count the rows of these models' tables again, within the
    current transaction (its own new rows included); nothing on SQLite.

    A long write that multiplies a table's rows plans its later statements from the
    row counts of before: from "no rows" when the table was analysed empty, a join over
    thousands of rows becomes a nested loop that scans the table once per row, for
    minutes where a second would do."""
    if not on_postgresql():
        return
    names = ", ".join(model.__table__.name for model in models)
    db.session.execute(text(f"ANALYZE {names}"))
