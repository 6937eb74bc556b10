"""The deal stages report's funnel: per buyer stage, the deals that reached it in the
period and what became of them, and the same split by whether content of that stage was
used in the deal.

A deal reached a stage when a history row put it there, open, coming from another stage
or from nowhere (a new deal), at a time in the period; a deal that reached a stage twice
in the period counts once, from its first entry. It moved on when a later row of its
history (up to now) took it, open, to a stage further along the journey, or won it.
"Known since" rows (the backfill) are no entry: when the deal got there is unknown.

One aggregate statement per table: the period's entries, each joined to the later rows of
its deal (a deal has a handful), grouped by entry and then by stage.
"""

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import Integer, case, false, func, or_, select
from sqlalchemy.orm import aliased

from content.deals.models import DealStageChange
from content.library.models import Stage
from portal.kernel.extensions import db
from portal.kernel.reporting import ReportFilters, share, wilson
from portal.reports.queries.stage_times import history_of_team

C = DealStageChange


def _flag(condition):
    return func.max(case((condition, 1), else_=0))


def first_entries(filters: ReportFilters):
    """Each deal's first entry into each stage in the period: deal, stage, entry_id."""
    period = filters.period
    earliest = (
        select(C.deal_id, C.stage_id, func.min(C.id).label("entry_id"))
        .where(
            C.changed_at >= period.start,
            C.changed_at < period.end,
            C.status == "open",
            C.known_since.is_(false()),
            C.stage_id.is_not(None),
            or_(C.from_status.is_(None), C.from_stage_id.is_distinct_from(C.stage_id)),
        )
        .group_by(C.deal_id, C.stage_id)
    )
    return history_of_team(earliest, filters).subquery("first_entry")


def entries(filters: ReportFilters, positions: dict[int, int]):
    """The period's entries into a stage, one per deal and stage, with what became of the
    deal: moved (on, or won), won (later), lost (now) and open (now). ``positions`` maps
    each stage to its place in the journey (written into the statement: a join to the
    stages misled PostgreSQL's row estimates into sorting on disk)."""
    period = filters.period
    first = first_entries(filters)
    later = aliased(C)

    def position(stage_id):
        return case(positions, value=stage_id, else_=-1)

    further = position(later.stage_id) > position(first.c.stage_id)
    onward = or_(later.status == "won", (later.status == "open") & further)
    # The deal's state now is its current history row: the entry itself, or a later one.
    now = later.ended_at.is_(None)
    query = (
        select(
            first.c.deal_id,
            first.c.stage_id,
            _flag(onward).label("moved"),
            _flag(later.status == "won").label("won"),
            _flag(now & (later.status == "lost")).label("lost"),
            case((func.count(later.id) == 0, 1), else_=_flag(now & (later.status == "open"))).label(
                "open"
            ),
        )
        .select_from(first)
        .outerjoin(
            later,
            (later.deal_id == first.c.deal_id)
            & (later.id > first.c.entry_id)
            # Implied (a deal's rows are written in time order), and it lets the database
            # read only the rows since the period began instead of each deal's history.
            & (later.changed_at >= period.start),
        )
        .group_by(first.c.deal_id, first.c.stage_id)
    )
    return query.subquery("entries")


def _count(column):
    return func.coalesce(func.sum(column), 0).cast(Integer)


@dataclass
class FunnelStage:
    """One stage of the funnel: the deals that reached it in the period and what became
    of them; ``conversion`` is the share that moved on, with its 95 % interval."""

    stage_id: int
    stage: str
    position: int
    reached: int = 0
    moved_on: int = 0
    won: int = 0
    lost: int = 0
    still_open: int = 0
    conversion: float | None = None
    interval: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        self.conversion = share(self.moved_on, self.reached)
        self.interval = wilson(self.moved_on, self.reached)


def positions_of(stages: list[Stage]) -> dict[int, int]:
    return {stage.id: stage.position for stage in stages}


def journey() -> list[Stage]:
    """The buyer stages in the journey's order."""
    return list(db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)))


def stage_funnel(filters: ReportFilters) -> list[FunnelStage]:
    """Every buyer stage in the journey's order, with the deals that reached it in the
    period (the filters' team) and how many moved on, were won, lost or are still open.
    The figures another page (a meeting pack) shows beside the funnel partial
    ``reports/_stage_funnel.html``. A request computes it once per period and team: the
    report's page shows it twice (its table and its panel)."""
    key = ("stage_funnel", filters.period, filters.team)
    if has_request_context() and key in g.setdefault("report_figures", {}):
        return g.report_figures[key]
    funnel = _funnel(filters)
    if has_request_context():
        g.report_figures[key] = funnel
    return funnel


def _funnel(filters: ReportFilters) -> list[FunnelStage]:
    stages = journey()
    if not stages:
        return []
    found = entries(filters, positions_of(stages))
    query = select(
        found.c.stage_id,
        func.count(),
        _count(found.c.moved),
        _count(found.c.won),
        _count(found.c.lost),
        _count(found.c.open),
    ).group_by(found.c.stage_id)
    counts = {row[0]: row[1:] for row in db.session.execute(query).all()}
    return [
        FunnelStage(stage.id, stage.name, stage.position, *counts.get(stage.id, ()))
        for stage in stages
    ]


def entries_count(filters: ReportFilters) -> int:
    """The period's stage entries over every stage, for the dashboard: the count alone,
    without what became of them."""
    found = first_entries(filters)
    return db.session.scalar(select(func.count()).select_from(found)) or 0
