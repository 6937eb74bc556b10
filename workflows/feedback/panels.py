"""Field feedback other pages show: on an asset's page, on a deal's, and the count of new
feedback in marketing's navigation."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from content.deals.models import Deal
from content.library.models import Asset
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.pagination import Page, first_rows
from portal.kernel.permissions import can
from workflows.feedback.models import FieldFeedback

ON_ASSET_SHOWN = 5


def new_feedback_count(user: User) -> int:
    """New (untriaged) feedback waiting for marketing; 0 for people who do not triage."""
    if not can(user, "triage_feedback"):
        return 0
    count = select(func.count(FieldFeedback.id)).where(FieldFeedback.status == "new")
    return db.session.scalar(count) or 0


def feedback_on_asset(asset: Asset, user: User, limit: int = ON_ASSET_SHOWN) -> Page | None:
    """The newest feedback about ``asset`` for its page, or None when ``user`` may not
    read it there."""
    if not can(user, "view_feedback", asset):
        return None
    return first_rows(
        select(FieldFeedback).where(FieldFeedback.asset_id == asset.id),
        limit,
        order=(FieldFeedback.created_at.desc(), FieldFeedback.id.desc()),
        options=(selectinload(FieldFeedback.author), selectinload(FieldFeedback.stage)),
    )


def feedback_on_deal(deal: Deal, user: User) -> Sequence[FieldFeedback]:
    """What the deal's owner said about it; the owner and readers of the inbox see it."""
    if deal.owner_id != user.id and not can(user, "view_all_feedback"):
        return []
    return db.session.scalars(
        select(FieldFeedback)
        .where(FieldFeedback.deal_id == deal.id, FieldFeedback.author_id == deal.owner_id)
        .order_by(FieldFeedback.created_at.desc(), FieldFeedback.id.desc())
    ).all()
