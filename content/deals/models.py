"""Deals: a rep's sales opportunities, typed in, imported from a CRM export or synced by
the API. Amounts are integer cents in the portal's one currency."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.library.models import Stage
from portal.kernel.extensions import Entity
from portal.kernel.models import User, utcnow
from portal.kernel.sql import one_of


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


DEAL_STATUSES = tuple(DealStatus)
DEAL_STATUS_LABELS: dict[str, str] = {
    DealStatus.OPEN: "Open",
    DealStatus.WON: "Won",
    DealStatus.LOST: "Lost",
}


DEAL_SOURCES = ("manual", "import", "api")


class Deal(Entity):
    """A sales opportunity owned by a rep, typed in or synced from the CRM."""

    __tablename__ = "deals"
    __table_args__ = (one_of("status", DealStatus),)

    # The CRM's opportunity id; imports and API upserts find the deal by it.
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    account: Mapped[str] = mapped_column(String(200))
    # In the portal's currency, in cents: money is never a float.
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("stages.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    close_date: Mapped[date | None] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(String(10), default="manual")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship()
    stage: Mapped[Stage | None] = relationship()

    @property
    def closed(self) -> bool:
        return self.status != DealStatus.OPEN
