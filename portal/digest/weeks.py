"""The week a digest covers: an ISO week, Monday to Sunday, in the portal's time zone."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from portal.kernel.errors import ValidationFailed
from portal.kernel.reporting import Period, local_today

RECENT_WEEKS = 12
WEEK_FORMAT = re.compile(r"^(\d{4})-W(\d{2})$")
WEEK_INVALID = "Write the week as YEAR-Wnn, e.g. 2026-W48."
WEEK_NOT_OVER = "That week is not over yet; choose an earlier one."


@dataclass(frozen=True)
class Week:
    """An ISO week, Monday to Sunday, in the portal's time zone."""

    monday: date

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def period(self) -> Period:
        return Period(self.monday, self.sunday)

    @property
    def label(self) -> str:
        """The ISO name, e.g. "2026-W48", used by ``--week`` and the page's picker."""
        year, number, _day = self.monday.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def title(self) -> str:
        """The days people read, e.g. "23–29 Nov 2026"."""
        first, last = self.monday, self.sunday
        if first.month == last.month:
            return f"{first.day}–{last.day} {last:%b %Y}"
        if first.year == last.year:
            return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
        return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


def last_complete_week(today: date | None = None) -> Week:
    """The latest week that has ended by ``today`` (the portal's today by default)."""
    today = today or local_today()
    return Week(today - timedelta(days=today.weekday() + 7))


def recent_weeks(count: int = RECENT_WEEKS) -> list[Week]:
    """The last ``count`` complete weeks, newest first, for the page's week picker."""
    latest = last_complete_week()
    return [Week(latest.monday - timedelta(days=7 * n)) for n in range(count)]


def parse_week(text: str | None) -> Week:
    """The week named like "2026-W48" (the last complete week when empty). A malformed
    week, or one that has not ended yet, is a ValidationFailed saying what to write."""
    raw = (text or "").strip()
    if not raw:
        return last_complete_week()
    match = WEEK_FORMAT.match(raw.upper())
    try:
        if match is None:
            raise ValueError(raw)
        week = Week(date.fromisocalendar(int(match[1]), int(match[2]), 1))
    except ValueError:
        raise ValidationFailed(WEEK_INVALID, {"week": WEEK_INVALID}) from None
    if week.monday > last_complete_week().monday:
        raise ValidationFailed(WEEK_NOT_OVER, {"week": WEEK_NOT_OVER})
    return week
