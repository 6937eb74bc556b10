"""HTML routes of alignment meetings: the list, scheduling and changing a meeting, and the
occurrence's pack with its decisions and action items; an action item's page where it is
closed, and the meeting's list of items."""

from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.alignment import calendar, links, queries
from portal.alignment import services as alignment
from portal.alignment.forms import ActionItemForm, CloseForm, DecisionForm, MeetingForm
from portal.alignment.models import CADENCES, ITEM_STATUSES, Meeting, MeetingAttendee
from portal.alignment.pack import PackContext, build_pack
from portal.kernel.errors import Conflict, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import can, require
from portal.kernel.reporting import DATE_INVALID, local_today, parse_period
from portal.kernel.templating import flash_refusal, label_global, template_global
from portal.kernel.transaction import press, submit

bp = Blueprint("alignment", __name__)

cadence_label = label_global("cadence_label", CADENCES)
item_status_label = label_global("item_status_label", ITEM_STATUSES)


@template_global
def attends_meetings() -> bool:
    """Whether the signed-in user is one of any meeting's people, for the navigation."""
    attends = select(MeetingAttendee.meeting_id).where(MeetingAttendee.user_id == current_user.id)
    return bool(db.session.scalar(attends.limit(1).exists().select()))


@template_global
def action_item_link(item) -> tuple[str, str | None] | None:
    """What the signed-in user reads of an action item's link (see links.link_label)."""
    return links.link_label(item, current_user)


@template_global
def meeting_schedule(meeting: Meeting) -> str:
    return calendar.describe(meeting)


def _pack(meeting: Meeting, on: date | None = None):
    if on is None:
        return redirect(url_for(".show", meeting_id=meeting.id))
    return redirect(url_for(".show", meeting_id=meeting.id, on=on.isoformat()))


@bp.get("/meetings")
@login_required
def index():
    page, per_page = requested_page()
    listed = queries.meeting_list(current_user, page, per_page)
    today = local_today()
    return render_template(
        "alignment/index.html",
        page=listed,
        next_on={m.id: calendar.next_on(m, today) for m in listed.items},
        open_counts=queries.open_counts([m.id for m in listed.items]),
    )


