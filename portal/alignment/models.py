"""A recurring alignment meeting, who attends it, and what each occurrence records.

A meeting's occurrences are computed from its cadence, not stored: what is stored per
occurrence is what people recorded at it (decisions, action items, keyed by the day it
met) and the claim on its pack's delivery to the leaders the day before.
"""

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.library.models import Asset
from portal.kernel.extensions import Entity, Model
from portal.kernel.models import User, utcnow
from portal.kernel.sql import one_of
from workflows.feedback.models import FieldFeedback
from workflows.glossary.models import GlossaryTerm
from workflows.requests.models import ContentRequest

NAME_MAX = 120
TITLE_MAX = 300
DECISION_MAX = 2000
NOTE_MAX = 1000


class Cadence(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


CADENCES: dict[str, str] = {
    Cadence.WEEKLY: "Weekly",
    Cadence.FORTNIGHTLY: "Every two weeks",
    Cadence.MONTHLY: "Monthly",
}


class ItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


ITEM_STATUSES: dict[str, str] = {ItemStatus.OPEN: "Open", ItemStatus.DONE: "Done"}


class Meeting(Entity):
    """A recurring meeting of sales and marketing, scheduled by a leader.

    It meets on ``starts_on`` (a ``weekday``) at ``meets_at`` in the portal's time zone,
    and then every week, every two weeks, or monthly on the same weekday of the same week
    of the month (the last one when it first met in a month's fifth week).
    """

    __tablename__ = "meetings"
    __table_args__ = (
        one_of("cadence", Cadence),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
    )

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    cadence: Mapped[str] = mapped_column(String(20))
    weekday: Mapped[int]  # Monday is 0, as date.weekday()
    meets_at: Mapped[time]
    starts_on: Mapped[date]
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # A meeting no longer held keeps its record but sends no pack.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    organiser: Mapped[User | None] = relationship()
    attendances: Mapped[list["MeetingAttendee"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def attendee_ids(self) -> set[int]:
        return {attendance.user_id for attendance in self.attendances}


class MeetingAttendee(Model):
    """One person invited to a meeting."""

    __tablename__ = "meeting_attendees"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    user: Mapped[User] = relationship()


class Decision(Entity):
    """What a meeting decided, recorded at (or after) the occurrence of ``meeting_on``."""

    __tablename__ = "meeting_decisions"
    __table_args__ = (
        Index("ix_meeting_decisions_meeting_id_meeting_on", "meeting_id", "meeting_on"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    meeting_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


# At most one of the links is set: the sum of those present.
_ONE_LINK = " + ".join(
    f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)"
    for column in ("asset_id", "request_id", "term_id", "feedback_id")
)


class ActionItem(Entity):
    """Something a meeting asked one person to do by a day, optionally about one asset,
    content request, glossary term or feedback item."""

    __tablename__ = "meeting_action_items"
    __table_args__ = (
        one_of("status", ItemStatus),
        CheckConstraint(f"{_ONE_LINK} <= 1", name="one_link"),
        Index("ix_meeting_action_items_meeting_id_meeting_on", "meeting_id", "meeting_on"),
        Index("ix_meeting_action_items_owner_id_status", "owner_id", "status"),
        Index("ix_meeting_action_items_status_due_on", "status", "due_on"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    meeting_on: Mapped[date]
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=ItemStatus.OPEN)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_requests.id", ondelete="SET NULL")
    )
    term_id: Mapped[int | None] = mapped_column(
        ForeignKey("glossary_terms.id", ondelete="SET NULL")
    )
    feedback_id: Mapped[int | None] = mapped_column(
        ForeignKey("field_feedback.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    close_note: Mapped[str] = mapped_column(Text, default="")
    # The due date a reminder was sent for: one reminder per due date, however often the
    # sweep runs; moving the date makes the item due (and reminded) again.
    reminded_for: Mapped[date | None]

    meeting: Mapped[Meeting] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    asset: Mapped[Asset | None] = relationship()
    content_request: Mapped[ContentRequest | None] = relationship()
    term: Mapped[GlossaryTerm | None] = relationship()
    feedback: Mapped[FieldFeedback | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == ItemStatus.OPEN


class PackDelivery(Entity):
    """The claim on sending one occurrence's pack to the meeting's leaders: the run that
    inserts the row is the only one that notifies them."""

    __tablename__ = "meeting_pack_deliveries"
    __table_args__ = (UniqueConstraint("meeting_id", "meeting_on"),)

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    meeting_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
