"""Deals: a rep's sales opportunities, typed in, imported from a CRM export or synced by
the API. Amounts are integer cents in the portal's one currency."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String
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


class ChangeSource(StrEnum):
    """Where a change of a deal's stage or status came from."""

    MANUAL = "manual"  # the deal's page
    API = "api"  # the JSON API, its upsert by CRM id included
    IMPORT = "import"  # a CRM export imported
    BACKFILL = "backfill"  # the state deals had when the history began


CHANGE_SOURCE_LABELS: dict[str, str] = {
    ChangeSource.MANUAL: "Deal page",
    ChangeSource.API: "API",
    ChangeSource.IMPORT: "CRM import",
    ChangeSource.BACKFILL: "Before history was kept",
}


class DealStageChange(Entity):
    """One step of a deal's history: the stage and status it took at ``changed_at``.

    Rows are only ever appended, except ``ended_at``, set on a deal's current row when the
    next one is written (under the deal's row lock), so a stint in a stage reads from one
    row. ``from_stage_id`` and ``from_status`` repeat the previous row's values, so a
    report tells an entry into a stage from a change of status without reading back.
    ``known_since`` marks a row whose stage the deal may have entered earlier: the backfill
    saw only the state it found, so its time there is unknown and left out of the figures.
    """

    __tablename__ = "deal_stage_changes"
    __table_args__ = (
        one_of("status", DealStatus),
        one_of("source", ChangeSource),
        # A deal's current row (ended_at is null) for the writer, and its later rows for
        # the funnel, read from the index alone.
        Index(
            "ix_deal_stage_changes_deal",
            *("deal_id", "ended_at", "status", "stage_id", "changed_at", "id"),
        ),
        # A period's entries and wins, and its ended stints, each read by time from the
        # index alone: the reports never visit the table for them.
        Index(
            "ix_deal_stage_changes_changed",
            *("changed_at", "status", "known_since", "stage_id", "from_stage_id"),
            *("from_status", "deal_id"),
        ),
        Index(
            "ix_deal_stage_changes_ended",
            *("ended_at", "status", "known_since", "stage_id", "changed_at", "deal_id"),
        ),
    )

    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(10))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    source: Mapped[str] = mapped_column(String(10))
    known_since: Mapped[bool] = mapped_column(default=False)

    stage: Mapped[Stage | None] = relationship(foreign_keys=[stage_id])
