"""Field feedback: what reps hear from customers, about an asset, a deal or a campaign."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.deals.models import Deal
from content.library.models import Asset, Stage
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from workflows.campaigns.models import Campaign

FEEDBACK_KINDS = {
    "objection": "Objection",
    "question": "Question",
    "competitor": "Competitor mention",
    "win_story": "Win story",
    "loss_reason": "Loss reason",
    "content_gap": "Content gap",
}


FEEDBACK_STATUSES = {"new": "New", "acknowledged": "Acknowledged", "acted_on": "Acted on"}


class FieldFeedback(db.Model):
    """What a rep heard from customers, for marketing to act on and answer."""

    __tablename__ = "field_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
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
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
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

    def __repr__(self) -> str:
        return f"<FieldFeedback {self.id} {self.kind} {self.status}>"
