"""Pagination shared by every list page and API list."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import Select, func, select

from portal.kernel.extensions import db
from portal.kernel.ids import text_int

MAX_PAGE = 100_000
MAX_PER_PAGE = 100


@dataclass
class Page:
    items: Sequence
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_args(args, default_per_page: int) -> tuple[int, int]:
    """Read ``page`` and ``per_page`` from query arguments, bounded before any query."""
    page = text_int(args.get("page"), "page", high=MAX_PAGE, default=1)
    per_page = text_int(
        args.get("per_page"), "per_page", high=MAX_PER_PAGE, default=default_per_page
    )
    return page, per_page


def requested_page() -> tuple[int, int]:
    """The ``page`` and ``per_page`` a list page's query string asks for, bounded, with the
    application's ``PER_PAGE`` when it names none."""
    return page_args(request.args, current_app.config["PER_PAGE"])


def paginate(
    query: Select, page: int, per_page: int, *, order: Iterable = (), options: Iterable = ()
) -> Page:
    """Page ``page`` of ``query``'s rows in ``order``, loaded with ``options``, and how many
    rows ``query`` holds in all."""
    total = _count(query)
    rows = db.session.scalars(
        query.order_by(*order).options(*options).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(list(rows), page, per_page, total)


def first_rows(query: Select, shown: int, *, order: Iterable = (), options: Iterable = ()) -> Page:
    """The first ``shown`` of ``query``'s rows in ``order``, for a panel that lists a few
    and says how many there are: the rows are counted only when they fill the panel."""
    rows = list(db.session.scalars(query.order_by(*order).options(*options).limit(shown)))
    total = len(rows) if len(rows) < shown else _count(query)
    return Page(rows, 1, shown, total)


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
