"""SQL helpers that differ between SQLite and PostgreSQL."""

from sqlalchemy.dialects import postgresql, sqlite

from portal.kernel.extensions import db


def upsert_insert(model):
    """An INSERT for ``model`` with ``on_conflict_do_update`` / ``on_conflict_do_nothing``
    on the session's database: one atomic statement instead of a read-then-write, which
    loses writes under concurrent requests."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)
