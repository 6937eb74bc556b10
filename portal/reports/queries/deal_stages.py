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

from dataclasses import dataclass, field

from flask import g, has_request_context
from sqlalchemy import Integer, case, false, func, or_, select
from sqlalchemy.orm import aliased

from content.deals.models import Deal, DealStageChange
from content.library.models import Stage
from portal.kernel.extensions import db
from portal.kernel.reporting import ReportFilters, share, wilson
from portal.reports.queries.influence import data_status, enough_deals
from portal.reports.queries.stage_times import history_of_team, used_stage_content

C = DealStageChange


def _flag(condition):
    return func.max(case((condition, 1), else_=0))


def entries(filters: ReportFilters, *, with_use: bool = False):
    """The period's entries into a stage, one per deal and stage, with what became of the
    deal: moved (on, or won), won (later), lost (now), open (now) and, ``with_use``, used
    (content of the stage in the deal)."""
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
    first = history_of_team(earliest, filters).subquery("first_entry")
    later, entered, reached = aliased(C), aliased(Stage), aliased(Stage)
    onward = or_(
        later.status == "won", (later.status == "open") & (reached.position > entered.position)
    )
    query = (
        select(
            first.c.deal_id,
            first.c.stage_id,
            _flag(onward).label("moved"),
            _flag(later.status == "won").label("won"),
            _flag(Deal.status == "lost").label("lost"),
            _flag(Deal.status == "open").label("open"),
        )
        .join(Deal, Deal.id == first.c.deal_id)
        .join(entered, entered.id == first.c.stage_id)
        .outerjoin(later, (later.deal_id == first.c.deal_id) & (later.id > first.c.entry_id))
        .outerjoin(reached, reached.id == later.stage_id)
        .group_by(first.c.deal_id, first.c.stage_id)
    )
    if with_use:
        used = used_stage_content(first.c.deal_id, first.c.stage_id)
        query = query.add_columns(used.label("used"))
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
    found = entries(filters)
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
        for stage in journey()
    ]


def funnel_totals(filters: ReportFilters) -> tuple[int, int]:
    """The period's stage entries over every stage, and how many of them moved on (one
    statement, for the dashboard)."""
    found = entries(filters)
    query = select(func.count(), _count(found.c.moved))
    reached, moved = db.session.execute(query).one()
    return reached, moved


@dataclass
class Side:
    """The deals of one side of a comparison (with or without the stage's content)."""

    deals: int = 0
    moved_on: int = 0


@dataclass
class StageComparison:
    """A stage's conversion, time in it and cycle time, for deals that used content of
    the stage against those that did not; rates and medians only with enough deals."""

    stage_id: int
    stage: str
    position: int
    with_: Side = field(default_factory=Side)
    without: Side = field(default_factory=Side)

    @property
    def enough(self) -> bool:
        return enough_deals(self.with_.deals, self.without.deals)

    @property
    def status(self) -> str:
        return data_status(self.enough, "deals that reached the stage")


def conversion_by_content(filters: ReportFilters) -> dict[int, StageComparison]:
    """Per stage, the entries of the period with and without content of the stage."""
    found = entries(filters, with_use=True)
    query = select(found.c.stage_id, found.c.used, func.count(), _count(found.c.moved)).group_by(
        found.c.stage_id, found.c.used
    )
    sides = {(row[0], bool(row[1])): Side(row[2], row[3]) for row in db.session.execute(query)}
    return {
        stage.id: StageComparison(
            stage.id,
            stage.name,
            stage.position,
            sides.get((stage.id, True), Side()),
            sides.get((stage.id, False), Side()),
        )
        for stage in journey()
    }
