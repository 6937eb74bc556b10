"""The unused-and-stale report: live assets nobody used in a period, and live assets past
their review-by date with how much they were used in it.

An asset is in the library for a period when reps can see it now (``Asset.live_clause``)
and it was first published before the period ended: an asset published later could not
have been used in it, so it is not "unused" there. Each page is one statement: the
period's usage events are read once (through their time index), and the row count comes
with the page.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Float, Integer, Select, and_, case, func, literal, or_, select
from sqlalchemy.sql import ColumnElement

from content.library.models import Asset, AssetRevision, ContentType, Stage, asset_stages
from content.usage.models import Rating, UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.pagination import Page
from portal.kernel.reporting import ReportFilters, Sort, local_today, ordered, page_of
from portal.kernel.sql import on_postgresql
from portal.reports.queries.content_usage import restrict_assets

E = UsageEvent


def in_library(filters: ReportFilters, today: date | None = None) -> ColumnElement:
    """Live now (on ``today``, by default the current day) and first published before
    the period ended (an asset without a publication time, from before Tandem kept it,
    counts)."""
    published = or_(Asset.published_at.is_(None), Asset.published_at < filters.period.end)
    return and_(Asset.live_clause(today), published)


def _period_events(filters: ReportFilters) -> Select:
    return select(E.asset_id).where(
        E.created_at >= filters.period.start, E.created_at < filters.period.end
    )


def unused_ids(filters: ReportFilters) -> Select:
    """The assets in the library for the period, kept by the filters, with no usage event
    of any kind (views included) in the period."""
    # NOT EXISTS, not NOT IN: PostgreSQL hashes a NOT IN list only while it fits in
    # work_mem, and a year of events does not (47 s instead of 25 ms in the benchmark).
    period = filters.period
    used = (
        select(E.id)
        .where(E.asset_id == Asset.id, E.created_at >= period.start, E.created_at < period.end)
        .exists()
    )
    query = select(Asset.id).where(in_library(filters), ~used)
    return restrict_assets(query, filters)


def review_day(filters: ReportFilters) -> date:
    """The day an asset is judged overdue on: the period's last day, or today for a
    period that runs on into the future."""
    return min(filters.period.last, local_today())


def stale_ids(filters: ReportFilters) -> Select:
    """The assets in the library for the period, kept by the filters, whose review-by date
    had passed on the review day."""
    query = select(Asset.id).where(in_library(filters), Asset.review_by < review_day(filters))
    return restrict_assets(query, filters)


def days_since(day: date, column) -> ColumnElement:
    """Whole days from a stored date to ``day``, on SQLite and PostgreSQL."""
    if on_postgresql():
        return (literal(day) - column).cast(Integer)
    return (func.julianday(literal(day.isoformat())) - func.julianday(column)).cast(Integer)


def _ratings(assets: Select):
    return (
        select(
            Rating.asset_id.label("asset_id"),
            (func.sum(Rating.stars).cast(Float) / func.count(Rating.id)).label("average"),
            func.count(Rating.id).label("count"),
        )
        .where(Rating.asset_id.in_(assets))
        .group_by(Rating.asset_id)
        .subquery("ratings")
    )


def _page(query: Select, sort_by, sort: Sort, page: int, per_page: int) -> tuple[list, int]:
    """One page of asset rows and how many there are; equal figures fall back to the
    title, then the id."""
    order = [*ordered(sort_by, sort.descending), func.lower(AssetRevision.title), Asset.id]
    rows, overall = page_of(query, order, page, per_page)
    return rows, overall["rows"]


def stage_names(asset_ids: list[int]) -> dict[int, str]:
    """Each asset's stages in journey order, as one line, for the assets on a page."""
    names: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(asset_stages.c.asset_id, Stage.name)
        .join(Stage, Stage.id == asset_stages.c.stage_id)
        .where(asset_stages.c.asset_id.in_(asset_ids))
        .order_by(Stage.position, Stage.id)
    )
    for asset_id, name in rows:
        names.setdefault(asset_id, []).append(name)
    return {asset_id: ", ".join(stages) for asset_id, stages in names.items()}


