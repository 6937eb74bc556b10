"""Counting the SQL statements one request runs, and copying rows in bulk so that a list
can be measured at 10 rows and at 100 without building each row through the services."""

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count

from flask import Response
from sqlalchemy import String, Table, UniqueConstraint, event, insert, select, update

from portal.kernel.extensions import db


@dataclass
class Statements:
    """The statements sent to the database while counting, in order."""

    sent: list[str] = field(default_factory=list)
    response: Response | None = None

    def __len__(self) -> int:
        return len(self.sent)

    def repeated(self) -> list[tuple[int, str]]:
        """Statements sent more than once, most repeated first: where an N+1 shows."""
        counts = Counter(re.sub(r"\s+", " ", statement) for statement in self.sent)
        return [(n, statement[:200]) for statement, n in counts.most_common() if n > 1]


@contextmanager
def counting_statements() -> Iterator[Statements]:
    """Count every statement the application's engine runs inside the block."""
    statements = Statements()

    def record(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        statements.sent.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_for(client, url: str, **kwargs) -> Statements:
    """The statements one GET of ``url`` runs (and its response), after a first GET that
    warms what a worker keeps between requests; the answer must be a 200."""
    assert client.get(url, **kwargs).status_code == 200
    with counting_statements() as statements:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.text[:500]
    statements.response = response
    return statements


def _unique_columns(table: Table) -> set[str]:
    names = {column.name for column in table.columns if column.unique}
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint) and len(constraint.columns) == 1:
            names |= {column.name for column in constraint.columns}
    return {name for name in names if isinstance(table.c[name].type, String)}


def _table(model_or_table) -> Table:
    return getattr(model_or_table, "__table__", model_or_table)


def copy_rows(original, count: int, *children) -> None:
    """Insert ``count`` copies of ``original``'s row and of its rows in ``children``, and
    commit. A child is a model or link table that refers to ``original`` (revisions,
    stages, ratings...) or one that ``original`` or such a child refers to (a revision's
    file, a link's asset): each copy then refers to a copy of that row of its own.

    A copy's references among the copied rows point to the copy's own rows (an asset's
    live revision is its copied revision); text columns that must be unique get a suffix.
    """
    parent = _table(original)
    tables = [_table(child) for child in children]
    rows = {parent: [_row(parent, parent.c.id == original.id)]}
    for table in tables:
        if _refers_to(table, parent):
            refs = [c for c in table.c if any(k.column.table is parent for k in c.foreign_keys)]
            rows[table] = _rows(table, *(ref == original.id for ref in refs))
    for table in set(tables) - set(rows):  # referred to by the children found above
        ids = {
            row[column.name]
            for found, found_rows in rows.items()
            for column in found.columns
            if any(k.column.table is table for k in column.foreign_keys)
            for row in found_rows
        }
        rows[table] = _rows(table, table.c.id.in_(ids - {None}))
    for _ in range(count):
        _copy_once(parent, tables, rows)
    db.session.commit()


_copies = count()


def _made_unique(value: str, length: int | None) -> str:
    """``value`` with a suffix no other copy has, within the column's length."""
    suffix = f"-{next(_copies)}"
    return value[: (length or len(value) + len(suffix)) - len(suffix)] + suffix


def _row(table: Table, where) -> dict:
    return dict(db.session.execute(select(table).where(where)).mappings().one())


def _rows(table: Table, *where) -> list[dict]:
    return [dict(row) for row in db.session.execute(select(table).where(*where)).mappings()]


def _refers_to(table: Table, other: Table) -> bool:
    return any(key.column.table is other for key in table.foreign_keys)


def _copy_once(parent: Table, tables: list[Table], rows: dict) -> None:
    new_ids: dict[Table, dict[int, int]] = {}
    pointers = {}  # the parent's references to its children, set once they exist
    children = [table for table in tables if _refers_to(table, parent)]
    referred = [table for table in tables if table not in children]  # inserted first
    for table in [*referred, parent, *children]:
        unique = _unique_columns(table)
        new_ids[table] = {}
        for row in rows[table]:
            values = {}
            for column in table.columns:
                value = row[column.name]
                targets = [key.column.table for key in column.foreign_keys]
                if table is parent and targets and targets[0] in children:
                    pointers[column.name] = (targets[0], value)
                    value = None
                elif targets and targets[0] in new_ids and value is not None:
                    value = new_ids[targets[0]].get(value, value)
                elif column.name in unique and value is not None:
                    value = _made_unique(value, table.c[column.name].type.length)
                values[column.name] = value
            if "id" in table.c:
                old = values.pop("id")
                new_ids[table][old] = db.session.execute(
                    insert(table).values(values).returning(table.c.id)
                ).scalar_one()
            else:
                db.session.execute(insert(table).values(values))
    if pointers:
        parent_id = next(iter(new_ids[parent].values()))
        db.session.execute(
            update(parent)
            .where(parent.c.id == parent_id)
            .values({name: new_ids[t].get(old) for name, (t, old) in pointers.items()})
        )
