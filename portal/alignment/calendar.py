"""When a meeting meets, and the period each occurrence's pack covers.

Occurrences are days in the portal's time zone. Weekly and two-weekly meetings step from
their first day; a monthly one meets on the same weekday of the same week of the month
(the second Tuesday), or on the month's last such weekday when it first met in a fifth
week. An occurrence's pack covers the days since the previous occurrence up to the day
before it; the first one covers as many days before it as its cadence would have.
"""

import calendar
from datetime import date, timedelta

from portal.alignment.models import Cadence, Meeting
from portal.kernel.reporting import Period

STEP_DAYS = {Cadence.WEEKLY: 7, Cadence.FORTNIGHTLY: 14}
ORDINALS = ("first", "second", "third", "fourth", "last")
WEEKDAYS = tuple(calendar.day_name)


def first_on_or_after(weekday: int, day: date) -> date:
    """The first ``weekday`` (Monday is 0) on or after ``day``."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _week_of_month(day: date) -> int:
    """0 to 3 for the first to fourth week of the month, 4 for a fifth (read as "last")."""
    return (day.day - 1) // 7


def _in_month(year: int, month: int, weekday: int, week: int) -> date:
    """The meeting day of a month: its ``week``-th ``weekday``, or its last for week 4."""
    if week >= 4:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    return first_on_or_after(weekday, date(year, month, 1)) + timedelta(days=7 * week)


def _month_shift(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _monthly(meeting: Meeting, around: date, months: int) -> date:
    year, month = _month_shift(around, months)
    return _in_month(year, month, meeting.weekday, _week_of_month(meeting.starts_on))


def next_on(meeting: Meeting, today: date) -> date:
    """The meeting's first occurrence on or after ``today``."""
    if today <= meeting.starts_on:
        return meeting.starts_on
    step = STEP_DAYS.get(Cadence(meeting.cadence))
    if step is not None:
        steps = -(-(today - meeting.starts_on).days // step)
        return meeting.starts_on + timedelta(days=steps * step)
    this_month = _monthly(meeting, today, 0)
    return this_month if this_month >= today else _monthly(meeting, today, 1)


def latest_open(meeting: Meeting, today: date) -> date:
    """The latest occurrence whose pack may be opened and recorded at: the next one after
    today (a meeting held today is followed by the next one's pack, filling up)."""
    return next_on(meeting, today + timedelta(days=1))


def _before(meeting: Meeting, day: date) -> date:
    """The occurrence the cadence gives before ``day`` (an occurrence), ignoring when
    the meeting began: what the first pack's period reaches back to."""
    step = STEP_DAYS.get(Cadence(meeting.cadence))
    if step is not None:
        return day - timedelta(days=step)
    return _monthly(meeting, day, -1)


def previous_on(meeting: Meeting, day: date) -> date | None:
    """The occurrence before the occurrence ``day``, or None for the first one."""
    if day <= meeting.starts_on:
        return None
    return _before(meeting, day)


def is_occurrence(meeting: Meeting, day: date) -> bool:
    return day >= meeting.starts_on and next_on(meeting, day) == day


def pack_period(meeting: Meeting, day: date) -> Period:
    """The days the pack of occurrence ``day`` covers: from the previous occurrence up to
    the day before this one."""
    return Period(_before(meeting, day), day - timedelta(days=1))


def previous_period(period: Period) -> Period:
    """As many days, just before ``period``: what its figures are compared with."""
    return Period(period.first - timedelta(days=period.days), period.first - timedelta(days=1))


def describe(meeting: Meeting) -> str:
    """How people say when it meets, e.g. "Every two weeks on Tuesday at 10:00"."""
    weekday = WEEKDAYS[meeting.weekday]
    at = meeting.meets_at.strftime("%H:%M")
    if meeting.cadence == Cadence.MONTHLY:
        ordinal = ORDINALS[_week_of_month(meeting.starts_on)]
        return f"Monthly on the {ordinal} {weekday} at {at}"
    every = "Weekly" if meeting.cadence == Cadence.WEEKLY else "Every two weeks"
    return f"{every} on {weekday} at {at}"
