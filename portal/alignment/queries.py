"""What the meeting pages read: the meetings a person sees, an occurrence's action items
and decisions, and the few pack figures no report already counts (reps using content,
assets first published, deals won)."""

from datetime import date

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from content.deals.models import Deal, DealStatus
from content.usage.models import UsageEvent
from portal.alignment.models import ActionItem, Decision, ItemStatus, Meeting, MeetingAttendee
from portal.alignment.rules import visible_meetings
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import Role, User
from portal.kernel.pagination import Page, first_rows, paginate
from portal.kernel.reporting import Period
from portal.kernel.work import WorkSection, limited_section
from workflows.audit.models import WorkflowEvent

ITEMS_SHOWN = 10  # per list of the pack; the full list has pages
ITEM_STATUSES = ("open", "done", "all")
STATUS_INVALID = "Choose open, done or all action items."
_ITEM_LOADS = (
    selectinload(ActionItem.owner),
    selectinload(ActionItem.closed_by),
    selectinload(ActionItem.meeting),
    selectinload(ActionItem.asset),
    selectinload(ActionItem.content_request),
    selectinload(ActionItem.term),
    selectinload(ActionItem.feedback),
)


def meeting_list(user: User, page: int, per_page: int) -> Page:
    """One page of the meetings ``user`` sees: those still held first, then by name."""
    return paginate(
        visible_meetings(user),
        page,
        per_page,
        order=(Meeting.active.desc(), func.lower(Meeting.name), Meeting.id),
        options=(
            selectinload(Meeting.organiser),
            selectinload(Meeting.attendances).selectinload(MeetingAttendee.user),
        ),
    )


def open_counts(meeting_ids: list[int]) -> dict[int, int]:
    """How many action items each meeting has open."""
    rows = db.session.execute(
        select(ActionItem.meeting_id, func.count())
        .where(ActionItem.meeting_id.in_(meeting_ids), ActionItem.status == ItemStatus.OPEN)
        .group_by(ActionItem.meeting_id)
    )
    return dict(rows.all())


# ---- action items and decisions ---------------------------------------------------------


def _of(meeting: Meeting) -> Select:
    return select(ActionItem).where(ActionItem.meeting_id == meeting.id)


def open_at(meeting: Meeting, day: date, period: Period) -> Page:
    """Items recorded at earlier occurrences and still open when ``period`` ended (now,
    for the coming occurrence), soonest due first."""
    query = _of(meeting).where(
        ActionItem.meeting_on < day,
        ActionItem.created_at < period.end,
        or_(ActionItem.status == ItemStatus.OPEN, ActionItem.closed_at >= period.end),
    )
    order = (ActionItem.due_on, ActionItem.id)
    return first_rows(query, ITEMS_SHOWN, order=order, options=_ITEM_LOADS)


def done_in(meeting: Meeting, period: Period) -> Page:
    """Items closed in ``period``: since the last occurrence, for an occurrence's pack."""
    query = _of(meeting).where(
        ActionItem.status == ItemStatus.DONE,
        ActionItem.closed_at >= period.start,
        ActionItem.closed_at < period.end,
    )
    order = (ActionItem.closed_at.desc(), ActionItem.id.desc())
    return first_rows(query, ITEMS_SHOWN, order=order, options=_ITEM_LOADS)


def recorded_at(meeting: Meeting, day: date) -> tuple[list[Decision], list[ActionItem]]:
    """The decisions and action items recorded at the occurrence of ``day``."""
    decisions = db.session.scalars(
        select(Decision)
        .where(Decision.meeting_id == meeting.id, Decision.meeting_on == day)
        .options(selectinload(Decision.recorded_by))
        .order_by(Decision.created_at, Decision.id)
    )
    items = db.session.scalars(
        _of(meeting)
        .where(ActionItem.meeting_on == day)
        .options(*_ITEM_LOADS)
        .order_by(ActionItem.created_at, ActionItem.id)
    )
    return list(decisions), list(items)


def parse_status(args) -> str:
    """The ``status`` of the action item list: open (the default), done or all."""
    status = (args.get("status") or "open").strip()
    if status not in ITEM_STATUSES:
        raise ValidationFailed(STATUS_INVALID, {"status": STATUS_INVALID})
    return status


def item_list(meeting: Meeting, status: str, page: int, per_page: int) -> Page:
    """One page of a meeting's action items: open ones soonest due first, done ones most
    recently closed first."""
    query = _of(meeting)
    if status != "all":
        query = query.where(ActionItem.status == status)
    order = (
        (ActionItem.due_on, ActionItem.id)
        if status == "open"
        else (ActionItem.closed_at.desc(), ActionItem.meeting_on.desc(), ActionItem.id.desc())
    )
    return paginate(query, page, per_page, order=order, options=_ITEM_LOADS)


# ---- figures no report counts -------------------------------------------------------------


def _between(column, period: Period):
    return and_(column >= period.start, column < period.end)


def reps_using_content(period: Period) -> int:
    """Reps who downloaded, shared, had a buyer open or attached any asset in the period
    (anything but a view): the rep-adoption report's reps with assets used."""
    E = UsageEvent
    query = (
        select(func.count(func.distinct(E.user_id)))
        .join(User, User.id == E.user_id)
        .where(E.kind != "view", User.role == Role.REP, _between(E.created_at, period))
    )
    return db.session.scalar(query) or 0


def assets_published(period: Period) -> int:
    """Assets first published in the period (an update published again is not new)."""
    first = (
        select(func.min(WorkflowEvent.created_at).label("at"))
        .where(WorkflowEvent.subject_type == "asset", WorkflowEvent.action == "publish")
        .group_by(WorkflowEvent.subject_id)
        .subquery()
    )
    return db.session.scalar(select(func.count()).where(_between(first.c.at, period))) or 0


def deals_won(period: Period) -> int:
    """Deals won with a close date in the period."""
    query = select(func.count(Deal.id)).where(
        Deal.status == DealStatus.WON,
        Deal.close_date >= period.first,
        Deal.close_date <= period.last,
    )
    return db.session.scalar(query) or 0


def my_action_items(user: User) -> WorkSection | None:
    """The "My work" section of the open action items ``user`` owns, soonest due first;
    none for people with no item who take part in no meeting."""
    query = (
        select(ActionItem)
        .where(ActionItem.owner_id == user.id, ActionItem.status == ItemStatus.OPEN)
        .options(selectinload(ActionItem.meeting))
        .order_by(ActionItem.due_on, ActionItem.id)
    )
    section = limited_section(
        query,
        "action_items",
        "My action items from meetings",
        "No action items wait for you.",
        "alignment/_work_item.html",
    )
    if section.total or db.session.scalar(visible_meetings(user).limit(1).exists().select()):
        return section
    return None
