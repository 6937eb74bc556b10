"""What the benchmarks do after writing rows with explicit ids in bulk."""

from sqlalchemy import text

from portal.kernel.extensions import db
from portal.kernel.sql import on_postgresql


def move_id_sequences_past_ids() -> None:
    """On PostgreSQL, move each table's id sequence past the largest id written, as a
    database that had made those rows itself would have it: a bulk insert gives explicit
    ids, and the next ordinary insert would otherwise take one already used. SQLite's
    next id follows the largest by itself. Not committed here."""
    if not on_postgresql():
        return
    for table in db.metadata.sorted_tables:
        if "id" not in table.c:
            continue
        sequence = db.session.scalar(
            text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}
        )
        if sequence:
            following = f'SELECT coalesce(max(id), 0) + 1 FROM "{table.name}"'  # noqa: S608
            db.session.execute(text(f"SELECT setval(:s, ({following}), false)"), {"s": sequence})
