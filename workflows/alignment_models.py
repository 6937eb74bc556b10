"""The alignment loop's shared records: campaign briefs and the field feedback reps send,
which may be about a campaign, an asset or a deal.

Feedback and campaigns live in one module because each refers to the other: a campaign's
page shows the feedback on it, and feedback names the campaign it is about.
"""

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.models import Asset, Stage
from content.usage_models import Deal
from portal.extensions import db
from portal.models import User, utcnow

FEEDBACK_KINDS = {
    "objection": "Objection",
    "question": "Question",
    "competitor": "Competitor mention",
    "win_story": "Win story",
    "loss_reason": "Loss reason",
    "content_gap": "Content gap",
}
FEEDBACK_STATUSES = {"new": "New", "acknowledged": "Acknowledged", "acted_on": "Acted on"}
CAMPAIGN_STATUSES = ("draft", "published")

campaign_assets = Table(
    "campaign_assets",
    db.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("asset_id", ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Campaign(db.Model):
    """A marketing campaign brief for reps: who it is for, what to say, what to send."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date] = mapped_column(index=True)
    audience: Mapped[str] = mapped_column(String(500), default="")
    key_messages: Mapped[str] = mapped_column(Text, default="")  # Markdown
    talking_points: Mapped[str] = mapped_column(Text, default="")  # Markdown
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship()
    assets: Mapped[list[Asset]] = relationship(secondary=campaign_assets, order_by=Asset.id)

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.status}>"


class CampaignRead(db.Model):
    """A rep acknowledged having read a campaign's brief (once per person)."""

    __tablename__ = "campaign_reads"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


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
