"""The content-usage report: per asset, how it was used in a period, aggregated from the
usage events (and the deals they name) of the period.

A page takes two queries: the page's assets in order, and how many were used, from the
one figure sorted by (most figures need no join per event, and only the assets that can
reach the page have their titles looked up); then every figure of the page's assets
alone, from their events of the period. Each statement is built once per shape of the
filters and order (``prepared``), and run with the period and terms as parameters.

"Deals used in" counts an asset's attachments recorded in the period (by reps or the
CRM; an asset is attached to a deal once), "won" and "lost" the deals' status now, and
the revenue is the won deals' amounts. The rating is the asset's current average.
"""

from dataclasses import dataclass

from sqlalchemy import BigInteger, ColumnElement, Float, Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from content.deals.models import Deal
from content.library.models import Asset, AssetRevision, asset_stages
from content.rooms.queries import engagement_depth
from content.usage.models import Rating, UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import Role, User
from portal.kernel.pagination import Page
from portal.kernel.reporting import ReportFilters, Sort, ordered, week_of
from portal.reports.queries.prepared import (
    Shape,
    built_once,
    param,
    parameters,
    period_events,
    shape_of,
)

E = UsageEvent
_USED = E.kind == "used_in_deal"
_LAST_USED = func.max(case((E.kind != "view", E.created_at)))


# The revision an asset is listed by: its live one, else its latest.
_SHOWN = func.coalesce(Asset.live_revision_id, Asset.latest_revision_id)


def _count(condition) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _events(filters: ReportFilters) -> Select:
    """The usage events of the period that the filters keep, joined to their person and
    asset only when the filters need them: each join is a lookup per event, and counting
    events needs none of them."""
    period = filters.period
    query = select().select_from(E)
    if filters.team:
        query = query.outerjoin(User, User.id == E.user_id)
    query = query.where(E.created_at >= period.start, E.created_at < period.end)
    if (filters.stage_id, filters.content_type_id, filters.owner_id) != (None, None, None):
        query = restrict_assets(query.join(Asset, Asset.id == E.asset_id), filters)
    if filters.team:
        query = query.where(User.department == filters.team)
    return query


def restrict_assets(query: Select, filters: ReportFilters) -> Select:
    """Keep the assets of the chosen stage, content type and owner."""
    if filters.stage_id is not None:
        in_stage = select(asset_stages.c.asset_id).where(
            asset_stages.c.stage_id == filters.stage_id
        )
        query = query.where(Asset.id.in_(in_stage))
    if filters.content_type_id is not None:
        query = query.where(Asset.content_type_id == filters.content_type_id)
    if filters.owner_id is not None:
        query = query.where(Asset.owner_id == filters.owner_id)
    return query


def _per_asset(shape: Shape, *, only_listed: bool = False) -> Select:
    """Every figure of the assets used in the period (of the ``ids`` parameter alone, when
    ``only_listed``)."""
    won = and_(_USED, Deal.status == "won")
    query = period_events(shape, joined=True)
    if only_listed:
        query = query.where(E.asset_id.in_(param("ids", expanding=True)))
    return query.add_columns(
        E.asset_id.label("asset_id"),
        _count(E.kind == "view").label("views"),
        func.count(func.distinct(case((User.role == Role.REP, E.user_id)))).label("reps"),
        _count(E.kind == "download").label("downloads"),
        _count(E.kind == "share").label("shares"),
        _count(E.kind == "buyer_view").label("buyer_views"),
        _count(_USED).label("deals"),
        _count(won).label("deals_won"),
        _count(and_(_USED, Deal.status == "lost")).label("deals_lost"),
        # PostgreSQL sums bigints as numeric: cast back, so cents stay integers.
        func.coalesce(func.sum(case((won, Deal.amount_cents), else_=0)), 0)
        .cast(BigInteger)
        .label("revenue"),
        _LAST_USED.label("last_used"),
    ).group_by(E.asset_id)


# The figures one pass over the bare events can order by; ordering by the others (the
# reps, the won and lost deals and their revenue) needs the person and the deal of each
# event.
_BARE = {
    "views": _count(E.kind == "view"),
    "downloads": _count(E.kind == "download"),
    "shares": _count(E.kind == "share"),
    "buyer_views": _count(E.kind == "buyer_view"),
    "deals": _count(_USED),
    "last_used": _LAST_USED,
}


