"""The ghost-writing report: how posts moved through the workflow in a period, per rep and
per channel, computed with aggregate queries over the posts' own figures.

Each count is the step that happened in the period, read from the time the post keeps
for it: drafted (``created_at``), sent (``first_sent_at``), approved, published and
declined. The review figures are about the posts first sent to the rep in the period:
how many of them wait for the rep now, their average rounds, and the rep's share of
their words (the sum of the words the rep wrote over the sum of their words). The median
days with the rep counts only those the rep has approved or declined since, all rounds
together: a post still in review has time running that ``seconds_with_rep`` does not
hold yet, and would pull the median down.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, case, func, or_, select

from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.pagination import Page
from portal.kernel.reporting import Period, ReportFilters, Sort, ordered
from workflows.posts.models import CHANNELS, POST_STATUSES, GhostPost

P = GhostPost
SECONDS_PER_DAY = 86_400.0
# The rep has answered for good: the time with the rep will not grow any more.
ANSWERED = ("approved", "published", "declined")
STEPS = {
    "drafted": P.created_at,
    "sent": P.first_sent_at,
    "approved": P.approved_at,
    "published": P.published_at,
    "declined": P.declined_at,
}
COUNTS = ("drafted", "sent", "with_rep", "approved", "published", "declined")
FIGURES = (*COUNTS, "average_rounds", "rep_edit_share", "median_days")


def _within(moment, period: Period):
    return and_(moment >= period.start, moment < period.end)


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _ratio(part, whole):
    """``sum(part) / sum(whole)`` as the same float Python computes, None when ``whole``
    sums to nothing: both sums are cast to floats first, or PostgreSQL would divide them
    as integers or numerics."""
    return func.sum(part).cast(Float) / func.nullif(func.sum(whole), 0).cast(Float)


def _figures(group, period: Period):
    """Per ``group`` (rep or channel), the counts and review figures of the posts that
    had any step in the period."""
    sent = _within(P.first_sent_at, period)
    return (
        select(
            group.label("key"),
            *(_count(_within(moment, period)).label(step) for step, moment in STEPS.items()),
            _count(and_(sent, P.status == "with_rep")).label("with_rep"),
            _ratio(case((sent, P.rounds)), case((sent, 1))).label("average_rounds"),
            _ratio(case((sent, P.rep_word_count)), case((sent, P.word_count))).label(
                "rep_edit_share"
            ),
        )
        .where(or_(*(_within(moment, period) for moment in STEPS.values())))
        .group_by(group)
        .subquery("figures")
    )


def median_days(period: Period, *group) -> Select:
    """The median days with the rep (per ``group``, or of all posts without one) of the
    posts sent in the period that the rep has answered.

    SQLite has no median, so both databases number each group's posts by their time with
    the rep and average the middle one (odd count) or the middle two (even count).
    """
    partition = list(group) or None
    seconds = P.seconds_with_rep
    ranked = (
        select(
            *(column.label("key") for column in group),
            seconds.label("seconds"),
            func.row_number().over(partition_by=partition, order_by=seconds).label("position"),
            func.count().over(partition_by=partition).label("size"),
        )
        .where(_within(P.first_sent_at, period), P.status.in_(ANSWERED))
        .subquery("ranked")
    )
    keys = [ranked.c.key] if group else []
    middle = ranked.c.position.between((ranked.c.size + 1) // 2, (ranked.c.size + 2) // 2)
    days = func.sum(ranked.c.seconds).cast(Float) / func.count().cast(Float) / SECONDS_PER_DAY
    return select(*keys, days.label("median_days")).where(middle).group_by(*keys)


@dataclass
class PostFigures:
    """A row of the by-rep or by-channel table; ``key`` is the rep's id or the channel."""

    key: object
    name: str
    drafted: int
    sent: int
    with_rep: int
    approved: int
    published: int
    declined: int
    average_rounds: float | None
    rep_edit_share: float | None
    median_days: float | None


def _figure_page(group, named, sort: Sort, page: int, per_page: int, period: Period) -> Page:
    """One page of figures per ``group``; ``named(figures)`` gives the row's name and the
    joins it needs."""
    figures = _figures(group, period)
    medians = median_days(period, group).subquery("medians")
    name, joins = named(figures)
    columns = {key: figures.c[key] for key in FIGURES if key != "median_days"}
    columns["median_days"] = medians.c.median_days
    query = (
        select(figures.c.key, name.label("name"), *columns.values())
        .select_from(figures)
        .outerjoin(medians, medians.c.key == figures.c.key)
    )
    columns["name"] = func.lower(name)
    for target, condition in joins:
        query = query.join(target, condition)
    total = db.session.scalar(select(func.count()).select_from(figures)) or 0
    order = [*ordered(columns[sort.key], sort.descending), func.lower(name), figures.c.key]
    rows = db.session.execute(
        query.order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page([PostFigures(**row._mapping) for row in rows], page, per_page, total)


def _rep_name(figures):
    return User.name, [(User, User.id == figures.c.key)]


def _channel_name(figures):
    return case(CHANNELS, value=figures.c.key, else_=figures.c.key), []


def posts_by_rep(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One page of reps whose posts had a step in the period, in the chosen order."""
    return _figure_page(P.rep_id, _rep_name, sort, page, per_page, filters.period)


def posts_by_channel(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One page of channels whose posts had a step in the period, in the chosen order."""
    return _figure_page(P.channel, _channel_name, sort, page, per_page, filters.period)


def published_by_rep(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One page of reps with the posts published in the period on each channel (rows
    have an attribute per channel key and ``total``)."""
    counts = (
        select(
            P.rep_id.label("rep_id"),
            *(_count(P.channel == channel).label(channel) for channel in CHANNELS),
            func.count().label("total"),
        )
        .where(_within(P.published_at, filters.period))
        .group_by(P.rep_id)
        .subquery("published")
    )
    columns: dict[str, ColumnElement[Any]] = {key: counts.c[key] for key in (*CHANNELS, "total")}
    query = select(counts.c.rep_id, User.name.label("name"), *columns.values()).join(
        User, User.id == counts.c.rep_id
    )
    columns["name"] = func.lower(User.name)
    total = db.session.scalar(select(func.count()).select_from(counts)) or 0
    order = [*ordered(columns[sort.key], sort.descending), columns["name"], counts.c.rep_id]
    rows = db.session.execute(
        query.order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(rows, page, per_page, total)


def drafted_by_status(period: Period) -> dict[str, int]:
    """The posts drafted in the period by their status now, every status listed."""
    counts = dict(
        db.session.execute(
            select(P.status, func.count()).where(_within(P.created_at, period)).group_by(P.status)
        ).all()
    )
    return {status: counts.get(status, 0) for status in POST_STATUSES}


def totals(period: Period) -> dict[str, float | None]:
    """The posts published in the period and the median days with the rep of every rep's
    answered posts sent in the period, for the dashboard."""
    published = db.session.scalar(
        select(func.count()).select_from(P).where(_within(P.published_at, period))
    )
    return {"published": published, "median_days": db.session.scalar(median_days(period))}
