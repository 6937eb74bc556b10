"""Content consumption and campaign results recomputed in plain Python from the raw rows,
to compare with what the database aggregates."""

from datetime import date, timedelta

from sqlalchemy import select

from content.usage.models import EVIDENCE
from portal.kernel.extensions import db
from portal.kernel.reporting import Period
from tests.reports.recompute import Raw, in_period
from workflows.campaigns.models import Campaign, CampaignRead, campaign_assets
from workflows.feedback.models import FieldFeedback


def _doings() -> list[tuple[int, object]]:
    """(person, when) of every rating, piece of feedback and brief read."""
    feedback = db.session.execute(select(FieldFeedback.author_id, FieldFeedback.created_at))
    reads = db.session.execute(select(CampaignRead.user_id, CampaignRead.read_at))
    return [*feedback.all(), *reads.all()]


def consumption(raw: Raw, period: Period, team: str | None = None) -> dict:
    """The figures of ``period``: active reps, reps using content per tier and "any",
    live assets and those used."""
    reps = {
        u.id: u
        for u in raw.users.values()
        if u.role == "rep" and u.active and (team is None or u.department == team)
    }
    active, using = set(), {tier: set() for tier in ("any", *EVIDENCE)}
    for event in raw.events:
        if event.user_id in reps and in_period(event.created_at, period):
            active.add(event.user_id)
            if event.kind != "view":
                using[event.evidence].add(event.user_id)
                using["any"].add(event.user_id)
    moments = [(r.user_id, r.updated_at) for r in raw.ratings] + _doings()
    moments += [(u.id, u.last_login_at) for u in reps.values() if u.last_login_at]
    active |= {who for who, when in moments if who in reps and in_period(when, period)}
    live = {a.id for a in raw.assets.values() if a.is_live}
    used = {e.asset_id for e in raw.events if e.kind != "view" and in_period(e.created_at, period)}
    return {
        "active_reps": len(active),
        "reps_using": {tier: len(people) for tier, people in using.items()},
        "live_assets": len(live),
        "assets_used": len(used & live),
    }


def weeks(last: date, count: int = 8) -> list[Period]:
    first = last - timedelta(days=7 * count - 1)
    return [
        Period(first + timedelta(days=7 * n), first + timedelta(days=7 * n + 6))
        for n in range(count)
    ]


def campaign(raw: Raw, campaign_id: int) -> dict:
    """One campaign's figures within its own dates."""
    row = db.session.get(Campaign, campaign_id)
    window = Period(row.starts_on, row.ends_on)
    linked = set(
        db.session.scalars(
            select(campaign_assets.c.asset_id).where(campaign_assets.c.campaign_id == campaign_id)
        )
    )
    events = [e for e in raw.events if e.asset_id in linked and in_period(e.created_at, window)]
    uses = [e for e in events if e.kind != "view"]
    deals = [raw.deals[d] for d in {e.deal_id for e in events if e.deal_id is not None}]
    active_reps = {u.id for u in raw.users.values() if u.role == "rep" and u.active}
    readers = db.session.scalars(
        select(CampaignRead.user_id).where(CampaignRead.campaign_id == campaign_id)
    )
    kinds = db.session.scalars(
        select(FieldFeedback.kind).where(FieldFeedback.campaign_id == campaign_id)
    ).all()
    won = [d for d in deals if d.status == "won"]
    return {
        "assets": len(linked),
        "views": sum(e.kind == "view" for e in events),
        "uses": len(uses),
        "shares": sum(e.kind == "share" for e in events),
        "buyer_opens": sum(e.kind == "buyer_view" for e in events),
        "reps_using": len({e.user_id for e in uses} & active_reps),
        "deals": len(deals),
        "won": len(won),
        "lost": sum(d.status == "lost" for d in deals),
        "open": sum(d.status == "open" for d in deals),
        "won_cents": sum(d.amount_cents or 0 for d in won),
        "open_cents": sum(d.amount_cents or 0 for d in deals if d.status == "open"),
        "readers": len(set(readers) & active_reps),
        "feedback": len(kinds),
        "feedback_by_kind": {kind: kinds.count(kind) for kind in set(kinds)},
        "used_by": {e.user_id for e in uses} & active_reps,
    }