def _sort_figure(shape: Shape, key: str) -> Select:
    """The assets used in the period with the figure ``key`` (when it is one), grouped
    from as few joins as that figure needs."""
    figure = _BARE.get(key)
    if figure is None and key in FIGURES:
        return _per_asset(shape)
    if figure is None:  # ordered by the asset's title, owner or rating: only its id counts
        figure, key = func.count(), "events"
    query = period_events(shape).add_columns(E.asset_id.label("asset_id"), figure.label(key))
    return query.group_by(E.asset_id)


def _ratings(*, only_listed: bool = False):
    query = select(
        Rating.asset_id.label("asset_id"),
        (func.sum(Rating.stars).cast(Float) / func.count(Rating.id)).label("average"),
        func.count(Rating.id).label("count"),
    )
    if only_listed:
        query = query.where(Rating.asset_id.in_(param("ids", expanding=True)))
    return query.group_by(Rating.asset_id).subquery("ratings")


FIGURES = (
    "views", "reps", "downloads", "shares", "buyer_views", "deals", "deals_won",
    "deals_lost", "revenue", "last_used",
)  # fmt: skip


@dataclass
class UsageRow:
    asset_id: int
    title: str
    owner: str
    views: int
    reps: int
    downloads: int
    shares: int
    buyer_views: int
    deals: int
    deals_won: int
    deals_lost: int
    revenue: int  # cents
    rating_average: float | None
    rating_count: int
    last_used: object
    # "2 min 10 s · 4 pages": median per buyer visit of a deal room; None when unmeasured.
    engagement: str | None = None


