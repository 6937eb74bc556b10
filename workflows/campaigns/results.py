"""What a campaign produced: the use of its assets within its dates, the deals that used
them and how those ended, buyers opening them, the feedback on it, and which reps read
the brief against which used its assets.

A campaign's window is its days, from the first instant of ``starts_on`` to the end of
``ends_on`` in the portal's calendar. Use is any usage event of a linked asset in the
window; "used" leaves views out (a download, a share link, a buyer opening it, the asset
attached to a deal). A deal used the campaign's assets when any event of the window names
it. Buyer opens are buyer views, through a share link or in a deal room. Reps count when
their account has the rep role and is not deactivated.

The same statements serve one campaign's page and the report comparing campaigns
(``portal.reports.campaign_results``): every figure is grouped by campaign, over the
windows of the campaigns asked for.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import DateTime, Select, and_, case, distinct, func, literal, select, union_all
from sqlalchemy.sql import ColumnElement, Subquery

from content.deals.models import Deal
from content.library.models import Asset, AssetRevision
from content.usage.models import UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import Role, User
from portal.kernel.reporting import Period
from workflows.campaigns.models import Campaign, CampaignRead, campaign_assets
from workflows.feedback.models import FEEDBACK_KINDS, FieldFeedback

E = UsageEvent
DEALS_SHOWN = 50
OUTCOMES = ("won", "lost", "open")
_USE = E.kind != "view"


def _count(condition) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def window(campaign: Campaign) -> Period:
    """The campaign's days, in the portal's calendar."""
    return Period(campaign.starts_on, campaign.ends_on)


def windows(campaigns: list[Campaign]) -> Subquery:
    """One row per campaign: its id and the instants its window starts and ends."""
    rows = []
    for campaign in campaigns:
        days = window(campaign)
        rows.append(
            select(
                literal(campaign.id).label("campaign_id"),
                literal(days.start, DateTime()).label("starts"),
                literal(days.end, DateTime()).label("ends"),
            )
        )
    return (union_all(*rows) if len(rows) > 1 else rows[0]).subquery("windows")


def campaign_events(campaigns: list[Campaign]) -> tuple[Select, Subquery]:
    """The usage events of the campaigns' linked assets within each one's window, beside
    the campaign's id (the windows' ``campaign_id``): found through the index on (asset,
    time) for each linked asset."""
    spans = windows(campaigns)
    query = (
        select()
        .select_from(spans)
        .join(campaign_assets, campaign_assets.c.campaign_id == spans.c.campaign_id)
        .join(
            E,
            and_(
                E.asset_id == campaign_assets.c.asset_id,
                E.created_at >= spans.c.starts,
                E.created_at < spans.c.ends,
            ),
        )
    )
    return query, spans


@dataclass
class CampaignFigures:
    """A campaign's results in numbers."""

    campaign_id: int
    assets: int = 0
    views: int = 0
    uses: int = 0
    shares: int = 0
    buyer_opens: int = 0
    reps_using: int = 0
    deals: int = 0
    won: int = 0
    lost: int = 0
    open: int = 0
    won_cents: int = 0
    open_cents: int = 0
    readers: int = 0
    feedback: int = 0
    feedback_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def win_rate(self) -> float | None:
        """Won of the closed deals that used the campaign's assets."""
        closed = self.won + self.lost
        return self.won / closed if closed else None


def campaign_figures(campaigns: list[Campaign]) -> dict[int, CampaignFigures]:
    """Each campaign's figures, by id: five grouped queries however many campaigns."""
    if not campaigns:
        return {}
    figures = {c.id: CampaignFigures(c.id) for c in campaigns}
    ids = list(figures)
    _add_use(figures, campaigns)
    _add_deals(figures, campaigns)
    linked = select(campaign_assets.c.campaign_id, func.count()).where(
        campaign_assets.c.campaign_id.in_(ids)
    )
    for campaign_id, count in db.session.execute(linked.group_by(campaign_assets.c.campaign_id)):
        figures[campaign_id].assets = count
    for campaign_id, count in db.session.execute(_readers(ids)):
        figures[campaign_id].readers = count
    _add_feedback(figures)
    return figures


