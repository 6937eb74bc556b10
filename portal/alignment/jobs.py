"""The meetings' jobs on the schedule: reminding owners of action items that are due,
and sending each occurrence's pack to its leaders the day before.

Both find their work in the database and claim it with one conditional write before
notifying, so a second run (on this host or another, at the same moment or later) finds
nothing left: an item is reminded once per due date, a pack sent once per occurrence.
"""

import logging
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from portal.alignment import calendar
from portal.alignment.models import ActionItem, ItemStatus, Meeting, PackDelivery
from portal.alignment.pack import PackContext, build_pack, summary
from portal.kernel.extensions import db
from portal.kernel.jobs import job
from portal.kernel.models import ADMINS, Role, User, utcnow
from portal.kernel.notifications import notify
from portal.kernel.reporting import local_today, portal_zone
from portal.kernel.sql import rows_changed, upsert_insert

log = logging.getLogger(__name__)

PACK_READERS = ADMINS | {Role.LEADER}


def _not_reminded():
    return or_(ActionItem.reminded_for.is_(None), ActionItem.reminded_for != ActionItem.due_on)


@job("alignment.remind")
def remind_due_items() -> None:
    """Tell the owner of each open action item due today (or overdue and not yet told)."""
    today = local_today()
    due = select(ActionItem).where(
        ActionItem.status == ItemStatus.OPEN, ActionItem.due_on <= today, _not_reminded()
    )
    items = db.session.scalars(
        due.options(selectinload(ActionItem.owner), selectinload(ActionItem.meeting))
    ).all()
    for item in items:
        claim = (
            update(ActionItem)
            .where(ActionItem.id == item.id, ActionItem.status == ItemStatus.OPEN, _not_reminded())
            .values(reminded_for=ActionItem.due_on)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(claim) != 1:
            continue  # another run reminded it a moment ago, or it was closed
        when = "today" if item.due_on == today else f"since {item.due_on:%-d %b}"
        notify(
            item.owner,
            "action_item_due",
            f"Due {when}: {item.title} ({item.meeting.name})",
            f"/action-items/{item.id}",
        )


def pack_recipients(meeting: Meeting) -> list[User]:
    """The leaders (and admins) among the meeting's people."""
    people = [attendance.user for attendance in meeting.attendances]
    if meeting.organiser is not None:
        people.append(meeting.organiser)
    return [user for user in people if user.role in PACK_READERS and user.active]


def _due_for_pack(meeting: Meeting):
    """The occurrence whose pack goes out now, if any: the next one when it is tomorrow,
    or today's before it starts (a pack the day before missed, or a meeting set up for
    today)."""
    now = utcnow().astimezone(portal_zone())
    today = now.date()
    on = calendar.next_on(meeting, today)
    if on == today + timedelta(days=1) or (on == today and now.time() < meeting.meets_at):
        return on
    return None


def _claim(meeting: Meeting, on) -> bool:
    statement = (
        upsert_insert(PackDelivery)
        .values(meeting_id=meeting.id, meeting_on=on, sent_at=utcnow())
        .on_conflict_do_nothing(index_elements=["meeting_id", "meeting_on"])
        .returning(PackDelivery.id)
    )
    return db.session.execute(statement).scalar_one_or_none() is not None


@job("alignment.send_packs")
def send_packs() -> None:
    """Notify each meeting's leaders of the pack of its next occurrence, the day before,
    once per occurrence (an email too when mail is configured)."""
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.active.is_(True))
        .options(selectinload(Meeting.attendances), selectinload(Meeting.organiser))
    ).all()
    for meeting in meetings:
        on = _due_for_pack(meeting)
        recipients = pack_recipients(meeting)
        if on is None or not recipients or not _claim(meeting, on):
            continue
        period = calendar.pack_period(meeting, on)
        context = PackContext(meeting, on, period, calendar.previous_period(period), recipients[0])
        line = summary(build_pack(context))
        notify(
            recipients,
            "meeting_pack",
            f"{meeting.name}, {on:%a %-d %b}: {line}",
            f"/meetings/{meeting.id}?on={on.isoformat()}",
        )
        log.info("Sent the pack of %s on %s to %d leader(s)", meeting.name, on, len(recipients))