def content_usage(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One page of assets used in the period, in the chosen order."""
    ranked, total = _ranked(filters, sort, page, per_page)
    if not ranked:
        return Page([], page, per_page, total)
    ids = [row.asset_id for row in ranked]
    rows = db.session.execute(_figures(shape_of(filters)), parameters(filters, ids=ids))
    found = {row.asset_id: UsageRow(**row._mapping) for row in rows}
    period = filters.period
    depths = engagement_depth(
        ids, period.start.replace(tzinfo=None), period.end.replace(tzinfo=None)
    )
    for asset_id, depth in depths.items():
        found[asset_id].engagement = depth.label
    return Page([found[asset_id] for asset_id in ids], page, per_page, total)


def top_assets(filters: ReportFilters, kind: str, number: int) -> list:
    """The ``number`` assets with the most events of ``kind`` in the period (at least
    one), as rows of ``asset_id``, ``title`` and ``figure``, in the page's order for
    that count."""
    values = parameters(filters, cut=number - 1, limit=number, offset=0)
    return list(db.session.execute(_top(shape_of(filters), kind), values))


@built_once
def _top(shape: Shape, kind: str) -> Select:
    """The assets with events of ``kind``, most first: only those events are read."""
    usage = (
        period_events(shape)
        .where(E.kind == kind)
        .add_columns(E.asset_id.label("asset_id"), func.count().label("events"))
        .group_by(E.asset_id)
    )
    return _first_ranked(usage, "events", descending=True)


@built_once
def _figures(shape: Shape) -> Select:
    """Every figure of the assets of the ``ids`` parameter."""
    usage = _per_asset(shape, only_listed=True).subquery("usage")
    ratings, shown = _ratings(only_listed=True), aliased(AssetRevision)
    return (
        select(
            Asset.id.label("asset_id"),
            shown.title.label("title"),
            User.name.label("owner"),
            *(usage.c[name] for name in FIGURES),
            ratings.c.average.label("rating_average"),
            func.coalesce(ratings.c.count, 0).label("rating_count"),
        )
        .join(usage, usage.c.asset_id == Asset.id)
        .join(shown, shown.id == _SHOWN)
        .join(User, User.id == Asset.owner_id)
        .outerjoin(ratings, ratings.c.asset_id == Asset.id)
        # Repeated for PostgreSQL, which otherwise reads every asset to join a few.
        .where(Asset.id.in_(param("ids", expanding=True)))
    )


def _ranked(filters: ReportFilters, sort: Sort, page: int, per_page: int):
    """The page's assets in order (``asset_id``, ``title``, ``figure``), and how many
    assets were used."""
    shape, offset = shape_of(filters), (page - 1) * per_page
    values = parameters(filters, cut=offset + per_page - 1, limit=per_page, offset=offset)
    statement = _ranking(shape, sort.key, sort.descending)
    rows = db.session.execute(statement, values).all()
    if not rows and page > 1:  # past the last page: the count still says how many
        return [], db.session.scalar(_used(shape), values) or 0
    return rows, rows[0].total if rows else 0


@built_once
def _ranking(shape: Shape, key: str, descending: bool) -> Select:
    """The ``limit`` assets after the first ``offset`` in the order of ``key``, with the
    number of assets used."""
    usage = _sort_figure(shape, key)
    if key in usage.selected_columns:
        return _first_ranked(usage, key, descending)
    shown = aliased(AssetRevision)
    query, figure = _ranking_by_asset(usage.subquery("usage"), shown, key)
    query = query.join(shown, shown.id == _SHOWN)
    query = query.order_by(*ordered(figure, descending), shown.title, Asset.id)
    return query.limit(param("limit")).offset(param("offset"))


def _first_ranked(usage: Select, key: str, descending: bool) -> Select:
    """The assets of ``usage`` in the order of its column ``key``, then of their titles,
    with the number of assets.

    Only the assets whose figure is at least as good as that of the page's last row
    (the ``cut``-th asset by figure alone) can be on the page: their titles alone are
    looked up, for the order among equal figures. Ordering every asset used by figure
    and title would look up the title of each.
    """
    used = usage.cte("usage")
    figure = used.c[key]
    order = ordered(figure, descending)
    cut = select(figure.label("figure")).order_by(*order).limit(1).offset(param("cut")).cte("cut")
    worst = select(cut.c.figure).scalar_subquery()
    shown = aliased(AssetRevision)
    title = (
        select(shown.title)
        .join_from(
            Asset,
            shown,
            shown.id == _SHOWN,
        )
        .where(Asset.id == used.c.asset_id)
        .scalar_subquery()
        .label("title")
    )
    # No cut (fewer assets than the page needs) or an empty one (the order reaches the
    # assets without the figure, which come last): every asset may be on the page.
    candidate = or_(worst.is_(None), figure >= worst if descending else figure <= worst)
    return (
        select(
            used.c.asset_id,
            title,
            figure.label("figure"),
            select(func.count()).select_from(used).scalar_subquery().label("total"),
        )
        .where(candidate)
        .order_by(*order, title, used.c.asset_id)
        .limit(param("limit"))
        .offset(param("offset"))
    )


def _ranking_by_asset(usage, shown, key: str) -> tuple[Select, ColumnElement]:
    """The assets used, ordered by the asset's title, owner or current rating."""
    total = func.count().over().label("total")
    query = select(Asset.id.label("asset_id"), shown.title, total)
    query = query.join(usage, usage.c.asset_id == Asset.id)
    if key == "title":
        return query, func.lower(shown.title)
    if key == "owner":
        return query.join(User, User.id == Asset.owner_id), func.lower(User.name)
    ratings = _ratings()
    query = query.outerjoin(ratings, ratings.c.asset_id == Asset.id)
    average, count = ratings.c.average, func.coalesce(ratings.c.count, 0)
    return query, average if key == "rating_average" else count


@built_once
def _used(shape: Shape) -> Select:
    """How many assets were used in the period."""
    return select(func.count()).select_from(_sort_figure(shape, "title").subquery("usage"))


def usage_per_week(filters: ReportFilters) -> dict[str, list[int]]:
    """Events per kind in each seven-day bucket of the period, for the chart."""
    week = week_of(E.created_at, filters.period)
    weeks = len(filters.period.weeks())
    series: dict[str, list[int]] = {}
    rows = db.session.execute(
        _events(filters)
        .add_columns(week.label("week"), E.kind, func.count())
        .group_by(week, E.kind)
    )
    for bucket, kind, number in rows:
        series.setdefault(kind, [0] * weeks)[min(int(bucket), weeks - 1)] = number
    return series


def totals(filters: ReportFilters) -> dict[str, int]:
    """The period's events per kind and the distinct assets used, for the dashboard."""
    counts: dict[str, int] = dict(
        db.session.execute(
            _events(filters).add_columns(E.kind, func.count()).group_by(E.kind)
        ).all()
    )
    assets = db.session.scalar(_events(filters).add_columns(func.count(func.distinct(E.asset_id))))
    return {**counts, "assets": assets or 0}