def _meeting_input(form: MeetingForm, editing: bool = False) -> alignment.MeetingInput:
    """What the form says; a new meeting is held (the box shows only when editing)."""
    return alignment.MeetingInput(
        name=form.name.data or "",
        cadence=form.cadence.data or "",
        weekday=form.weekday_number,
        meets_at=form.meets_at.data,
        attendee_ids=form.attendees.data or [],
        starting=form.starting.data,
        active=bool(form.active.data) or not editing,
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def create():
    require("schedule_meeting", status=404)
    form = MeetingForm()
    submission = submit(
        form, lambda: alignment.schedule_meeting(current_user, _meeting_input(form))
    )
    if submission.saved:
        meeting = submission.result
        flash(f"“{meeting.name}” is scheduled: {calendar.describe(meeting)}.", "success")
        return _pack(meeting)
    return render_template("alignment/form.html", form=form, meeting=None), submission.status


@bp.route("/meetings/<id:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int):
    meeting = alignment.get_meeting(current_user, meeting_id)
    require("edit", meeting)
    form = MeetingForm(obj=meeting if request.method == "GET" else None)
    if request.method == "GET":
        form.weekday.data = str(meeting.weekday)
        form.attendees.data = sorted(meeting.attendee_ids)
    submission = submit(
        form,
        lambda: alignment.update_meeting(current_user, meeting, _meeting_input(form, editing=True)),
    )
    if submission.saved:
        flash(f"“{meeting.name}” is saved: {calendar.describe(meeting)}.", "success")
        return _pack(meeting)
    return render_template("alignment/form.html", form=form, meeting=meeting), submission.status


def _occurrence(meeting: Meeting) -> date:
    """The occurrence ``on`` names, or the next one (today's, if it meets today)."""
    upcoming = calendar.next_on(meeting, local_today())
    raw = (request.args.get("on") or "").strip()
    if not raw:
        return upcoming
    try:
        day = date.fromisoformat(raw[:10])
        alignment.check_occurrence(meeting, day)
    except ValueError:
        flash(f"“{raw[:20]}” is not a date. {DATE_INVALID}", "error")
        return upcoming
    except ValidationFailed as error:
        flash_refusal(error)
        return upcoming
    return day


def _context(meeting: Meeting, on: date) -> PackContext:
    period = calendar.pack_period(meeting, on)
    chosen = bool(request.args.get("from") or request.args.get("to"))
    if chosen:
        try:
            period = parse_period(request.args)
        except ValidationFailed as error:
            flash_refusal(error)
            chosen = False
    return PackContext(
        meeting, on, period, calendar.previous_period(period), current_user, chosen_range=chosen
    )


@bp.get("/meetings/<id:meeting_id>")
@login_required
def show(meeting_id: int):
    meeting = alignment.get_meeting(current_user, meeting_id)
    on = _occurrence(meeting)
    context = _context(meeting, on)
    previous = calendar.previous_on(meeting, on)
    following = calendar.next_on(meeting, on + timedelta(days=1))
    return render_template(
        "alignment/pack.html",
        meeting=meeting,
        pack=build_pack(context),
        previous_on=previous,
        next_on=following if following <= calendar.latest_open(meeting, local_today()) else None,
        upcoming=calendar.next_on(meeting, local_today()),
        decision_form=DecisionForm(),
        may_record=can(current_user, "record", meeting),
    )


@bp.post("/meetings/<id:meeting_id>/decisions")
@login_required
def decide(meeting_id: int):
    meeting = alignment.get_meeting(current_user, meeting_id)
    form = DecisionForm()
    on = _posted_day()
    press(
        form,
        lambda: alignment.record_decision(current_user, meeting, on, form.text.data or ""),
        done="Decision recorded.",
    )
    return _pack(meeting, on if on != date.min else None)


def _posted_day() -> date:
    """The occurrence a form was posted for (``on``); a malformed one reads as a day the
    meeting never meets on, which the service refuses."""
    try:
        return date.fromisoformat((request.form.get("on") or "")[:10])
    except ValueError:
        return date.min


@bp.route("/meetings/<id:meeting_id>/items/new", methods=["GET", "POST"])
@login_required
def new_item(meeting_id: int):
    meeting = alignment.get_meeting(current_user, meeting_id)
    require("record", meeting, status=404)
    on = _posted_day() if request.method == "POST" else _occurrence(meeting)
    form = ActionItemForm(link=request.args.get("link", "")[: links.LINK_MAX] or None)
    form.set_owners(alignment.owners(meeting))

    def save():
        data = alignment.ItemInput(
            title=form.title.data or "",
            owner_id=form.owner.data,
            due_on=form.due_on.data,
            link=links.parse_address(form.link.data),
        )
        return alignment.add_action_item(current_user, meeting, on, data)

    submission = submit(form, save)
    if submission.saved:
        item = submission.result
        flash(f"Action item added for {item.owner.name}, due {item.due_on:%-d %b %Y}.", "success")
        return _pack(meeting, on)
    page = render_template("alignment/item_form.html", form=form, meeting=meeting, on=on)
    return page, submission.status


@bp.get("/meetings/<id:meeting_id>/items")
@login_required
def items(meeting_id: int):
    meeting = alignment.get_meeting(current_user, meeting_id)
    try:
        status = queries.parse_status(request.args)
    except ValidationFailed as error:
        flash_refusal(error)
        status = "open"
    page, per_page = requested_page()
    listed = queries.item_list(meeting, status, page, per_page)
    return render_template("alignment/items.html", meeting=meeting, page=listed, status=status)


@bp.get("/action-items/<id:action_item_id>")
@login_required
def show_item(action_item_id: int):
    item = alignment.get_action_item(current_user, action_item_id)
    return render_template("alignment/item.html", item=item, form=CloseForm())


@bp.post("/action-items/<id:action_item_id>/close")
@login_required
def close_item(action_item_id: int):
    item = alignment.get_action_item(current_user, action_item_id)
    form = CloseForm()
    submission = submit(
        form,
        lambda: alignment.close_action_item(current_user, item, form.note.data or ""),
        refusals=(ValidationFailed, Conflict),
    )
    if submission.saved:
        flash(f"“{item.title}” is done. The next pack shows it closed.", "success")
        return redirect(url_for(".show_item", action_item_id=item.id))
    if isinstance(submission.refusal, Conflict):
        return redirect(url_for(".show_item", action_item_id=item.id))
    return render_template("alignment/item.html", item=item, form=form), submission.status


@template_global
def action_item_overdue(item) -> bool:
    """An open item whose due date has passed."""
    return item.is_open and item.due_on < local_today()
