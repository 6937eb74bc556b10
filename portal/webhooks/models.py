"""Webhook endpoints, the events each one subscribes to, and its deliveries."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.kernel.extensions import Entity, Model
from portal.kernel.models import User, utcnow
from portal.kernel.sql import one_of

URL_MAX = 500
DESCRIPTION_MAX = 200
ERROR_MAX = 300


class WebhookEndpoint(Entity):
    """An address an admin registered to receive some of the portal's events.

    The signing secret is not stored: ``secret_salt`` is random and the secret is derived
    from it and the app's SECRET_KEY (see ``portal.webhooks.signing``), so a copy of the
    database alone cannot sign deliveries.
    """

    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(String(URL_MAX))
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="")
    active: Mapped[bool] = mapped_column(default=True)
    secret_salt: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set while a drain job sends this endpoint's deliveries; one stale for longer than a
    # drain can take belongs to a job that died and is taken again.
    claimed_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship()
    subscriptions: Mapped[list["WebhookSubscription"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="WebhookSubscription.event"
    )

    @property
    def events(self) -> list[str]:
        return [subscription.event for subscription in self.subscriptions]


class WebhookSubscription(Model):
    """One event an endpoint receives."""

    __tablename__ = "webhook_subscriptions"

    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), primary_key=True
    )
    event: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class DeliveryStatus(StrEnum):
    """PENDING: waiting for its turn or its next attempt; SENDING: a drain is posting it;
    DELIVERED: the endpoint answered 2xx; FAILED: every attempt for a day failed."""

    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


STATUS_LABELS = {
    DeliveryStatus.PENDING: "Pending",
    DeliveryStatus.SENDING: "Sending",
    DeliveryStatus.DELIVERED: "Delivered",
    DeliveryStatus.FAILED: "Failed",
}
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


class WebhookDelivery(Entity):
    """One event to send to one endpoint, and how its sending went. The body is kept as
    sent, so "Send again" sends the same bytes with the same event id."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        one_of("status", DeliveryStatus),
        # A drain reads an endpoint's waiting deliveries oldest first.
        Index("ix_webhook_deliveries_endpoint_id_status", "endpoint_id", "status", "id"),
    )

    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(36))
    event: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_status: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(String(ERROR_MAX), default="")
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    endpoint: Mapped[WebhookEndpoint] = relationship()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(DeliveryStatus(self.status), self.status)

    @property
    def waiting(self) -> bool:
        return self.status in WAITING
