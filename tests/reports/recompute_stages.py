"""The deal stages report's figures recomputed in plain Python from the raw history rows,
deals, users and attachments."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from content.deals.models import DealStageChange
from content.library.models import Stage
from portal.kernel.extensions import db
from portal.kernel.reporting import ReportFilters, wilson
from tests.reports.recompute import Raw, in_period

MIN_DEALS = 5  # written out again: the test checks the report's rule, not its constant


@dataclass
class History:
    raw: Raw
    rows: list[DealStageChange]  # in id order
    positions: dict[int, int]  # stage id -> position

    @classmethod
    def load(cls) -> "History":
        rows = list(db.session.scalars(select(DealStageChange).order_by(DealStageChange.id)))
        positions = dict(db.session.execute(select(Stage.id, Stage.position)).all())
        return cls(Raw.load(), rows, positions)

    def kept(self, deal_id: int, filters: ReportFilters) -> bool:
        deal = self.raw.deals[deal_id]
        return filters.team is None or self.raw.users[deal.owner_id].department == filters.team

    def used(self, deal_id: int, stage_id: int) -> bool:
        return any(
            event.deal_id == deal_id
            and event.kind == "used_in_deal"
            and stage_id in self.raw.stages[event.asset_id]
            for event in self.raw.events
        )


def days(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 86400


def quartiles(values: list[float]) -> tuple:
    """(count, first quartile, median, third quartile) by nearest rank, as the report."""
    if not values:
        return (0, None, None, None)
    ordered, n = sorted(values), len(values)
    middle = (ordered[(n + 1) // 2 - 1] + ordered[(n + 2) // 2 - 1]) / 2
    return (n, ordered[(n + 3) // 4 - 1], middle, ordered[(3 * n + 3) // 4 - 1])


def entries(history: History, filters: ReportFilters) -> dict[tuple, dict]:
    """(deal, stage) -> what became of the deal after its first entry in the period."""
    found: dict[tuple, dict] = {}
    for row in history.rows:
        entered = row.from_status is None or row.from_stage_id != row.stage_id
        if (
            row.status == "open"
            and not row.known_since
            and row.stage_id is not None
            and entered
            and in_period(row.changed_at, filters.period)
            and history.kept(row.deal_id, filters)
            and (row.deal_id, row.stage_id) not in found
        ):
            found[(row.deal_id, row.stage_id)] = _outcome(history, row)
    return found


def _outcome(history: History, entry: DealStageChange) -> dict:
    later = [r for r in history.rows if r.deal_id == entry.deal_id and r.id > entry.id]
    here = history.positions[entry.stage_id]
    status = history.raw.deals[entry.deal_id].status
    return {
        "moved": any(
            r.status == "won"
            or (r.status == "open" and r.stage_id and history.positions[r.stage_id] > here)
            for r in later
        ),
        "won": any(r.status == "won" for r in later),
        "lost": status == "lost",
        "open": status == "open",
        "used": history.used(entry.deal_id, entry.stage_id),
    }


def funnel(history: History, filters: ReportFilters) -> dict[int, dict]:
    """Stage id -> reached, moved_on, won, lost, still_open, conversion, interval."""
    by_stage: dict[int, list[dict]] = defaultdict(list)
    for (_deal, stage_id), outcome in entries(history, filters).items():
        by_stage[stage_id].append(outcome)
    figures = {}
    for stage_id in history.positions:
        found = by_stage.get(stage_id, [])
        moved = sum(o["moved"] for o in found)
        figures[stage_id] = {
            "reached": len(found),
            "moved_on": moved,
            "won": sum(o["won"] for o in found),
            "lost": sum(o["lost"] for o in found),
            "still_open": sum(o["open"] for o in found),
            "conversion": moved / len(found) if found else None,
            "interval": wilson(moved, len(found)),
        }
    return figures


def stint_days(history: History, filters: ReportFilters) -> list[tuple[int, int, float]]:
    """(deal, stage, days) of each stint that ended in the period."""
    return [
        (row.deal_id, row.stage_id, days(row.ended_at, row.changed_at))
        for row in history.rows
        if row.status == "open"
        and not row.known_since
        and row.stage_id is not None
        and row.ended_at is not None
        and in_period(row.ended_at, filters.period)
        and history.kept(row.deal_id, filters)
    ]


def current(history: History, filters: ReportFilters, now: datetime) -> dict[int, tuple]:
    """Stage id -> (deals in it now, median days so far of those with a known entry)."""
    running = [
        row
        for row in history.rows
        if row.ended_at is None
        and row.status == "open"
        and row.stage_id is not None
        and history.kept(row.deal_id, filters)
    ]
    figures = {}
    for stage_id in history.positions:
        here = [row for row in running if row.stage_id == stage_id]
        known = [days(now, row.changed_at) for row in here if not row.known_since]
        figures[stage_id] = (len(here), quartiles(known)[2])
    return figures


def wins(history: History, filters: ReportFilters) -> dict[int, float]:
    """Deal id -> days from its creation to its first recorded win in the period."""
    won: dict[int, float] = {}
    for row in history.rows:
        if (
            row.status == "won"
            and row.from_status != "won"
            and not row.known_since
            and in_period(row.changed_at, filters.period)
            and history.kept(row.deal_id, filters)
            and row.deal_id not in won
        ):
            won[row.deal_id] = days(row.changed_at, history.raw.deals[row.deal_id].created_at)
    return won
