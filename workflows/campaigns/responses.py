"""How the field answered a brief, for marketing: who read it, and the feedback on it."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from portal.kernel.errors import PermissionDenied
from portal.kernel.extensions import db
from portal.kernel.models import Role, User
from portal.kernel.permissions import can
from workflows.campaigns.models import Campaign, CampaignRead
from workflows.feedback.models import FieldFeedback

FEEDBACK_SHOWN = 20


@dataclass
class ReadReport:
    """Which active reps read the brief (newest first, with the time) and which have not."""

    read: list[tuple[User, datetime]]
    unread: list[User]

    @property
    def reps(self) -> int:
        return len(self.read) + len(self.unread)


def read_report(campaign: Campaign, user: User) -> ReadReport:
    """Who has read the brief among the active reps, for marketing (one query)."""
    if not can(user, "view_responses", campaign):
        raise PermissionDenied("Only marketing sees who has read a brief.")
    rows = db.session.execute(
        select(User, CampaignRead.read_at)
        .outerjoin(
            CampaignRead,
            and_(CampaignRead.user_id == User.id, CampaignRead.campaign_id == campaign.id),
        )
        .where(User.role == Role.REP, User.active.is_(True))
        .order_by(User.name, User.id)
    ).all()
    read = sorted(((u, at) for u, at in rows if at is not None), key=lambda r: r[1], reverse=True)
    return ReadReport(read=read, unread=[u for u, at in rows if at is None])


def campaign_feedback(campaign: Campaign, user: User) -> tuple[list[FieldFeedback], int]:
    """The newest feedback reps sent about this campaign, and how much there is."""
    if not can(user, "view_responses", campaign):
        raise PermissionDenied("Only marketing reads the feedback on a campaign.")
    about = FieldFeedback.campaign_id == campaign.id
    total = db.session.scalar(select(func.count(FieldFeedback.id)).where(about)) or 0
    newest = db.session.scalars(
        select(FieldFeedback)
        .where(about)
        .options(selectinload(FieldFeedback.author))
        .order_by(FieldFeedback.created_at.desc(), FieldFeedback.id.desc())
        .limit(FEEDBACK_SHOWN)
    ).all()
    return list(newest), total


def read_counts(campaign_ids: list[int]) -> dict[int, int]:
    """How many active reps acknowledged each campaign, for marketing's list."""
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        select(CampaignRead.campaign_id, func.count(CampaignRead.id))
        .join(User, User.id == CampaignRead.user_id)
        .where(CampaignRead.campaign_id.in_(campaign_ids), User.role == Role.REP, User.active)
        .group_by(CampaignRead.campaign_id)
    )
    return dict(rows.all())


def active_rep_count() -> int:
    """How many reps a brief is for, the denominator of "read by N of M"."""
    return (
        db.session.scalar(
            select(func.count(User.id)).where(User.role == Role.REP, User.active.is_(True))
        )
        or 0
    )
