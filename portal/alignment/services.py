"""The rules of alignment meetings: scheduling one, recording its decisions and action
items, and closing an item with a note. Services check ``can()``, change rows and flush;
the request commits."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select

from portal.alignment import calendar, links
from portal.alignment.models import (
    CADENCES,
    DECISION_MAX,
    NAME_MAX,
    NOTE_MAX,
    TITLE_MAX,
    ActionItem,
    Decision,
    ItemStatus,
    Meeting,
    MeetingAttendee,
)
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, check_text
from portal.kernel.extensions import db
from portal.kernel.machine import claim_row
from portal.kernel.models import DEPARTMENTS, User, utcnow
from portal.kernel.notifications import notify
from portal.kernel.permissions import can, get_visible
from portal.kernel.reporting import local_today

NAME_MISSING = "Give the meeting a name."
NAME_TOO_LONG = f"Keep the name under {NAME_MAX} characters."
CADENCE_INVALID = "Choose how often it meets: weekly, every two weeks or monthly."
WEEKDAY_INVALID = "Choose the day of the week it meets on."
TIME_MISSING = "Give the time it starts, e.g. 10:00."
BOTH_TEAMS = "Invite people from both sales and marketing: that is what the meeting is for."
ATTENDEE_INVALID = "Choose attendees from the list of people."
TITLE_MISSING = "Say what needs doing."
TITLE_TOO_LONG = f"Keep the action under {TITLE_MAX} characters."
OWNER_INVALID = "Choose an owner among the meeting's people."
DUE_MISSING = "Give a due date."
DUE_PAST = "The due date has passed: choose today or a later day."
DECISION_MISSING = "Write what was decided."
DECISION_TOO_LONG = f"Keep a decision under {DECISION_MAX} characters."
NOTE_MISSING = "Say how it was done (or why it is closed)."
NOTE_TOO_LONG = f"Keep the note under {NOTE_MAX} characters."
NOT_AN_OCCURRENCE = "The meeting does not meet on that day."
FUTURE_OCCURRENCE = "That meeting is further ahead than the next one: open the next one."


def _clean(text: str | None) -> str:
    return (text or "").strip()


def get_meeting(user: User, meeting_id: int) -> Meeting:
    """The meeting if ``user`` may see it; otherwise NotFound (never a 403)."""
    return get_visible(user, Meeting, meeting_id, "No such meeting.")


def get_action_item(user: User, item_id: int) -> ActionItem:
    """The action item if ``user`` may see it; otherwise NotFound."""
    return get_visible(user, ActionItem, item_id, "No such action item.")


def people() -> list[User]:
    """Everyone who may be invited: active people of sales and marketing, by name."""
    query = select(User).where(User.active.is_(True), User.department.in_(DEPARTMENTS))
    return list(db.session.scalars(query.order_by(User.name, User.id)))


# ---- scheduling ---------------------------------------------------------------------------


@dataclass
class MeetingInput:
    """What a leader fills in; ``starting`` is the first day it may meet (today if empty)."""

    name: str
    cadence: str
    weekday: int | None
    meets_at: time | None
    attendee_ids: Iterable[int]
    starting: date | None = None
    active: bool = True


def _attendees(ids: Iterable[int], organiser: User, errors: dict[str, str]) -> list[User]:
    wanted = set(ids) | {organiser.id}
    found = list(db.session.scalars(select(User).where(User.id.in_(wanted), User.active.is_(True))))
    if len(found) != len(wanted):
        errors["attendees"] = ATTENDEE_INVALID
    elif {user.department for user in found} < set(DEPARTMENTS) or len(found) < 2:
        errors["attendees"] = BOTH_TEAMS
    return found


def _checked(data: MeetingInput, organiser: User) -> tuple[str, list[User]]:
    errors: dict[str, str] = {}
    name = " ".join(_clean(data.name).split())
    check_text(errors, "name", name, NAME_MAX, NAME_TOO_LONG, NAME_MISSING)
    if data.cadence not in CADENCES:
        errors["cadence"] = CADENCE_INVALID
    if data.weekday is None or not 0 <= data.weekday <= 6:
        errors["weekday"] = WEEKDAY_INVALID
    if data.meets_at is None:
        errors["meets_at"] = TIME_MISSING
    attendees = _attendees(data.attendee_ids, organiser, errors)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
    return name, attendees


def _apply(meeting: Meeting, data: MeetingInput, name: str, attendees: list[User]) -> None:
    assert data.weekday is not None, "checked above"
    assert data.meets_at is not None, "checked above"
    moved = (data.cadence, data.weekday) != (meeting.cadence, meeting.weekday)
    meeting.name, meeting.cadence, meeting.meets_at = name, data.cadence, data.meets_at
    meeting.weekday, meeting.active, meeting.updated_at = data.weekday, data.active, utcnow()
    if meeting.starts_on is None or moved or data.starting is not None:
        starting = data.starting or local_today()
        meeting.starts_on = calendar.first_on_or_after(data.weekday, starting)
    meeting.attendances = [MeetingAttendee(user_id=user.id) for user in attendees]


def schedule_meeting(leader: User, data: MeetingInput) -> Meeting:
    """A new recurring meeting organised by ``leader``, who attends it too."""
    if not can(leader, "schedule_meeting"):
        raise PermissionDenied("Only leaders and admins schedule alignment meetings.")
    name, attendees = _checked(data, leader)
    meeting = Meeting(organiser_id=leader.id, cadence=data.cadence, weekday=data.weekday)
    _apply(meeting, data, name, attendees)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def update_meeting(user: User, meeting: Meeting, data: MeetingInput) -> Meeting:
    """Change a meeting's name, cadence, day, time, people or whether it is still held.
    Moving it to another cadence or day starts it again from ``starting`` (or today)."""
    if not can(user, "edit", meeting):
        raise PermissionDenied("Only the meeting's organiser or an admin changes it.")
    organiser = meeting.organiser or user
    name, attendees = _checked(data, organiser)
    _apply(meeting, data, name, attendees)
    db.session.flush()
    return meeting


# ---- recording ----------------------------------------------------------------------------


def check_occurrence(meeting: Meeting, day: date) -> None:
    """Refuse a day the meeting does not meet on, or an occurrence after the next one."""
    if not calendar.is_occurrence(meeting, day):
        raise ValidationFailed(NOT_AN_OCCURRENCE, {"on": NOT_AN_OCCURRENCE})
    if day > calendar.latest_open(meeting, local_today()):
        raise ValidationFailed(FUTURE_OCCURRENCE, {"on": FUTURE_OCCURRENCE})


def record_decision(user: User, meeting: Meeting, day: date, text: str) -> Decision:
    """What the occurrence of ``day`` decided."""
    if not can(user, "record", meeting):
        raise NotFound("No such meeting.")
    check_occurrence(meeting, day)
    errors: dict[str, str] = {}
    text = _clean(text)
    check_text(errors, "text", text, DECISION_MAX, DECISION_TOO_LONG, DECISION_MISSING)
    if errors:
        raise ValidationFailed(errors["text"], errors)
    decision = Decision(meeting_id=meeting.id, meeting_on=day, text=text, recorded_by_id=user.id)
    db.session.add(decision)
    db.session.flush()
    return decision


def owners(meeting: Meeting) -> list[User]:
    """Who an action item may be given to: the meeting's active people, by name."""
    ids = meeting.attendee_ids | ({meeting.organiser_id} if meeting.organiser_id else set())
    query = select(User).where(User.id.in_(ids), User.active.is_(True))
    return list(db.session.scalars(query.order_by(User.name, User.id)))


