"""The search-gaps report: what people searched for on the search page and did not find,
or found and never opened, grouped by the query's normalised text.

A query is a gap for a period when none of its results was opened from the period's
start on (a result opened from the second page counts too). Its searchers' stages are the
stage filter they chose or, without one, the stages of the deals they had open: that is
the call they were preparing for.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from content.library.models import Stage
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.pagination import Page
from portal.kernel.reporting import ReportFilters, Sort, ordered, page_of
from portal.reports.queries.searches import open_deal_stages
from search.models import SearchClick, SearchRecord

S = SearchRecord


def _searches_in(filters: ReportFilters) -> Select:
    """The period's searches, kept by the team and stage filters."""
    period = filters.period
    query = select().select_from(S).where(S.created_at >= period.start, S.created_at < period.end)
    if filters.team:
        query = query.join(User, User.id == S.user_id).where(User.department == filters.team)
    if filters.stage_id:
        slug = select(Stage.slug).where(Stage.id == filters.stage_id).scalar_subquery()
        deals = open_deal_stages().subquery()
        in_deal = (
            select(deals.c.user_id)
            .where(deals.c.user_id == S.user_id, deals.c.stage_id == filters.stage_id)
            .exists()
        )
        query = query.where(or_(S.stage_slug == slug, and_(S.stage_slug == "", in_deal)))
    return query


def _unopened(filters: ReportFilters):
    """No result of the query was opened from the period's start on."""
    opened = select(SearchClick.id).where(
        SearchClick.normalised == S.normalised, SearchClick.created_at >= filters.period.start
    )
    return ~opened.exists()


@dataclass
class GapRow:
    query: str
    searches: int
    found_nothing: int
    searchers: int
    last_seen: datetime
    roles: str
    stages: str


def search_gaps(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One page of unanswered queries with how often and by whom they were asked."""
    figures: dict[str, ColumnElement[Any]] = {
        "query": S.normalised.expression,
        "searches": func.count(S.id),
        "found_nothing": func.sum(case((S.total == 0, 1), else_=0)),
        "searchers": func.count(S.user_id.distinct()),
        "last_seen": func.max(S.created_at),
    }
    query = (
        _searches_in(filters)
        .add_columns(*(figure.label(name) for name, figure in figures.items()))
        .where(_unopened(filters))
        .group_by(S.normalised)
    )
    order = [*ordered(figures[sort.key], sort.descending), S.normalised]
    rows, overall = page_of(query, order, page, per_page)
    keys = [row["query"] for row in rows]
    roles, stages = _roles(filters, keys), _stages(filters, keys)
    items = [
        GapRow(**row, roles=roles.get(row["query"], ""), stages=stages.get(row["query"], ""))
        for row in rows
    ]
    return Page(items, page, per_page, overall["rows"])


def _roles(filters: ReportFilters, keys: list[str]) -> dict[str, str]:
    """Each query's searchers' roles, as one line."""
    query = (
        _searches_in(filters)
        .add_columns(S.normalised, S.role)
        .where(S.normalised.in_(keys))
        .distinct()
        .order_by(S.role)
    )
    found: dict[str, list[str]] = {}
    for key, role in db.session.execute(query):
        found.setdefault(key, []).append(role)
    return {key: ", ".join(values) for key, values in found.items()}


def _stages(filters: ReportFilters, keys: list[str]) -> dict[str, str]:
    """Each query's stages in journey order, as one line: the stage filter chosen or,
    without one, the stages of the searcher's open deals."""
    deals = open_deal_stages().subquery()
    chosen = (
        _searches_in(filters)
        .add_columns(S.normalised, Stage.id.label("stage_id"))
        .join(Stage, Stage.slug == S.stage_slug)
    )
    from_deals = (
        _searches_in(filters)
        .add_columns(S.normalised, deals.c.stage_id.label("stage_id"))
        .join(deals, deals.c.user_id == S.user_id)
        .where(S.stage_slug == "")
    )
    pairs = chosen.union(from_deals).subquery()
    query = (
        select(pairs.c.normalised, Stage.name, Stage.position)
        .join(Stage, Stage.id == pairs.c.stage_id)
        .where(pairs.c.normalised.in_(keys))
        .distinct()
        .order_by(pairs.c.normalised, Stage.position)
    )
    found: dict[str, list[str]] = {}
    for key, name, _position in db.session.execute(query):
        found.setdefault(key, []).append(name)
    return {key: ", ".join(values) for key, values in found.items()}


def gaps_total(filters: ReportFilters) -> int:
    """How many distinct queries of the period went unanswered, for the dashboard."""
    query = _searches_in(filters).add_columns(func.count(S.normalised.distinct()))
    return db.session.scalar(query.where(_unopened(filters))) or 0