def _add_feedback(figures: dict[int, CampaignFigures]) -> None:
    """Feedback about each campaign, at any time, per kind in the forms' order."""
    about = FieldFeedback.campaign_id
    kinds = (
        select(about, FieldFeedback.kind, func.count())
        .where(about.in_(list(figures)))
        .group_by(about, FieldFeedback.kind)
    )
    counts: dict[int | None, dict[str, int]] = defaultdict(dict)
    for campaign_id, kind, count in db.session.execute(kinds):
        counts[campaign_id][kind] = count
    for campaign_id, row in figures.items():
        found = counts.get(campaign_id, {})
        row.feedback_by_kind = {kind: found[kind] for kind in FEEDBACK_KINDS if kind in found}
        row.feedback = sum(found.values())


def _add_use(figures: dict[int, CampaignFigures], campaigns: list[Campaign]) -> None:
    events, spans = campaign_events(campaigns)
    rep_use = and_(_USE, User.role == Role.REP, User.active)
    query = (
        events.outerjoin(User, User.id == E.user_id)
        .add_columns(
            spans.c.campaign_id,
            _count(E.kind == "view"),
            _count(_USE),
            _count(E.kind == "share"),
            _count(E.kind == "buyer_view"),
            func.count(distinct(case((rep_use, E.user_id)))),
        )
        .group_by(spans.c.campaign_id)
    )
    for campaign_id, views, uses, shares, opens, reps in db.session.execute(query):
        row = figures[campaign_id]
        row.views, row.uses, row.shares, row.buyer_opens, row.reps_using = (
            views, uses, shares, opens, reps
        )  # fmt: skip


def _deal_pairs(campaigns: list[Campaign]) -> Subquery:
    """The distinct (campaign, deal) pairs of the campaigns' window events."""
    events, spans = campaign_events(campaigns)
    return (
        events.add_columns(spans.c.campaign_id.label("campaign_id"), E.deal_id.label("deal_id"))
        .where(E.deal_id.is_not(None))
        .distinct()
        .subquery("campaign_deals")
    )


def _add_deals(figures: dict[int, CampaignFigures], campaigns: list[Campaign]) -> None:
    pairs = _deal_pairs(campaigns)
    amount = func.coalesce(Deal.amount_cents, 0)
    query = (
        select(
            pairs.c.campaign_id,
            func.count(),
            _count(Deal.status == "won"),
            _count(Deal.status == "lost"),
            func.coalesce(func.sum(case((Deal.status == "won", amount), else_=0)), 0),
            func.coalesce(func.sum(case((Deal.status == "open", amount), else_=0)), 0),
        )
        .join(Deal, Deal.id == pairs.c.deal_id)
        .group_by(pairs.c.campaign_id)
    )
    for campaign_id, deals, won, lost, won_cents, open_cents in db.session.execute(query):
        row = figures[campaign_id]
        row.deals, row.won, row.lost = deals, won, lost
        row.open = deals - won - lost
        row.won_cents, row.open_cents = int(won_cents), int(open_cents)


def _readers(campaign_ids: list[int]) -> Select:
    """How many active reps read each campaign's brief."""
    return (
        select(CampaignRead.campaign_id, func.count())
        .join(User, User.id == CampaignRead.user_id)
        .where(CampaignRead.campaign_id.in_(campaign_ids), User.role == Role.REP, User.active)
        .group_by(CampaignRead.campaign_id)
    )


# ---- one campaign's page -----------------------------------------------------------------


@dataclass
class AssetResult:
    asset_id: int
    title: str
    views: int
    uses: int
    shares: int
    buyer_opens: int
    deals: int


@dataclass
class DealResult:
    deal_id: int
    name: str
    account: str
    owner: str
    status: str
    amount_cents: int | None


@dataclass
class RepsAndBrief:
    """Active reps who read the brief and used its assets, read it only, or used the
    assets without having read it."""

    read_and_used: list[str]
    read_only: list[str]
    used_unread: list[str]


