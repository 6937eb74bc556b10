"""Report statements built once per shape of the filters, then run with parameters.

Building a statement with subqueries costs SQLAlchemy more than running it on a small
period: every subquery builds its column collection and every run computes the
statement's cache key anew. The statements here take the period and the chosen terms as
bound parameters, so one statement serves every request whose filters have the same
shape (which of stage, content type, owner and team are set); its cache key is computed
once, with it.

A statement kept here must hold nothing that changes between requests: one that writes
today's date into the statement (``Asset.live_clause``) is kept per day, with the day
among its builder's arguments.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import BindParameter, Select, bindparam, func, select

from content.deals.models import Deal
from content.library.models import Asset, asset_stages
from content.usage.models import UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.reporting import ReportFilters

E = UsageEvent
StatementT = TypeVar("StatementT")


@dataclass(frozen=True)
class Shape:
    """Which filters a request sets; their values are parameters."""

    stage: bool = False
    content_type: bool = False
    owner: bool = False
    team: bool = False

    @property
    def restricts_assets(self) -> bool:
        return self.stage or self.content_type or self.owner


def shape_of(filters: ReportFilters) -> Shape:
    """Which of ``filters``' terms are chosen."""
    return Shape(
        stage=filters.stage_id is not None,
        content_type=filters.content_type_id is not None,
        owner=filters.owner_id is not None,
        team=bool(filters.team),
    )


def parameters(filters: ReportFilters, **more: Any) -> dict[str, Any]:
    """The values of the statements' parameters: the period's ends (as instants and as
    days) and the chosen terms."""
    values = {
        "start": filters.period.start,
        "end": filters.period.end,
        "first": filters.period.first,
        "last": filters.period.last,
        "stage_id": filters.stage_id,
        "content_type_id": filters.content_type_id,
        "owner_id": filters.owner_id,
        "team": filters.team,
    }
    return {**{name: value for name, value in values.items() if value is not None}, **more}


def param(name: str, **options: Any) -> BindParameter:
    """The statement parameter ``name``, its value given when the statement runs."""
    return bindparam(name, **options)


@dataclass(frozen=True)
class _BoundPeriod:
    """A period whose instants are the ``start`` and ``end`` parameters and whose days
    the ``first`` and ``last``."""

    start: Any
    end: Any
    first: Any
    last: Any


def bound_filters(shape: Shape) -> ReportFilters:
    """Filters whose values are the statements' parameters, for query builders written for
    ReportFilters: each chosen term is its parameter, each other one None. Such builders
    test a term with ``is not None``: a parameter has no truth value."""
    period = _BoundPeriod(param("start"), param("end"), param("first"), param("last"))
    bound: Any = ReportFilters(period)  # type: ignore[arg-type]
    bound.stage_id = param("stage_id") if shape.stage else None
    bound.content_type_id = param("content_type_id") if shape.content_type else None
    bound.owner_id = param("owner_id") if shape.owner else None
    bound.team = param("team") if shape.team else None
    return bound


def period_events(shape: Shape, *, joined: bool = False) -> Select:
    """The usage events of the period the filters keep. The person and the deal of each
    event are joined only when ``joined`` (and the person when the team filter needs
    it): each join is a lookup per event, and counting events needs none of them."""
    query = select().select_from(E)
    if joined or shape.team:
        query = query.outerjoin(User, User.id == E.user_id)
    if joined:
        query = query.outerjoin(Deal, Deal.id == E.deal_id)
    query = query.where(E.created_at >= param("start"), E.created_at < param("end"))
    if shape.restricts_assets:
        query = restricted(query.join(Asset, Asset.id == E.asset_id), shape)
    if shape.team:
        query = query.where(User.department == param("team"))
    return query


def claimed_events(shape: Shape) -> Select:
    """The usage events of the period the filters keep, joined to their asset, person and
    deal; the asset filters (stage, content type, owner) apply through the asset."""
    query = (
        select()
        .select_from(E)
        .join(Asset, Asset.id == E.asset_id)
        .outerjoin(User, User.id == E.user_id)
        .outerjoin(Deal, Deal.id == E.deal_id)
        .where(E.created_at >= param("start"), E.created_at < param("end"))
    )
    query = restricted(query, shape)
    if shape.team:
        query = query.where(User.department == param("team"))
    return query


def restricted(query: Select, shape: Shape) -> Select:
    """Keep the assets of the chosen stage, content type and owner (``query`` joins
    Asset)."""
    if shape.stage:
        in_stage = select(asset_stages.c.asset_id).where(
            asset_stages.c.stage_id == param("stage_id")
        )
        query = query.where(Asset.id.in_(in_stage))
    if shape.content_type:
        query = query.where(Asset.content_type_id == param("content_type_id"))
    if shape.owner:
        query = query.where(Asset.owner_id == param("owner_id"))
    return query


def built_once(build: Callable[..., StatementT]) -> Callable[..., StatementT]:
    """``build`` memoised by its (hashable) arguments: a statement per shape and order."""
    return lru_cache(maxsize=256)(build)


def paged(query: Select, order: list, **overall: Any) -> Select:
    """``query`` in ``order``, ``limit`` rows after ``offset``, each with the number of
    rows of the whole query and each aggregate of ``overall`` over all of them (windows,
    so the rows are aggregated once): ``page_of`` with parameters."""
    every = {"rows": func.count(), **overall}
    figures = (aggregate.over().label(f"overall_{name}") for name, aggregate in every.items())
    counted = query.add_columns(*figures)
    return counted.order_by(*order).limit(param("limit")).offset(param("offset"))


def run_page(
    statement: Select, values: dict[str, Any], page: int, per_page: int
) -> tuple[list[dict], dict[str, Any]]:
    """The rows of a ``paged`` statement for one page (as dicts), and its figures over all
    its rows: ``rows``, how many there are, and each of its ``overall`` (None without
    rows). A page past the end asks again for the first row, to learn them."""
    offset = (page - 1) * per_page
    found = db.session.execute(statement, {**values, "limit": per_page, "offset": offset}).all()
    first = found
    if not found and page > 1:
        first = db.session.execute(statement, {**values, "limit": 1, "offset": 0}).all()
    figures = dict(first[0]._mapping) if first else {}
    prefix = "overall_"
    overall = {
        key[len(prefix) :]: value for key, value in figures.items() if key.startswith(prefix)
    }
    overall["rows"] = overall.get("rows") or 0
    rows = [
        {key: value for key, value in row._mapping.items() if not key.startswith(prefix)}
        for row in found
    ]
    return rows, overall
