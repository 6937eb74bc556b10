"""Who may schedule, see and act on alignment meetings, and the visibility query beside
the rules. Registered with portal.kernel.permissions."""

from sqlalchemy import Select, or_, select

from portal.alignment.models import ActionItem, Meeting, MeetingAttendee
from portal.kernel.models import Role, User
from portal.kernel.permissions import can, rule
from portal.kernel.role_rules import roles_may

# Leaders run the meetings; admins run the portal.
SCHEDULERS = frozenset({Role.LEADER, Role.ADMIN})

_schedulers_may = roles_may(SCHEDULERS, "schedule_meeting", "view_all_meetings")


@rule("view", Meeting)
def _may_view(user: User, meeting: Meeting) -> bool:
    """Its attendees and organiser, and every leader and admin; others do not know it."""
    return (
        user.role in SCHEDULERS
        or meeting.organiser_id == user.id
        or user.id in meeting.attendee_ids
    )


@rule("edit", Meeting)
def _may_edit(user: User, meeting: Meeting) -> bool:
    """Its organiser (while a leader) and admins."""
    return user.role == Role.ADMIN or (user.role == Role.LEADER and meeting.organiser_id == user.id)


@rule("record", Meeting)
def _may_record(user: User, meeting: Meeting) -> bool:
    """Whoever sees the meeting records its decisions and action items."""
    return can(user, "view", meeting)


@rule("view", ActionItem)
def _may_view_item(user: User, item: ActionItem) -> bool:
    return item.owner_id == user.id or can(user, "view", item.meeting)


@rule("close", ActionItem)
def _may_close(user: User, item: ActionItem) -> bool:
    """Its owner, the meeting's organiser and admins."""
    return (
        item.owner_id == user.id or item.meeting.organiser_id == user.id or user.role == Role.ADMIN
    )


def visible_meetings(user: User) -> Select:
    """The meetings ``user`` may see: every one for leaders and admins, else those they
    organise or attend."""
    query = select(Meeting)
    if can(user, "view_all_meetings"):
        return query
    attends = select(MeetingAttendee.meeting_id).where(MeetingAttendee.user_id == user.id)
    return query.where(or_(Meeting.organiser_id == user.id, Meeting.id.in_(attends)))
