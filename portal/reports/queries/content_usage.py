"""The content-usage report: per asset, how it was used in a period, aggregated from the
usage events (and the deals they name) of the period.

A page takes two queries: the order of the assets used in the period, and how many there
are, from the one figure sorted by (most figures need no join per event); then every
figure of the page's assets alone, from their events of the period.

"Deals used in" counts an asset's attachments recorded in the period (by reps or the
CRM; an asset is attached to a deal once), "won" and "lost" the deals' status now, and
the revenue is the won deals' amounts. The rating is the asset's current average.
"""

from dataclasses import dataclass

from sqlalchemy import BigInteger, ColumnElement, Float, Select, and_, case, func, select
from sqlalchemy.orm import aliased

from content.deals.models import Deal
from content.library.models import Asset, AssetRevision, asset_stages
from content.usage.models import Rating, UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import Role, User
from portal.kernel.pagination import Page
from portal.kernel.reporting import ReportFilters, Sort, ordered, week_of

E = UsageEvent
_USED = E.kind == "used_in_deal"
_LAST_USED = func.max(case((E.kind != "view", E.created_at)))


def _count(condition) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def events_in(filters: ReportFilters) -> Select:
    """The usage events of the period that the filters keep, joined to their person and
    deal; the asset filters (stage, content type, owner) apply through the asset."""
    period = filters.period
    query = (
        select()
        .select_from(E)
        .join(Asset, Asset.id == E.asset_id)
        .outerjoin(User, User.id == E.user_id)
        .outerjoin(Deal, Deal.id == E.deal_id)
        .where(E.created_at >= period.start, E.created_at < period.end)
    )
    query = restrict_assets(query, filters)
    if filters.team:
        query = query.where(User.department == filters.team)
    return query


def _events(filters: ReportFilters, *, joined: bool = False) -> Select:
    """The events of ``events_in``, joined to their person and deal only when ``joined``
    (and to the person and the asset when the filters need them): each join is a lookup
    per event, and counting events needs none of them."""
    period = filters.period
    query = select().select_from(E)
    if joined or filters.team:
        query = query.outerjoin(User, User.id == E.user_id)
    if joined:
        query = query.outerjoin(Deal, Deal.id == E.deal_id)
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


def _per_asset(filters: ReportFilters, assets: list[int] | None = None):
    """Every figure of the assets used in the period (of ``assets`` only, when given)."""
    won = and_(_USED, Deal.status == "won")
    query = _events(filters, joined=True)
    if assets is not None:
        query = query.where(E.asset_id.in_(assets))
    return (
        query.add_columns(
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
        )
        .group_by(E.asset_id)
        .subquery("usage")
    )


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


def _sort_figure(filters: ReportFilters, key: str):
    """The assets used in the period with the figure ``key`` (when it is one), grouped
    from as few joins as that figure needs."""
    figure = _BARE.get(key)
    if figure is None and key in FIGURES:
        return _per_asset(filters)
    if figure is None:  # ordered by the asset's title, owner or rating: only its id counts
        figure, key = func.count(), "events"
    query = _events(filters).add_columns(E.asset_id.label("asset_id"), figure.label(key))
    return query.group_by(E.asset_id).subquery("usage")


def _ratings(assets: list[int] | None = None):
    query = select(
        Rating.asset_id.label("asset_id"),
        (func.sum(Rating.stars).cast(Float) / func.count(Rating.id)).label("average"),
        func.count(Rating.id).label("count"),
    )
    if assets is not None:
        query = query.where(Rating.asset_id.in_(assets))
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


def content_usage(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One page of assets used in the period, in the chosen order."""
    ids, total = _page_ids(filters, sort, page, per_page)
    if not ids:
        return Page([], page, per_page, total)
    usage, ratings = _per_asset(filters, ids), _ratings(ids)
    shown = aliased(AssetRevision)
    query = (
        select(
            Asset.id.label("asset_id"),
            shown.title.label("title"),
            User.name.label("owner"),
            *(usage.c[name] for name in FIGURES),
            ratings.c.average.label("rating_average"),
            func.coalesce(ratings.c.count, 0).label("rating_count"),
        )
        .join(usage, usage.c.asset_id == Asset.id)
        .join(shown, shown.id == func.coalesce(Asset.live_revision_id, Asset.latest_revision_id))
        .join(User, User.id == Asset.owner_id)
        .outerjoin(ratings, ratings.c.asset_id == Asset.id)
    )
    found = {row.asset_id: UsageRow(**row._mapping) for row in db.session.execute(query)}
    return Page([found[asset_id] for asset_id in ids], page, per_page, total)


def _page_ids(filters: ReportFilters, sort: Sort, page: int, per_page: int):
    """The ids of the page's assets in order, and how many assets were used."""
    usage, shown = _sort_figure(filters, sort.key), aliased(AssetRevision)
    # The number of rows rides along as a window: counting apart would aggregate the
    # period's events again (SQLite does not drop the figures a count leaves unused).
    query = (
        select(Asset.id, func.count().over())
        .join(usage, usage.c.asset_id == Asset.id)
        .join(shown, shown.id == func.coalesce(Asset.live_revision_id, Asset.latest_revision_id))
    )
    if sort.key in usage.c:
        figure = usage.c[sort.key]
    elif sort.key == "title":
        figure = func.lower(shown.title)
    elif sort.key == "owner":
        query = query.join(User, User.id == Asset.owner_id)
        figure = func.lower(User.name)
    else:  # the current rating
        ratings = _ratings()
        query = query.outerjoin(ratings, ratings.c.asset_id == Asset.id)
        average, count = ratings.c.average, func.coalesce(ratings.c.count, 0)
        figure = average if sort.key == "rating_average" else count
    query = query.order_by(*ordered(figure, sort.descending), shown.title, Asset.id)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    if not rows and page > 1:  # past the last page: the count still says how many
        return [], db.session.scalar(select(func.count()).select_from(usage)) or 0
    total = rows[0][1] if rows else 0
    return [asset_id for asset_id, _total in rows if asset_id is not None], total


def usage_per_week(filters: ReportFilters) -> dict[str, list[int]]:
    """Events per kind in each seven-day bucket of the period, for the chart."""
    week = week_of(E.created_at, filters.period)
    weeks = len(filters.period.weeks())
    series: dict[str, list[int]] = {}
    rows = db.session.execute(
        _events(filters)
        .add_columns(week.label("week"), E.kind, func.count(E.id))
        .group_by(week, E.kind)
    )
    for bucket, kind, number in rows:
        series.setdefault(kind, [0] * weeks)[min(int(bucket), weeks - 1)] = number
    return series


def totals(filters: ReportFilters) -> dict[str, int]:
    """The period's events per kind and the distinct assets used, for the dashboard."""
    counts: dict[str, int] = dict(
        db.session.execute(
            _events(filters).add_columns(E.kind, func.count(E.id)).group_by(E.kind)
        ).all()
    )
    assets = db.session.scalar(_events(filters).add_columns(func.count(func.distinct(E.asset_id))))
    return {**counts, "assets": assets or 0}