@dataclass
class UnusedRow:
    asset_id: int
    title: str
    owner: str
    content_type: str | None
    stages: str
    published_at: datetime | None
    last_used: datetime | None
    last_viewed: datetime | None
    rating_average: float | None
    rating_count: int


def _last(kind: ColumnElement) -> ColumnElement:
    """When the asset was last used in a way ``kind`` keeps, at any time: a lookup per
    asset through the (asset, kind) index, since an unused asset has few events."""
    return select(func.max(E.created_at)).where(E.asset_id == Asset.id, kind).scalar_subquery()


def unused_assets(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One page of the library's assets nobody used in the period, in the chosen order."""
    unused = unused_ids(filters).cte("unused")
    ratings = _ratings(select(unused.c.id))
    figures = {
        "title": func.lower(AssetRevision.title),
        "owner": func.lower(User.name),
        "content_type": func.lower(ContentType.name),
        "published_at": Asset.published_at,
        "last_used": _last(E.kind != "view"),
        "last_viewed": _last(E.kind == "view"),
        "rating_average": ratings.c.average,
        "rating_count": func.coalesce(ratings.c.count, 0),
    }
    query = (
        select(
            Asset.id.label("asset_id"),
            AssetRevision.title,
            User.name.label("owner"),
            ContentType.name.label("content_type"),
            Asset.published_at,
            *(figures[name].label(name) for name in ("last_used", "last_viewed")),
            ratings.c.average.label("rating_average"),
            figures["rating_count"].label("rating_count"),
        )
        .join(unused, unused.c.id == Asset.id)
        .join(AssetRevision, AssetRevision.id == Asset.live_revision_id)
        .join(User, User.id == Asset.owner_id)
        .outerjoin(ContentType, ContentType.id == Asset.content_type_id)
        .outerjoin(ratings, ratings.c.asset_id == Asset.id)
    )
    rows, total = _page(query, figures[sort.key], sort, page, per_page)
    stages = stage_names([row["asset_id"] for row in rows])
    items = [UnusedRow(**row, stages=stages.get(row["asset_id"], "")) for row in rows]
    return Page(items, page, per_page, total)


@dataclass
class StaleRow:
    asset_id: int
    title: str
    owner: str
    review_by: date
    days_overdue: int
    views: int
    uses: int


def _usage(filters: ReportFilters, assets: Select):
    """Each asset's views and uses (every other kind) in the period."""
    return (
        _period_events(filters)
        .add_columns(
            func.sum(case((E.kind == "view", 1), else_=0)).label("views"),
            func.sum(case((E.kind != "view", 1), else_=0)).label("uses"),
        )
        .where(E.asset_id.in_(assets))
        .group_by(E.asset_id)
        .subquery("usage")
    )


def stale_assets(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One page of the library's assets past their review-by date, in the chosen order."""
    stale = stale_ids(filters)
    usage = _usage(filters, stale)
    figures = {
        "title": func.lower(AssetRevision.title),
        "owner": func.lower(User.name),
        "review_by": Asset.review_by,
        "days_overdue": days_since(review_day(filters), Asset.review_by),
        "views": func.coalesce(usage.c.views, 0),
        "uses": func.coalesce(usage.c.uses, 0),
    }
    query: Select = (
        select(
            Asset.id.label("asset_id"),
            AssetRevision.title,
            User.name.label("owner"),
            Asset.review_by,
            *(figures[name].label(name) for name in ("days_overdue", "views", "uses")),
        )
        .join(AssetRevision, AssetRevision.id == Asset.live_revision_id)
        .join(User, User.id == Asset.owner_id)
        .outerjoin(usage, usage.c.asset_id == Asset.id)
        .where(Asset.id.in_(stale))
    )
    rows, total = _page(query, figures[sort.key], sort, page, per_page)
    return Page([StaleRow(**row) for row in rows], page, per_page, total)


def gap_counts(filters: ReportFilters) -> dict[str, int]:
    """How many assets are unused in the period and how many are past review, for the
    dashboard."""
    unused = select(func.count()).select_from(unused_ids(filters).subquery())
    stale = select(func.count()).select_from(stale_ids(filters).subquery())
    return {"unused": db.session.scalar(unused) or 0, "stale": db.session.scalar(stale) or 0}
