"""Content requests: what a rep asked marketing for, and what marketing did with it."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.library.models import Asset, Persona, Stage
from portal.kernel.extensions import Entity
from portal.kernel.models import User, utcnow
from portal.kernel.sql import one_of


class RequestStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    FULFILLED = "fulfilled"


REQUEST_STATUSES = tuple(RequestStatus)
# The requester is still waiting for content in these states, so a past due date is late.
UNFINISHED = (RequestStatus.OPEN, RequestStatus.ACCEPTED)
DEAL_CONTEXT_MAX = 1000
REASON_MAX = 1000
DEFAULT_TITLE_LENGTH = 80


def today() -> date:
    """Today's date in UTC, the calendar every due date is compared with."""
    return utcnow().date()


def request_link(content_request: "ContentRequest") -> str:
    """The request's page, for notifications and briefs."""
    return f"/requests/{content_request.id}"


def shorten(text: str, limit: int) -> str:
    """``text`` folded to one line and cut at a word boundary to at most ``limit`` chars."""
    line = " ".join((text or "").split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


class ContentRequest(Entity):
    """A request for content the library lacks, and what marketing did with it."""

    __tablename__ = "content_requests"
    __table_args__ = (one_of("status", RequestStatus),)

    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    need: Mapped[str] = mapped_column(Text)
    # A key, not a copy of the name: reports count open requests per stage.
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("stages.id", ondelete="SET NULL"), index=True
    )
    persona_id: Mapped[int | None] = mapped_column(ForeignKey("personas.id", ondelete="SET NULL"))
    deal_context: Mapped[str] = mapped_column(String(DEAL_CONTEXT_MAX), default="")
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.OPEN, index=True)
    decline_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("assets.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])
    stage: Mapped[Stage | None] = relationship()
    persona: Mapped[Persona | None] = relationship()
    asset: Mapped[Asset | None] = relationship()

    @property
    def overdue(self) -> bool:
        """Past its due date while the requester is still waiting."""
        return self.status in UNFINISHED and self.due_on is not None and self.due_on < today()

    @property
    def headline(self) -> str:
        """The need cut to one short line, for lists, titles and notifications."""
        return shorten(self.need, DEFAULT_TITLE_LENGTH)
