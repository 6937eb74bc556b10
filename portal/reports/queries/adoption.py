"""The rep-adoption report: per rep, how much content they used in a period and how many of
their deals that closed in it had content attached, so adoption gaps show.

Every active rep is listed, with zeros when they did nothing; a deactivated rep only when
they did something in the period. The team filter keeps the reps of that department.

- Assets used: distinct assets the rep downloaded, shared, had opened by a buyer through
  their share link, or attached to a deal in the period (anything but a view).
- Closed deals: the rep's deals won or lost with a close date in the period.
- With content: those of them that any usage event names, of any evidence, recorded at
  any time (attached by a rep or the CRM, a share link made or opened for the deal).
- Ratings given: ratings the rep saved (first given or changed) in the period.
- Verified, self-reported and imported uses: the rep's uses (anything but a view) in the
  period per evidence tier, as the consumption headline counts them.

Each figure is a grouped query over the period's rows, joined to the reps in one query.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Select, and_, case, exists, func, or_, select
from sqlalchemy.sql import ColumnElement, Subquery

from content.deals.models import Deal
from content.usage.models import Rating, UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import Role, User
from portal.kernel.pagination import Page
from portal.kernel.reporting import ReportFilters, Sort, ordered
from portal.reports.queries.prepared import (
    Shape,
    bound_filters,
    built_once,
    paged,
    parameters,
    run_page,
    shape_of,
)

E = UsageEvent
CLOSED = ("won", "lost")
FIGURES = (
    "assets_used", "views", "shares", "buyer_views", "closed_deals", "deals_with_content",
    "content_share", "ratings_given", "verified_uses", "self_reported_uses", "imported_uses",
)  # fmt: skip
_USE = E.kind != "view"


def _count(condition) -> ColumnElement:
    return func.sum(case((condition, 1), else_=0))


def _in_period(query: Select, filters: ReportFilters) -> Select:
    period = filters.period
    return query.where(E.created_at >= period.start, E.created_at < period.end)


def _events_per_rep(filters: ReportFilters) -> Subquery:
    """Each person's views, share links and buyer views in the period, and their uses
    (anything but a view) per evidence tier."""
    return (
        _in_period(
            select(
                E.user_id.label("user_id"),
                _count(E.kind == "view").label("views"),
                _count(E.kind == "share").label("shares"),
                _count(E.kind == "buyer_view").label("buyer_views"),
                _count(and_(_USE, E.evidence == "verified")).label("verified_uses"),
                _count(and_(_USE, E.evidence == "self_reported")).label("self_reported_uses"),
                _count(and_(_USE, E.evidence == "imported")).label("imported_uses"),
            ),
            filters,
        )
        .group_by(E.user_id)
        .subquery("usage")
    )


def _assets_per_rep(filters: ReportFilters) -> Subquery:
    """Each person's distinct assets used (anything but a view) in the period.

    Counted from the distinct (person, asset) pairs rather than with COUNT(DISTINCT):
    PostgreSQL can only sort for COUNT(DISTINCT), and for a long period it then read the
    whole table in person order through its index (1.6 s for a year in the benchmark);
    the pairs are hashed from the period's events read by time.
    """
    pairs = (
        _in_period(select(E.user_id, E.asset_id).where(E.kind != "view"), filters)
        .distinct()
        .subquery("pairs")
    )
    return (
        select(pairs.c.user_id.label("user_id"), func.count().label("assets_used"))
        .group_by(pairs.c.user_id)
        .subquery("assets")
    )


def _deals_per_rep(filters: ReportFilters) -> Subquery:
    """Each rep's deals closed in the period, and how many of them any usage event names
    (found through the index on the event's deal)."""
    with_content = exists().where(E.deal_id == Deal.id)
    period = filters.period
    return (
        select(
            Deal.owner_id.label("user_id"),
            func.count(Deal.id).label("closed_deals"),
            _count(with_content).label("deals_with_content"),
        )
        .where(
            Deal.status.in_(CLOSED),
            Deal.close_date >= period.first,
            Deal.close_date <= period.last,
        )
        .group_by(Deal.owner_id)
        .subquery("deals")
    )


def _ratings_per_rep(filters: ReportFilters) -> Subquery:
    period = filters.period
    return (
        select(Rating.user_id.label("user_id"), func.count(Rating.id).label("ratings_given"))
        .where(Rating.updated_at >= period.start, Rating.updated_at < period.end)
        .group_by(Rating.user_id)
        .subquery("ratings")
    )


def _rep_rows(filters: ReportFilters) -> tuple[Select, dict, ColumnElement]:
    """The listed reps with their figures, the expression each column sorts by, and the
    sum of their activity (zero for a rep who did nothing)."""
    usage, deals = _events_per_rep(filters), _deals_per_rep(filters)
    assets, ratings = _assets_per_rep(filters), _ratings_per_rep(filters)
    figures: dict[str, ColumnElement[Any]] = {
        column.key: func.coalesce(column, 0)
        for sub in (assets, usage, deals, ratings)
        for column in sub.c
        if column.key != "user_id"
    }
    figures["content_share"] = deals.c.deals_with_content.cast(Float) / deals.c.closed_deals
    activity = (
        figures["views"]
        + figures["assets_used"]
        + figures["closed_deals"]
        + figures["ratings_given"]
    )
    query = (
        select(
            User.id.label("user_id"),
            User.name.label("rep"),
            *(figures[name].label(name) for name in FIGURES),
            User.last_login_at.label("last_sign_in"),
        )
        .outerjoin(assets, assets.c.user_id == User.id)
        .outerjoin(usage, usage.c.user_id == User.id)
        .outerjoin(deals, deals.c.user_id == User.id)
        .outerjoin(ratings, ratings.c.user_id == User.id)
        .where(User.role == Role.REP, or_(User.active, activity > 0))
    )
    if filters.team is not None:
        query = query.where(User.department == filters.team)
    keys = figures | {"rep": func.lower(User.name), "last_sign_in": User.last_login_at}
    return query, keys, activity


@dataclass
class RepRow:
    user_id: int
    rep: str
    assets_used: int
    views: int
    shares: int
    buyer_views: int
    closed_deals: int
    deals_with_content: int
    content_share: float | None
    ratings_given: int
    verified_uses: int
    self_reported_uses: int
    imported_uses: int
    last_sign_in: datetime | None


def _listed(filters: ReportFilters) -> Subquery:
    """The listed reps and their figures, to aggregate over."""
    return _rep_rows(filters)[0].subquery("reps")


def rep_adoption(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One page of reps in the chosen order. When no listed rep did anything in the period
    the page is empty rather than a table of zeros."""
    statement = _page(shape_of(filters), sort.key, sort.descending)
    rows, overall = run_page(statement, parameters(filters), page, per_page)
    if not overall.get("activity"):
        return Page([], page, per_page, 0)
    return Page([RepRow(**row) for row in rows], page, per_page, overall["rows"])


@built_once
def _page(shape: Shape, key: str, descending: bool) -> Select:
    """The page's statement, with the period and the team as parameters."""
    query, figures, activity = _rep_rows(bound_filters(shape))
    order = [*ordered(figures[key], descending), func.lower(User.name), User.id]
    return paged(query, order, activity=func.sum(activity))


def adoption_summary(filters: ReportFilters) -> dict:
    """For the dashboard: the listed reps with content on under half their closed deals,
    those who used no asset, and the share of all their closed deals with content."""
    statement = _summary(shape_of(filters))
    under_half, unused, content_share = db.session.execute(statement, parameters(filters)).one()
    return {"under_half": under_half or 0, "no_assets": unused or 0, "content_share": content_share}


@built_once
def _summary(shape: Shape) -> Select:
    reps = _listed(bound_filters(shape)).c
    closed = func.nullif(func.sum(reps.closed_deals), 0)
    return select(
        _count(and_(reps.closed_deals > 0, 2 * reps.deals_with_content < reps.closed_deals)),
        _count(reps.assets_used == 0),
        func.sum(reps.deals_with_content).cast(Float) / closed,
    )


BUCKETS = {
    "none": "No closed deals",
    "q1": "Under 25 %",
    "q2": "25 to under 50 %",
    "q3": "50 to under 75 %",
    "q4": "75 % or more",
}


def reps_per_share(filters: ReportFilters) -> dict[str, int]:
    """How many listed reps had content on what share of their closed deals (whole
    numbers compared, so no rounding decides a bucket), keyed as ``BUCKETS``."""
    rows = db.session.execute(_buckets(shape_of(filters)), parameters(filters))
    counts: dict[str, int] = dict(rows.all())
    return {key: counts.get(key, 0) for key in BUCKETS}


@built_once
def _buckets(shape: Shape) -> Select:
    reps = _listed(bound_filters(shape)).c
    closed, with_content = reps.closed_deals, reps.deals_with_content
    bucket = case(
        (closed == 0, "none"),
        (4 * with_content < closed, "q1"),
        (2 * with_content < closed, "q2"),
        (4 * with_content < 3 * closed, "q3"),
        else_="q4",
    )
    # Grouped outside: PostgreSQL would not match the CASE's parameters in GROUP BY.
    bucketed = select(bucket.label("bucket")).subquery("bucketed")
    return select(bucketed.c.bucket, func.count()).group_by(bucketed.c.bucket)
