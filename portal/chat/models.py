"""What chat delivery keeps: each person's routes and chat identity, and one row per
message to send, which the delivery job claims and the admins' log lists."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.chat.groups import Group
from portal.kernel.extensions import Entity
from portal.kernel.models import User, utcnow
from portal.kernel.notifications import Notification
from portal.kernel.sql import one_of

MAX_ERROR = 500
MAX_URL = 500
MAX_MEMBER_ID = 20


class Channel(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


CHANNEL_NAMES = {Channel.SLACK: "Slack", Channel.TEAMS: "Microsoft Teams"}


class DeliveryStatus(StrEnum):
    """PENDING until a job claims it (SENDING), then DELIVERED, or FAILED with the error
    (its job retries it, and an admin may ask again once the retries are spent)."""

    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


class ChatRoute(Entity):
    """One group of a person's notifications sent to one chat channel."""

    __tablename__ = "chat_routes"
    __table_args__ = (
        UniqueConstraint("user_id", "kind_group", "channel"),
        one_of("kind_group", Group),
        one_of("channel", Channel),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind_group: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))


class ChatIdentity(Entity):
    """Who a person is in chat: their Slack member id (typed, or found by their email)
    and, optionally, their own Teams workflow URL."""

    __tablename__ = "chat_identities"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # One Slack account answers for one Tandem account in the slash command.
    slack_member_id: Mapped[str | None] = mapped_column(String(MAX_MEMBER_ID), unique=True)
    teams_url: Mapped[str | None] = mapped_column(String(MAX_URL))

    user: Mapped[User] = relationship()


class ChatDelivery(Entity):
    """One notification to post to one channel."""

    __tablename__ = "chat_deliveries"
    __table_args__ = (
        Index("ix_chat_deliveries_status_created_at", "status", "created_at"),
        one_of("channel", Channel),
        one_of("status", DeliveryStatus),
    )

    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(
        String(20), default=DeliveryStatus.PENDING, server_default=DeliveryStatus.PENDING.value
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(MAX_ERROR))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    notification: Mapped[Notification] = relationship()

    @property
    def channel_name(self) -> str:
        return CHANNEL_NAMES.get(Channel(self.channel), self.channel)
