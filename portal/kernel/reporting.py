"""What every report shares: the period in the portal's time zone, the filters, sortable
columns, pages of rows, CSV export and the Wilson interval.

Reports compute their figures in the database; this module only says which rows to
compute, in which order, and how to show them. It imports nothing from the packages that
own the data, so each of them can build its report queries on it.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Integer, Select, func, literal
from sqlalchemy.sql import ColumnElement

from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from portal.kernel.sql import on_postgresql
from portal.kernel.templating import template_filter

DEFAULT_DAYS = 90
MAX_DAYS = 3660  # ten years: a longer range is a typo
TEAMS = ("sales", "marketing")
DATE_INVALID = "Write dates as YYYY-MM-DD, e.g. 2026-03-31."


def portal_zone() -> ZoneInfo:
    """The time zone whose calendar days reports count in (TANDEM_TIMEZONE, checked when
    the app starts)."""
    return ZoneInfo(current_app.config.get("TIMEZONE", "UTC"))


def local_today() -> date:
    return utcnow().astimezone(portal_zone()).date()


@dataclass(frozen=True)
class Period:
    """Whole days from ``first`` to ``last`` (both included) in the portal's time zone."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        """The first instant of the period, in UTC."""
        return _midnight_utc(self.first)

    @property
    def end(self) -> datetime:
        """The first instant after the period, in UTC (excluded)."""
        return _midnight_utc(self.last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def weeks(self) -> list[date]:
        """The first day of each seven-day bucket of the period, from its first day."""
        return [self.first + timedelta(days=7 * n) for n in range(math.ceil(self.days / 7))]


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=portal_zone()).astimezone(UTC)


def default_period(days: int = DEFAULT_DAYS) -> Period:
    today = local_today()
    return Period(today - timedelta(days=days - 1), today)


@dataclass
class ReportFilters:
    """A report's period and filters. Terms are resolved to ids by the caller; ``chosen``
    keeps the slugs and emails as typed, for links and the form."""

    period: Period
    stage_id: int | None = None
    content_type_id: int | None = None
    owner_id: int | None = None  # the asset's owner (a marketer)
    team: str | None = None  # the department of the people whose activity counts
    chosen: dict = field(default_factory=dict)


def parse_period(args) -> Period:
    """``from`` and ``to`` (YYYY-MM-DD, both included); either may be left out (the last
    90 days end today). A malformed or reversed range is a ValidationFailed naming it."""
    default = default_period()
    errors = {}
    days = {}
    for name, fallback in (("from", default.first), ("to", default.last)):
        raw = (args.get(name) or "").strip()
        try:
            days[name] = date.fromisoformat(raw) if raw else fallback
        except ValueError:
            errors[name] = f"“{raw[:20]}” is not a date. {DATE_INVALID}"
    if errors:
        raise ValidationFailed("The period was not understood.", errors)
    if not args.get("from") and args.get("to"):
        days["from"] = days["to"] - timedelta(days=DEFAULT_DAYS - 1)
    if days["from"] > days["to"]:
        message = "The period ends before it starts: swap the dates."
        raise ValidationFailed(message, {"to": message})
    if (days["to"] - days["from"]).days >= MAX_DAYS:
        message = "Choose a period of at most ten years."
        raise ValidationFailed(message, {"from": message})
    return Period(days["from"], days["to"])


@dataclass(frozen=True)
class Column:
    """A column of a report table: ``key`` is the row's field and the sort key."""

    key: str
    label: str
    # text, number, decimal (shown to one place), money, percent, rating, date, time,
    # interval, or points (a difference of two shares, shown in percentage points)
    kind: str = "number"
    help: str = ""
    sortable: bool = True
    missing: str = ""  # shown for an empty value instead of a dash, e.g. "not enough data"


@dataclass
class Sort:
    key: str
    descending: bool = True


def parse_sort(args, columns: list[Column], default: Sort) -> Sort:
    """``sort`` (a sortable column key) and ``dir`` (asc or desc); anything else falls back
    to the report's default order, silently: a stale bookmark still shows the report."""
    keys = {column.key for column in columns if column.sortable}
    key = args.get("sort") if args.get("sort") in keys else default.key
    direction = args.get("dir")
    if direction not in {"asc", "desc"}:
        return Sort(key, default.descending if key == default.key else True)
    return Sort(key, direction == "desc")


def ordered(expression: ColumnElement, descending: bool) -> list:
    """ORDER BY terms for a figure: empty values (no rating, never used) last either way,
    so both databases order them the same."""
    return [expression.is_(None), expression.desc() if descending else expression.asc()]


def page_of(
    query: Select, order: list, page: int, per_page: int, **overall: ColumnElement
) -> tuple[list[dict], dict]:
    """One page of ``query``'s rows in ``order`` (as dicts), and figures over all of its
    rows: ``rows``, how many there are, and each aggregate of ``overall``, computed as
    window functions in the same statement, so the figures are aggregated once per page.
    A page past the end asks again for the first row, to learn them."""
    every = {"rows": func.count(), **overall}
    query = query.add_columns(*(agg.over().label(f"overall_{name}") for name, agg in every.items()))
    query = query.order_by(*order)
    found = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    first = found or (db.session.execute(query.limit(1)).all() if page > 1 else [])
    totals = {name: first[0]._mapping[f"overall_{name}"] if first else None for name in every}
    totals["rows"] = totals["rows"] or 0
    rows = [
        {key: value for key, value in row._mapping.items() if not key.startswith("overall_")}
        for row in found
    ]
    return rows, totals


def share(part, whole) -> float | None:
    """``part / whole`` as a fraction, None when there is nothing to divide."""
    return part / whole if whole else None


def wilson(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float] | None:
    """The 95 % Wilson score interval of a proportion, None without trials. Unlike the
    plain ± formula it stays within 0–1 and behaves for small samples."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    margin = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - margin), min(1.0, centre + margin)


def week_of(column, period: Period) -> ColumnElement:
    """The seven-day bucket (0, 1, 2…, counted from the period's first day) of a stored
    UTC time, on SQLite and PostgreSQL; the buckets start at local midnight."""
    start = period.start.replace(tzinfo=None)
    if on_postgresql():
        seconds = func.extract("epoch", column - literal(start))
        return func.floor(seconds / (7 * 86400)).cast(Integer)
    days = func.julianday(column) - func.julianday(literal(start.isoformat(sep=" ")))
    return (days / 7).cast(Integer)  # never negative within the period: truncation is floor


@template_filter("localtime")
def format_local_time(value: datetime | None) -> str:
    """A stored UTC time as a date and time in the portal's time zone."""
    if value is None:
        return ""
    return value.astimezone(portal_zone()).strftime("%-d %b %Y %H:%M")
