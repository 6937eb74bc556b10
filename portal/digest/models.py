"""Which weekly digest went to whom: one row per person and week, so the weekly run
sends each person at most one email per week however often it runs."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.kernel.extensions import Entity
from portal.kernel.models import User, utcnow
from portal.kernel.sql import one_of


class DeliveryStatus(StrEnum):
    """SENDING: claimed by a run that is sending it now; FAILED: the next run retries."""

    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


DELIVERY_STATUSES = tuple(DeliveryStatus)
ERROR_MAX = 500


class DigestDelivery(Entity):
    """The claim on, and then the outcome of, one person's digest email for one week.

    The run that inserts the row is the only one that sends; the unique constraint makes
    that hold for runs at the same time too.
    """

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("user_id", "week_start"), one_of("status", DeliveryStatus))

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The Monday the week starts, in the portal's time zone.
    week_start: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.SENDING)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(String(ERROR_MAX), default="")

    user: Mapped[User] = relationship()
