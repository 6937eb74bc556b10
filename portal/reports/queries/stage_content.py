"""The deal stages report's comparison: per buyer stage, the deals that used content of
the stage against those that did not, for the share that moved on, the time in the stage
and the time to win.

A deal used content of a stage when an asset of that buyer stage is attached to it,
whoever recorded it and whenever (as the content influence report counts use). Which
(deal, stage) pairs used content is read once, for the deals whose history moved in the
period, and the period's entries, stints and wins are split in Python: asked of each row
in SQL, PostgreSQL built a hash of every attachment's stages for each of the three
statements, which cost more than the rest of the page.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Row, select, union

from content.deals.models import DealStageChange
from content.library.models import asset_stages
from content.usage.models import UsageEvent
from portal.kernel.extensions import db
from portal.kernel.reporting import ReportFilters
from portal.reports.queries.deal_stages import entries, journey, positions_of
from portal.reports.queries.influence import data_status, enough_deals
from portal.reports.queries.stage_times import nearest_rank, stints, wins

C = DealStageChange
E = UsageEvent


def used_pairs(filters: ReportFilters) -> set[tuple[int, int]]:
    """The (deal, stage) pairs with content of the stage attached, among the deals whose
    history has a row that began or ended in the period."""
    period = filters.period
    moved = union(
        select(C.deal_id).where(C.changed_at >= period.start, C.changed_at < period.end),
        select(C.deal_id).where(C.ended_at >= period.start, C.ended_at < period.end),
    ).subquery("moved")
    query = (
        select(E.deal_id, asset_stages.c.stage_id)
        .join(asset_stages, asset_stages.c.asset_id == E.asset_id)
        .where(E.kind == "used_in_deal", E.deal_id.in_(select(moved.c.deal_id)))
        .distinct()
    )
    return {(deal_id, stage_id) for deal_id, stage_id in _rows(query)}


@dataclass
class Side:
    """One side of a stage's comparison: the deals that reached the stage in the period,
    those that moved on, their stints there and the days to win of the period's wins."""

    deals: int = 0
    moved_on: int = 0
    stint_days: list[float] = field(default_factory=list)
    win_days: list[float] = field(default_factory=list)


@dataclass
class StageComparison:
    """A stage's figures for deals that used content of the stage and those that did not;
    rates and medians only where both sides reach the influence report's minimum."""

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

    def medians(self, days: str) -> tuple[float | None, float | None]:
        """The median ``days`` ("stint_days" or "win_days") with and without the stage's
        content, where both groups reach the minimum sample; else neither."""
        with_, without = getattr(self.with_, days), getattr(self.without, days)
        if not enough_deals(len(with_), len(without)):
            return None, None
        return nearest_rank(with_).median, nearest_rank(without).median


def _rows(query) -> Iterator[Row]:
    """The rows, read through the connection: tens of thousands of them, which the ORM's
    result machinery would take longer to hand over than the database to find."""
    return iter(db.session.connection().execute(query))


def compare_by_content(filters: ReportFilters) -> list[StageComparison]:
    """Every buyer stage in the journey's order, with both sides of its comparison."""
    stages = journey()
    if not stages:
        return []
    used = used_pairs(filters)
    compared = {stage.id: StageComparison(stage.id, stage.name, stage.position) for stage in stages}
    sides = {(stage_id, True): found.with_ for stage_id, found in compared.items()} | {
        (stage_id, False): found.without for stage_id, found in compared.items()
    }
    found = entries(filters, positions_of(stages))
    for deal_id, stage_id, moved in _rows(select(found.c.deal_id, found.c.stage_id, found.c.moved)):
        counted = sides.get((stage_id, (deal_id, stage_id) in used))
        if counted is not None:
            counted.deals += 1
            counted.moved_on += moved
    ended = stints(filters)
    for deal_id, stage_id, days in _rows(select(ended.c.deal_id, ended.c.stage_id, ended.c.days)):
        if (stage_id, True) in sides:
            sides[stage_id, (deal_id, stage_id) in used].stint_days.append(days)
    won = wins(filters)
    for deal_id, days in _rows(select(won.c.deal_id, won.c.days)):
        for stage_id in compared:
            sides[stage_id, (deal_id, stage_id) in used].win_days.append(days)
    return list(compared.values())
