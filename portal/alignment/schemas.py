"""The API's schemas for alignment meetings: a meeting, an action item as the API shows
them, a new action item and the note that closes one, and the lists' queries."""

from datetime import date
from typing import Annotated, Literal

from flask import url_for
from pydantic import Field

from portal.alignment import calendar, links
from portal.alignment.models import NOTE_MAX, TITLE_MAX, ActionItem, Meeting
from portal.kernel.models import User
from portal.kernel.reporting import local_today
from portal.kernel.schemas import Id, Input, Output, Page, Paging, Person, Timestamp

LINK_KINDS = tuple(links.KINDS)


class MeetingOut(Output):
    """A recurring meeting: when it meets, its next meeting and its people."""

    id: int
    name: str
    cadence: Literal["weekly", "fortnightly", "monthly"]
    schedule: str = Field(description='As people say it, e.g. "Weekly on Tuesday at 10:00"')
    weekday: int = Field(description="Monday is 0")
    meets_at: str = Field(description="HH:MM in the portal's time zone")
    starts_on: date
    next_on: date | None = Field(description="The next meeting; null when no longer held")
    active: bool
    organiser: Person | None
    attendees: list[Person]
    url: str

    @classmethod
    def shown(cls, meeting: Meeting) -> "MeetingOut":
        people = sorted((a.user for a in meeting.attendances), key=lambda user: user.name)
        return cls.read(
            meeting,
            schedule=calendar.describe(meeting),
            meets_at=meeting.meets_at.strftime("%H:%M"),
            next_on=calendar.next_on(meeting, local_today()) if meeting.active else None,
            attendees=people,
            url=url_for("alignment.show", meeting_id=meeting.id),
        )


class MeetingList(Page):
    items: list[MeetingOut]


class ActionItemOut(Output):
    """An action item; its link only when you may open what it is about."""

    id: int
    meeting_id: int
    meeting_on: date = Field(description="The meeting it was recorded at")
    title: str
    owner: Person
    due_on: date
    status: Literal["open", "done"]
    link_kind: Literal[LINK_KINDS] | None  # type: ignore[valid-type]
    link_id: int | None
    close_note: str | None
    closed_by: Person | None
    closed_at: Timestamp | None
    created_at: Timestamp
    url: str

    @classmethod
    def shown(cls, item: ActionItem, user: User) -> "ActionItemOut":
        kind, target_id = links.visible_link(item, user) or (None, None)
        return cls.read(
            item,
            link_kind=kind,
            link_id=target_id,
            close_note=item.close_note or None,
            url=url_for("alignment.show_item", action_item_id=item.id),
        )


class ActionItemList(Page):
    items: list[ActionItemOut]


class ActionItemQuery(Paging):
    status: Literal["open", "done", "all"] = Field("open", description="open, done or all")


class ActionItemInput(Input):
    """A new action item. ``meeting_on`` defaults to the next meeting; the owner is one of
    the meeting's people, by email; the link, both of its fields or neither, must be
    something both you and the owner may open."""

    title: Annotated[str, Field(max_length=TITLE_MAX)]
    owner: Annotated[str, Field(max_length=254, description="The owner's email")]
    due_on: date
    meeting_on: date | None = None
    link_kind: Literal[LINK_KINDS] | None = None  # type: ignore[valid-type]
    link_id: Id | None = None


class CloseInput(Input):
    note: Annotated[str, Field(max_length=NOTE_MAX, description="How it was done")]
