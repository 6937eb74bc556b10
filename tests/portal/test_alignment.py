"""Alignment meetings' rules: when a meeting meets and what its pack covers, scheduling,
action items (owner, due date, link, closing) and the reminders and packs the schedule
sends once."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from portal.alignment import calendar, jobs
from portal.alignment import services as alignment
from portal.alignment.models import ActionItem, Meeting
from portal.alignment.pack import PackContext, build_pack
from portal.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.notifications import Notification
from portal.kernel.reporting import Period, local_today
from tests.factories import make_asset, make_meeting, make_user
from workflows.feedback.models import FieldFeedback

# ---- the calendar (no database) ----------------------------------------------------------


def _meeting(cadence: str, starts_on: date) -> Meeting:
    return Meeting(
        cadence=cadence, weekday=starts_on.weekday(), meets_at=time(10), starts_on=starts_on
    )


TUESDAY = date(2026, 3, 3)  # the first Tuesday of March 2026


@pytest.mark.parametrize(
    ("cadence", "today", "expected_next", "expected_previous"),
    [
        ("weekly", date(2026, 3, 3), date(2026, 3, 3), None),
        ("weekly", date(2026, 3, 4), date(2026, 3, 10), date(2026, 3, 3)),
        ("weekly", date(2026, 3, 17), date(2026, 3, 17), date(2026, 3, 10)),
        ("fortnightly", date(2026, 3, 4), date(2026, 3, 17), date(2026, 3, 3)),
        ("fortnightly", date(2026, 3, 31), date(2026, 3, 31), date(2026, 3, 17)),
        # Monthly on the first Tuesday: 7 Apr, 5 May; February's first Tuesday before it.
        ("monthly", date(2026, 3, 4), date(2026, 4, 7), date(2026, 3, 3)),
        ("monthly", date(2026, 4, 8), date(2026, 5, 5), date(2026, 4, 7)),
        ("monthly", date(2026, 12, 2), date(2027, 1, 5), date(2026, 12, 1)),
    ],
)
def test_occurrences_per_cadence(cadence, today, expected_next, expected_previous):
    meeting = _meeting(cadence, TUESDAY)

    upcoming = calendar.next_on(meeting, today)

    assert upcoming == expected_next
    assert calendar.is_occurrence(meeting, upcoming)
    assert calendar.previous_on(meeting, upcoming) == expected_previous


@pytest.mark.parametrize(
    ("cadence", "on", "first", "last"),
    [
        ("weekly", date(2026, 3, 10), date(2026, 3, 3), date(2026, 3, 9)),
        # The first pack reaches back as far as its cadence would have.
        ("weekly", TUESDAY, date(2026, 2, 24), date(2026, 3, 2)),
        ("fortnightly", date(2026, 3, 17), date(2026, 3, 3), date(2026, 3, 16)),
        ("monthly", date(2026, 4, 7), date(2026, 3, 3), date(2026, 4, 6)),
        ("monthly", TUESDAY, date(2026, 2, 3), date(2026, 3, 2)),
    ],
)
def test_a_pack_covers_the_days_since_the_previous_meeting(cadence, on, first, last):
    period = calendar.pack_period(_meeting(cadence, TUESDAY), on)

    assert period == Period(first, last)
    assert calendar.previous_period(period) == Period(
        first - timedelta(days=period.days), first - timedelta(days=1)
    )


def test_a_monthly_meeting_first_held_in_a_fifth_week_meets_on_the_last_weekday():
    meeting = _meeting("monthly", date(2026, 3, 31))  # the fifth Tuesday of March

    assert calendar.next_on(meeting, date(2026, 4, 1)) == date(2026, 4, 28)
    assert calendar.describe(meeting) == "Monthly on the last Tuesday at 10:00"
    assert not calendar.is_occurrence(meeting, date(2026, 4, 21))


# ---- scheduling ----------------------------------------------------------------------------


def _input(attendees, **changes) -> alignment.MeetingInput:
    values = {"name": " Weekly   revenue sync ", "cadence": "fortnightly", "weekday": 3,
              "meets_at": time(9, 30), "attendee_ids": [u.id for u in attendees]}  # fmt: skip
    return alignment.MeetingInput(**(values | changes))


def test_a_leader_schedules_a_meeting_of_both_teams_on_the_next_chosen_weekday(app, users):
    meeting = alignment.schedule_meeting(users["leader"], _input([users["marketer"], users["rep"]]))

    assert meeting.name == "Weekly revenue sync"
    assert meeting.starts_on == calendar.first_on_or_after(3, local_today())
    assert meeting.attendee_ids == {users["leader"].id, users["marketer"].id, users["rep"].id}
    assert calendar.describe(meeting) == "Every two weeks on Thursday at 09:30"


def test_scheduling_is_refused_without_both_teams_or_for_non_leaders(app, users):
    with pytest.raises(ValidationFailed) as refused:
        alignment.schedule_meeting(users["leader"], _input([users["rep"]]))
    assert refused.value.fields == {"attendees": alignment.BOTH_TEAMS}

    with pytest.raises(ValidationFailed) as refused:
        alignment.schedule_meeting(
            users["leader"], _input([users["marketer"]], name="", cadence="daily", weekday=7)
        )
    assert set(refused.value.fields) == {"name", "cadence", "weekday"}

    with pytest.raises(PermissionDenied):
        alignment.schedule_meeting(users["marketer"], _input([users["leader"]]))
    assert db.session.scalar(select(func.count(Meeting.id))) == 0


# ---- action items --------------------------------------------------------------------------


@pytest.fixture
def meeting(users):
    return make_meeting(users["leader"], [users["marketer"], users["rep"]])


def _item(meeting, users, **changes) -> alignment.ItemInput:
    values = {"title": "Refresh the ROI deck", "owner_id": users["marketer"].id,
              "due_on": local_today() + timedelta(days=3)}  # fmt: skip
    return alignment.ItemInput(**(values | changes))


def test_an_action_item_goes_to_one_of_the_meetings_people_who_is_told(app, users, meeting):
    item = alignment.add_action_item(
        users["leader"], meeting, meeting.starts_on, _item(meeting, users)
    )
    db.session.commit()

    assert (item.owner, item.is_open, item.meeting_on) == (
        users["marketer"],
        True,
        meeting.starts_on,
    )
    (told,) = db.session.scalars(
        select(Notification).where(Notification.kind == "action_item_assigned")
    )
    assert told.user == users["marketer"]
    assert told.link == f"/action-items/{item.id}"


def test_bad_action_items_are_refused_and_nothing_is_saved(app, users, meeting):
    outsider = make_user("marketer", department="marketing")
    draft = make_asset(users["marketer"], "Unreleased pricing", publish=False)
    feedback = FieldFeedback(author_id=make_user("rep").id, kind="objection", text="Too dear.")
    db.session.add(feedback)
    db.session.commit()
    cases = {
        "owner": _item(meeting, users, owner_id=outsider.id),
        "due_on": _item(meeting, users, due_on=local_today() - timedelta(days=1)),
        "title": _item(meeting, users, title="   "),
    }
    for field, data in cases.items():
        with pytest.raises(ValidationFailed) as refused:
            alignment.add_action_item(users["leader"], meeting, meeting.starts_on, data)
        assert field in refused.value.fields
    # A draft the leader cannot see; feedback the rep owner cannot see.
    with pytest.raises(ValidationFailed, match="no asset"):
        alignment.add_action_item(users["leader"], meeting, meeting.starts_on,
                                  _item(meeting, users, link=("asset", draft.id)))  # fmt: skip
    with pytest.raises(ValidationFailed, match="Riley Rep cannot open this feedback item"):
        alignment.add_action_item(users["leader"], meeting, meeting.starts_on,
                                  _item(meeting, users, owner_id=users["rep"].id,
                                        link=("feedback", feedback.id)))  # fmt: skip
    with pytest.raises(ValidationFailed, match="does not meet"):
        alignment.add_action_item(users["leader"], meeting, meeting.starts_on + timedelta(days=1),
                                  _item(meeting, users))  # fmt: skip
    db.session.rollback()
    assert db.session.scalar(select(func.count(ActionItem.id))) == 0


def test_owner_organiser_and_admins_close_items_others_may_not(app, users, meeting):
    first = alignment.add_action_item(
        users["leader"], meeting, meeting.starts_on, _item(meeting, users)
    )
    second = alignment.add_action_item(
        users["leader"], meeting, meeting.starts_on, _item(meeting, users)
    )
    db.session.commit()

    with pytest.raises(PermissionDenied):
        alignment.close_action_item(users["rep"], first, "Done it")
    with pytest.raises(ValidationFailed):
        alignment.close_action_item(users["marketer"], first, "  ")
    alignment.close_action_item(users["marketer"], first, "New deck in the library")
    alignment.close_action_item(users["leader"], second, "Dropped: covered by the case study")
    db.session.commit()
    with pytest.raises(Conflict):
        alignment.close_action_item(users["admin"], first, "Again")

    assert (first.status, first.close_note, first.closed_by_id) == (
        "done",
        "New deck in the library",
        users["marketer"].id,
    )
    assert second.closed_by_id == users["leader"].id


def test_the_next_pack_shows_items_closed_since_the_last_meeting_as_done(app, users, meeting):
    today = meeting.starts_on
    item = alignment.add_action_item(users["leader"], meeting, today, _item(meeting, users))
    alignment.close_action_item(users["marketer"], item, "Shipped")
    db.session.commit()

    def minutes(on):
        period = calendar.pack_period(meeting, on)
        context = PackContext(
            meeting, on, period, calendar.previous_period(period), users["leader"]
        )
        return build_pack(context).data("actions")

    this_one, next_one = minutes(today), minutes(today + timedelta(days=7))
    assert [i.id for i in this_one.recorded] == [item.id]
    assert this_one.done.total == 0
    assert [i.id for i in next_one.done.items] == [item.id]
    assert next_one.recorded == []
    assert next_one.still_open.total == 0


# ---- the schedule's jobs -------------------------------------------------------------------


def _notified(kind: str) -> list[tuple[int, str]]:
    query = select(Notification.user_id, Notification.text).where(Notification.kind == kind)
    return [tuple(row) for row in db.session.execute(query.order_by(Notification.id))]


def test_owners_are_reminded_once_per_due_date(app, users, meeting):
    due = alignment.add_action_item(
        users["leader"], meeting, meeting.starts_on, _item(meeting, users)
    )
    later = alignment.add_action_item(
        users["leader"], meeting, meeting.starts_on, _item(meeting, users, title="Later")
    )
    closed = alignment.add_action_item(
        users["leader"], meeting, meeting.starts_on, _item(meeting, users, title="Closed")
    )
    alignment.close_action_item(users["marketer"], closed, "Done")
    due.due_on = closed.due_on = local_today()
    db.session.commit()

    for _run in range(2):
        jobs.remind_due_items()
        db.session.commit()
    assert _notified("action_item_due") == [
        (users["marketer"].id, "Due today: Refresh the ROI deck (Revenue sync)")
    ]
    assert later.reminded_for is None

    due.due_on = local_today() + timedelta(days=1)  # moved: due again on the new date
    db.session.commit()
    jobs.remind_due_items()
    assert len(_notified("action_item_due")) == 1


def test_the_pack_goes_to_the_leaders_the_day_before_once(app, users):
    """Not to the marketer and rep among its people; not for a meeting the day after
    tomorrow, nor for one no longer held."""
    tomorrow = local_today() + timedelta(days=1)
    admin = users["admin"]
    make_meeting(users["leader"], [users["marketer"], users["rep"], admin], first_on=tomorrow)
    make_meeting(
        users["leader"], [users["marketer"]], first_on=tomorrow + timedelta(days=1), name="Later"
    )
    stopped = make_meeting(
        users["leader"], [users["marketer"]], first_on=tomorrow, name="Held no more"
    )
    stopped.active = False
    db.session.commit()

    for _run in range(2):
        jobs.send_packs()
        db.session.commit()

    sent = _notified("meeting_pack")
    assert sorted(user for user, _text in sent) == sorted([users["leader"].id, admin.id])
    assert all(
        text.startswith(
            f"Revenue sync, {tomorrow:%a %-d %b}: 0 open action items · Assets used 0 (+0)"
        )
        for _u, text in sent
    )
    assert all(text.endswith("Searches that found nothing 0 (+0)") for _u, text in sent)
