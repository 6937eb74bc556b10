"""Campaign briefs: what marketing tells reps about a campaign, and who has read each
one."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.library.models import Asset
from portal.kernel.extensions import Entity
from portal.kernel.models import User, utcnow
from portal.kernel.sql import link_table, one_of


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


CAMPAIGN_STATUSES = tuple(CampaignStatus)

campaign_assets = link_table("campaign_assets", "campaign_id", "campaigns", "asset_id", "assets")


class Campaign(Entity):
    """A marketing campaign brief for reps: who it is for, what to say, what to send."""

    __tablename__ = "campaigns"
    __table_args__ = (one_of("status", CampaignStatus),)

    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date] = mapped_column(index=True)
    audience: Mapped[str] = mapped_column(String(500), default="")
    key_messages: Mapped[str] = mapped_column(Text, default="")  # Markdown
    talking_points: Mapped[str] = mapped_column(Text, default="")  # Markdown
    status: Mapped[str] = mapped_column(String(20), default=CampaignStatus.DRAFT, index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship()
    assets: Mapped[list[Asset]] = relationship(secondary=campaign_assets, order_by=Asset.id)


class CampaignRead(Entity):
    """A rep acknowledged having read a campaign's brief (once per person)."""

    __tablename__ = "campaign_reads"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
