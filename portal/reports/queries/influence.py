"""The content-influence report: per asset, the win rate of the period's closed deals that
used it against the win rate of the other closed deals of the period.

"Closed deals in the period" are the won and lost deals whose close date falls in the
period (a date of the portal's calendar already); the team filter keeps the deals whose
owner is in that team. A deal "used" an asset when the asset is attached to it (any
evidence, recorded at any time: an asset is attached to a deal at most once), so the
deals without it are the period's closed deals minus those with it. Two aggregate
queries give every count of a page: the period's closed and won deals, and per asset the
closed and won deals it is attached to (with the number of assets, as a window count).
Rates below the minimum sample are never computed: a win rate of two deals says nothing.
"""

from dataclasses import dataclass

from sqlalchemy import Float, Integer, Select, and_, case, func, literal, select
from sqlalchemy.orm import aliased

from content.deals.models import Deal
from content.library.models import Asset, AssetRevision
from content.usage.models import UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.pagination import Page
from portal.kernel.reporting import ReportFilters, Sort, ordered, page_of, wilson
from portal.reports.queries.content_usage import restrict_assets

E = UsageEvent
# Fewer closed deals than this with the asset, or without it, and the report shows no
# rate for the asset: an interval of a handful of deals spans most of 0-100 %.
MIN_DEALS = 5
ENOUGH = "Enough data"


def data_status(enough: bool, deals: str = "closed deals") -> str:
    """The "Data" cell of a comparison of deals with and without something: enough, or
    the minimum sample it lacks. Every report comparing deals so says it alike."""
    return ENOUGH if enough else f"Not enough data: needs {MIN_DEALS} {deals} with and without"


def enough_deals(deals_with: int, deals_without: int) -> bool:
    """Whether both sides of a comparison reach the minimum sample."""
    return deals_with >= MIN_DEALS and deals_without >= MIN_DEALS


NOT_ENOUGH = data_status(False)


def _won():
    return func.coalesce(func.sum(case((Deal.status == "won", 1), else_=0)), 0).cast(Integer)


def closed_in(query: Select, filters: ReportFilters) -> Select:
    """Keep the won and lost deals (already in ``query``) that closed in the period, owned
    by someone of the chosen team."""
    period = filters.period
    query = query.where(
        Deal.status.in_(("won", "lost")),
        Deal.close_date >= period.first,
        Deal.close_date <= period.last,
    )
    if filters.team:
        query = query.where(
            Deal.owner_id.in_(select(User.id).where(User.department == filters.team))
        )
    return query


@dataclass
class ClosedDeals:
    closed: int
    won: int


def closed_deals(filters: ReportFilters) -> ClosedDeals:
    """The period's closed deals and how many were won: the whole of both groups."""
    query = closed_in(select(func.count(Deal.id), _won()).select_from(Deal), filters)
    closed, won = db.session.execute(query).one()
    return ClosedDeals(closed, won)


def _per_asset(filters: ReportFilters):
    """Per asset that the stage, content type and owner filters keep: the period's closed
    deals it is attached to, and the won ones among them."""
    query = (
        select(
            E.asset_id.label("asset_id"),
            func.count(E.id).label("deals"),
            _won().label("won"),
        )
        .select_from(E)
        .join(Deal, Deal.id == E.deal_id)
        .join(Asset, Asset.id == E.asset_id)
        .where(E.kind == "used_in_deal")
    )
    query = restrict_assets(closed_in(query, filters), filters)
    return query.group_by(E.asset_id).subquery("influence")


def _figures(per_asset, totals: ClosedDeals) -> dict:
    """SQL expressions of each figure of a row, by column key; a rate only where both
    groups reach the minimum."""
    closed, won = literal(totals.closed, Integer), literal(totals.won, Integer)
    deals_without = closed - per_asset.c.deals
    won_without = won - per_asset.c.won
    enough = and_(per_asset.c.deals >= MIN_DEALS, deals_without >= MIN_DEALS)
    rate_with = case((enough, per_asset.c.won.cast(Float) / per_asset.c.deals))
    rate_without = case((enough, won_without.cast(Float) / deals_without))
    return {
        "enough": case((enough, 1), else_=0),
        "deals_with": per_asset.c.deals,
        "won_with": per_asset.c.won,
        "rate_with": rate_with,
        "deals_without": deals_without,
        "won_without": won_without,
        "rate_without": rate_without,
        "difference": rate_with - rate_without,
    }


@dataclass
class InfluenceRow:
    asset_id: int
    title: str
    owner: str
    enough: bool
    deals_with: int
    won_with: int
    rate_with: float | None
    deals_without: int
    won_without: int
    rate_without: float | None
    difference: float | None  # rate_with - rate_without, a fraction
    interval_with: tuple[float, float] | None = None
    interval_without: tuple[float, float] | None = None
    status: str = ""

    def __post_init__(self) -> None:
        """The intervals are a formula on the counts; none below the minimum sample."""
        self.enough = bool(self.enough)
        self.status = ENOUGH if self.enough else NOT_ENOUGH
        if self.enough:
            self.interval_with = wilson(self.won_with, self.deals_with)
            self.interval_without = wilson(self.won_without, self.deals_without)


def influence(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One page of the assets attached to the period's closed deals: those with enough
    deals with and without them first, each group in the chosen order."""
    totals = closed_deals(filters)
    if not totals.closed:
        return Page([], page, per_page, 0)
    per_asset = _per_asset(filters)
    figures = _figures(per_asset, totals)
    shown = aliased(AssetRevision)
    keys = figures | {"title": func.lower(shown.title), "owner": func.lower(User.name)}
    query = (
        select(
            Asset.id.label("asset_id"),
            shown.title.label("title"),
            User.name.label("owner"),
            *(expression.label(name) for name, expression in figures.items()),
        )
        .join(per_asset, per_asset.c.asset_id == Asset.id)
        .join(shown, shown.id == func.coalesce(Asset.live_revision_id, Asset.latest_revision_id))
        .join(User, User.id == Asset.owner_id)
    )
    order = [
        figures["enough"].desc(),
        *ordered(keys[sort.key], sort.descending),
        shown.title,
        Asset.id,
    ]
    rows, overall = page_of(query, order, page, per_page)
    return Page([InfluenceRow(**row) for row in rows], page, per_page, overall["rows"])


def assets_with_enough_data(filters: ReportFilters, totals: ClosedDeals) -> int:
    """How many assets reach the minimum sample with and without them, for the dashboard."""
    enough = _figures(_per_asset(filters), totals)["enough"]
    return db.session.scalar(select(func.coalesce(func.sum(enough), 0).cast(Integer))) or 0
