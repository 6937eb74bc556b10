"""Field feedback: what reps hear from customers, about an asset, a deal or a campaign."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.deals.models import Deal
from content.library.models import Asset, Stage
from portal.kernel.extensions import Entity
from portal.kernel.models import User, utcnow
from portal.kernel.sql import one_of
from workflows.campaigns.models import Campaign


class FeedbackKind(StrEnum):
    OBJECTION = "objection"
    QUESTION = "question"
    COMPETITOR = "competitor"
    WIN_STORY = "win_story"
    LOSS_REASON = "loss_reason"
    CONTENT_GAP = "content_gap"


class FeedbackStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    ACTED_ON = "acted_on"


# Each kind and status with its label, in the order forms and reports show them.
FEEDBACK_KINDS: dict[str, str] = {
    FeedbackKind.OBJECTION: "Objection",
    FeedbackKind.QUESTION: "Question",
    FeedbackKind.COMPETITOR: "Competitor mention",
    FeedbackKind.WIN_STORY: "Win story",
    FeedbackKind.LOSS_REASON: "Loss reason",
    FeedbackKind.CONTENT_GAP: "Content gap",
}
FEEDBACK_STATUSES: dict[str, str] = {
    FeedbackStatus.NEW: "New",
    FeedbackStatus.ACKNOWLEDGED: "Acknowledged",
    FeedbackStatus.ACTED_ON: "Acted on",
}


class FieldFeedback(Entity):
    """What a rep heard from customers, for marketing to act on and answer."""

    __tablename__ = "field_feedback"
    __table_args__ = (one_of("kind", FeedbackKind), one_of("status", FeedbackStatus))

    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    text: Mapped[str] = mapped_column(Text)
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("stages.id", ondelete="SET NULL"), index=True
    )
    asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("assets.id", ondelete="SET NULL"), index=True
    )
    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", ondelete="SET NULL"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=FeedbackStatus.NEW, index=True)
    reply: Mapped[str] = mapped_column(Text, default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    replied_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])
    stage: Mapped[Stage | None] = relationship()
    asset: Mapped[Asset | None] = relationship()
    deal: Mapped[Deal | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