@dataclass
class CampaignResults:
    figures: CampaignFigures
    assets: list[AssetResult]
    deals: list[DealResult]
    reps: RepsAndBrief
    room_opens: int


def campaign_results(campaign: Campaign) -> CampaignResults:
    """Everything the campaign's page shows of its results."""
    figures = campaign_figures([campaign])[campaign.id]
    events, _spans = campaign_events([campaign])
    rooms = db.session.scalar(
        events.add_columns(_count(and_(E.kind == "buyer_view", E.room_id.is_not(None))))
    )
    return CampaignResults(
        figures=figures,
        assets=_asset_results(campaign),
        deals=_deal_results(campaign),
        reps=_reps_and_brief(campaign),
        room_opens=rooms or 0,
    )


def _asset_results(campaign: Campaign) -> list[AssetResult]:
    """Each linked asset's use in the window, most used first; unused ones with zeros."""
    events, _spans = campaign_events([campaign])
    per_asset = (
        events.add_columns(
            E.asset_id.label("asset_id"),
            _count(E.kind == "view").label("views"),
            _count(_USE).label("uses"),
            _count(E.kind == "share").label("shares"),
            _count(E.kind == "buyer_view").label("buyer_opens"),
            func.count(distinct(E.deal_id)).label("deals"),
        )
        .group_by(E.asset_id)
        .subquery("per_asset")
    )
    shown = func.coalesce(Asset.live_revision_id, Asset.latest_revision_id)
    figures = [per_asset.c[name] for name in ("views", "uses", "shares", "buyer_opens", "deals")]
    query = (
        select(Asset.id, AssetRevision.title, *(func.coalesce(f, 0) for f in figures))
        .join(campaign_assets, campaign_assets.c.asset_id == Asset.id)
        .join(AssetRevision, AssetRevision.id == shown)
        .outerjoin(per_asset, per_asset.c.asset_id == Asset.id)
        .where(campaign_assets.c.campaign_id == campaign.id)
        .order_by(func.coalesce(per_asset.c.uses, 0).desc(), func.lower(AssetRevision.title))
    )
    return [AssetResult(*row) for row in db.session.execute(query)]


def _deal_results(campaign: Campaign) -> list[DealResult]:
    """The deals that used the campaign's assets: won first, then open, then lost, the
    largest first; at most DEALS_SHOWN (the figures count them all)."""
    pairs = _deal_pairs([campaign])
    order = case((Deal.status == "won", 0), (Deal.status == "open", 1), else_=2)
    query = (
        select(Deal.id, Deal.name, Deal.account, User.name, Deal.status, Deal.amount_cents)
        .join(pairs, pairs.c.deal_id == Deal.id)
        .join(User, User.id == Deal.owner_id)
        .order_by(order, Deal.amount_cents.is_(None), Deal.amount_cents.desc(), Deal.id)
        .limit(DEALS_SHOWN)
    )
    return [DealResult(*row) for row in db.session.execute(query)]


def _reps_and_brief(campaign: Campaign) -> RepsAndBrief:
    events, _spans = campaign_events([campaign])
    using = events.add_columns(E.user_id).where(_USE, E.user_id.is_not(None)).distinct()
    readers = select(CampaignRead.user_id).where(CampaignRead.campaign_id == campaign.id)
    reps = db.session.execute(
        select(User.id, User.name)
        .where(User.role == Role.REP, User.active)
        .where(User.id.in_(using) | User.id.in_(readers))
        .order_by(func.lower(User.name), User.id)
    ).all()
    used = set(db.session.scalars(using))
    read = set(db.session.scalars(readers))
    groups: dict[str, list[str]] = defaultdict(list)
    for user_id, name in reps:
        if user_id in read:
            groups["read_and_used" if user_id in used else "read_only"].append(name)
        else:
            groups["used_unread"].append(name)
    return RepsAndBrief(groups["read_and_used"], groups["read_only"], groups["used_unread"])