@dataclass
class ItemInput:
    title: str
    owner_id: int | None
    due_on: date | None
    link: tuple[str, int] | None = None  # (kind, id), see portal.alignment.links
    # The API's client sent a link's kind without its id or the other way round: refused
    # with the other fields' errors, so one answer names them all.
    link_half: bool = False


LINK_HALF = "Send both link_kind and link_id, or neither."


def _checked_item(meeting: Meeting, data: ItemInput) -> tuple[str, User]:
    errors: dict[str, str] = {}
    title = " ".join(_clean(data.title).split())
    check_text(errors, "title", title, TITLE_MAX, TITLE_TOO_LONG, TITLE_MISSING)
    owner = next((user for user in owners(meeting) if user.id == data.owner_id), None)
    if owner is None:
        errors["owner"] = OWNER_INVALID
    if data.due_on is None:
        errors["due_on"] = DUE_MISSING
    elif data.due_on < local_today():
        errors["due_on"] = DUE_PAST
    if data.link_half:
        errors["link_kind"] = errors["link_id"] = LINK_HALF
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
    assert owner is not None
    return title, owner


def add_action_item(user: User, meeting: Meeting, day: date, data: ItemInput) -> ActionItem:
    """An action item recorded at the occurrence of ``day``; its owner is told."""
    if not can(user, "record", meeting):
        raise NotFound("No such meeting.")
    check_occurrence(meeting, day)
    title, owner = _checked_item(meeting, data)
    item = ActionItem(
        meeting=meeting, meeting_on=day, title=title, owner=owner, due_on=data.due_on,
        created_by_id=user.id,
    )  # fmt: skip
    if data.link is not None:
        link = links.resolve(user, owner, *data.link)
        setattr(item, link.column, link.target.id)  # type: ignore[attr-defined]
    db.session.add(item)
    db.session.flush()
    notify(
        owner, "action_item_assigned", f"{meeting.name}: {title} (due {data.due_on:%-d %b})",
        f"/action-items/{item.id}", actor=user,
    )  # fmt: skip
    return item


def close_action_item(user: User, item: ActionItem, note: str) -> ActionItem:
    """Mark an open item done with a note saying how. Its owner, the meeting's organiser
    and admins close items; an item closed a moment ago by someone else is a Conflict."""
    if not can(user, "close", item):
        raise PermissionDenied(
            "Only the item's owner, the meeting's organiser or an admin closes it."
        )
    errors: dict[str, str] = {}
    note = _clean(note)
    check_text(errors, "note", note, NOTE_MAX, NOTE_TOO_LONG, NOTE_MISSING)
    if errors:
        raise ValidationFailed(errors["note"], errors)
    if not claim_row(item, ActionItem.status == ItemStatus.OPEN):
        db.session.refresh(item)
        raise Conflict("This action item is already closed.")
    db.session.refresh(item)
    item.status, item.closed_at = ItemStatus.DONE, utcnow()
    item.closed_by_id, item.close_note = user.id, note
    db.session.flush()
    if item.owner_id != user.id:
        notify(item.owner, "action_item_closed", f"{user.name} closed “{item.title}”: {note}",
               f"/action-items/{item.id}", actor=user)  # fmt: skip
    return item
