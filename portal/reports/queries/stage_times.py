"""Durations read from the deals' stage history: time in each stage, and the cycle time of
won deals, as quartiles computed in the database.

A stint in a stage is a history row of an open deal: it starts at the row's time and ends
when the next row is written (``ended_at``), whether the stage or the status changed. A
stint counts in the period in which it ended; the stints still running are counted apart
("in the stage now", with their days so far), never blended with the finished ones. Rows
only "known since" (the backfill) are left out of every time: when the deal entered that
stage is unknown.

Quartiles by nearest rank: with n values in order, the first quartile is the value of rank
ceil(n/4), the third of rank ceil(3n/4), and the median the middle value (the mean of the
two middle ones for an even n). Row numbers over each group, computed by both databases,
pick them; SQLite has no percentile function.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Float, Select, case, false, func, literal, or_, select

from content.deals.models import Deal, DealStageChange
from content.usage.models import UsageEvent
from portal.kernel.extensions import UTCDateTime, db
from portal.kernel.models import User, utcnow
from portal.kernel.reporting import ReportFilters
from portal.kernel.sql import on_postgresql

C = DealStageChange
E = UsageEvent


def days_between(later, earlier) -> ColumnElement:
    """Days (with their fraction) from ``earlier`` to ``later``, on either database, as a
    float: PostgreSQL's EXTRACT answers a numeric, which Python reads as a Decimal, ten
    times slower to read and sort by the tens of thousands."""
    if on_postgresql():
        return (func.extract("epoch", later - earlier) / 86400.0).cast(Float)
    return func.julianday(later) - func.julianday(earlier)


def of_team(query: Select, filters: ReportFilters) -> Select:
    """Keep the deals (``Deal`` in ``query``) owned by someone of the chosen team."""
    if filters.team:
        team = select(User.id).where(User.department == filters.team)
        query = query.where(Deal.owner_id.in_(team))
    return query


def history_of_team(query: Select, filters: ReportFilters) -> Select:
    """Keep the history rows (``DealStageChange`` in ``query``) of deals owned by someone
    of the chosen team, without joining the deals when no team is chosen."""
    if filters.team:
        team = select(User.id).where(User.department == filters.team)
        query = query.where(C.deal_id.in_(select(Deal.id).where(Deal.owner_id.in_(team))))
    return query


@dataclass
class Quartiles:
    """How many durations, and their quartiles in days (None without any)."""

    count: int = 0
    low: float | None = None
    median: float | None = None
    high: float | None = None


def nearest_rank(values: list[float]) -> Quartiles:
    """The count and quartiles of ``values``, by the rule ``quartiles`` computes in SQL."""
    if not values:
        return Quartiles()
    ordered, n = sorted(values), len(values)
    middle = (ordered[(n + 1) // 2 - 1] + ordered[(n + 2) // 2 - 1]) / 2
    return Quartiles(n, ordered[(n + 3) // 4 - 1], middle, ordered[(3 * n + 3) // 4 - 1])


def quartiles(durations, *keys: str) -> dict[tuple, Quartiles]:
    """Per group of ``keys`` (columns of the ``durations`` subquery, which has ``days``):
    the count and the quartiles, in one statement."""
    groups = [durations.c[key] for key in keys]
    ranked = select(
        *groups,
        durations.c.days,
        func.row_number().over(partition_by=groups, order_by=durations.c.days).label("rank"),
        # The same window with the whole group as its frame: one sort serves both.
        func.count()
        .over(partition_by=groups, order_by=durations.c.days, rows=(None, None))
        .label("n"),
    ).subquery("ranked")
    rank, n = ranked.c.rank, ranked.c.n

    def at(*ranks) -> ColumnElement:
        return func.avg(case((or_(*(rank == r for r in ranks)), ranked.c.days)))

    query = select(
        *(ranked.c[key] for key in keys),
        func.max(n),
        at((n + 3) // 4),
        at((n + 1) // 2, (n + 2) // 2),
        at((3 * n + 3) // 4),
    ).group_by(*(ranked.c[key] for key in keys))
    return {
        tuple(row[: len(keys)]): Quartiles(*row[len(keys) :])
        for row in db.session.execute(query).all()
    }


def stints(filters: ReportFilters):
    """The stints in a stage that ended in the period: deal, stage and days."""
    period = filters.period
    query = select(
        C.deal_id.label("deal_id"),
        C.stage_id.label("stage_id"),
        days_between(C.ended_at, C.changed_at).label("days"),
    ).where(
        C.ended_at >= period.start,
        C.ended_at < period.end,
        C.status == "open",
        C.known_since.is_(false()),
        C.stage_id.is_not(None),
    )
    return history_of_team(query, filters).subquery("stints")


def _current(filters: ReportFilters, *columns):
    query = select(C.stage_id.label("stage_id"), *columns).where(
        C.ended_at.is_(None), C.status == "open", C.stage_id.is_not(None)
    )
    return history_of_team(query, filters)


def current_stints(filters: ReportFilters, now: datetime | None = None):
    """The stints running now whose start is known: stage, days so far."""
    days = days_between(literal(now or utcnow(), UTCDateTime()), C.changed_at)
    query = _current(filters, days.label("days")).where(C.known_since.is_(false()))
    return query.subquery("current")


def deals_in_stage_now(filters: ReportFilters) -> dict[int, int]:
    """Per stage, the open deals in it now (those only "known since" included)."""
    query = _current(filters, func.count()).group_by(C.stage_id)
    return {row[0]: row[1] for row in db.session.execute(query).all()}


def wins(filters: ReportFilters):
    """The deals won in the period (first recorded win in it), with their owner and the
    days from the deal's creation to the win."""
    period = filters.period
    first_win = (
        select(C.deal_id.label("deal_id"), func.min(C.changed_at).label("won_at"))
        .where(
            C.changed_at >= period.start,
            C.changed_at < period.end,
            C.status == "won",
            C.from_status.is_distinct_from("won"),
            C.known_since.is_(false()),
        )
        .group_by(C.deal_id)
        .subquery("first_win")
    )
    query = select(
        Deal.id.label("deal_id"),
        Deal.owner_id.label("owner_id"),
        days_between(first_win.c.won_at, Deal.created_at).label("days"),
    ).join(first_win, first_win.c.deal_id == Deal.id)
    return of_team(query, filters).subquery("wins")


def cycle_by_rep(filters: ReportFilters) -> dict[int, Quartiles]:
    """Per rep, the cycle time of the deals they won in the period."""
    return {key[0]: figures for key, figures in quartiles(wins(filters), "owner_id").items()}


def cycle_overall(filters: ReportFilters) -> Quartiles:
    """The cycle time of every deal won in the period."""
    won = wins(filters)
    everyone = select(literal(1).label("everyone"), won.c.days).subquery("everyone")
    return quartiles(everyone, "everyone").get((1,), Quartiles())
