"""What a file of the export is: its columns, its rows as a query the reader's rules
narrow, and how a batch of those rows becomes CSV rows.

Every file is read in pages keyed by its rows' id (``id > last ORDER BY id LIMIT n``), so
no table is ever held whole in memory and no cursor stays open across the job's
progress commits.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute

from content.library.models import Asset
from content.library.rules import visible_assets
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.permissions import can

BATCH = 1000
# A column of ids: a model's attribute or a column of a query.
Key = ColumnElement[int] | InstrumentedAttribute[int]


@dataclass
class Scope:
    """Who the export is for: a user whose rules narrow every file, or None for the
    operator at the command line, who gets everything."""

    user: User | None
    _asset_condition: Any = field(default=None, init=False)

    def may(self, action: str, obj: Any = None) -> bool:
        """Whether the reader may take ``action`` (the operator may do anything)."""
        return self.user is None or can(self.user, action, obj)

    def narrowed(self, visible: Callable[[User], Select], key: Key) -> list[ColumnElement[bool]]:
        """The rows of a feature's visibility query (``visible(user)``) for this reader,
        by their ``key``; nothing to add when the query keeps every row."""
        if self.user is None:
            return []
        query = visible(self.user)
        if query.whereclause is None:
            return []
        return [key.in_(query.with_only_columns(key))]

    def assets(self) -> ColumnElement[bool] | None:
        """Which assets the reader may know exist, as the library's list decides."""
        if self.user is None:
            return None
        if self._asset_condition is None:
            self._asset_condition = visible_assets(self.user).whereclause
        return self._asset_condition

    def of_visible_assets(self, asset_id: Key) -> list[ColumnElement[bool]]:
        """The condition keeping rows about assets the reader may see."""
        condition = self.assets()
        if condition is None:
            return []
        return [asset_id.in_(select(Asset.id).where(condition))]


Rows = Callable[[Scope, Sequence[Row]], Iterable[Sequence[Any]]]


def as_listed(_scope: Scope, rows: Sequence[Row]) -> Iterable[Sequence[Any]]:
    """The selected columns as they are, for files that need nothing added."""
    return rows


@dataclass(frozen=True)
class Table:
    """One CSV file: ``query`` selects its columns (the row's id first) for a reader, or
    answers None when the reader may not read the file at all; ``rows`` turns a batch of
    selected rows into the file's rows (adding lists read in one query per batch)."""

    name: str
    about: str
    columns: tuple[str, ...]
    key: Any
    query: Callable[[Scope], Select | None]
    rows: Rows = as_listed

    def readable(self, scope: Scope) -> Select | None:
        return self.query(scope)

    def count(self, query: Select) -> int:
        """How many rows the file will hold."""
        return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0

    def batches(
        self, scope: Scope, query: Select, size: int = BATCH
    ) -> Iterator[list[Sequence[Any]]]:
        """The file's rows, a page of at most ``size`` at a time, in id order."""
        last = 0
        while True:
            page = db.session.execute(
                query.where(self.key > last).order_by(self.key).limit(size)
            ).all()
            if not page:
                return
            last = page[-1][0]
            yield [[cell(value) for value in row] for row in self.rows(scope, page)]
            if len(page) < size:
                return


def cell(value: Any) -> Any:
    """A value as the CSV shows it: times in ISO 8601 UTC, dates as YYYY-MM-DD, flags as
    true/false, nothing as an empty cell."""
    if value is None:
        return ""
    if type(value) in (int, str):  # most cells: the quick way out
        return value
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
