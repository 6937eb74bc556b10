"""Report 10, deal stages: the funnel of buyer stages (how many deals reached each stage in
the period and how many moved on), how long deals sit in each stage, how long won deals
took, and how each differs for deals that used content of the stage."""

from dataclasses import dataclass

from sqlalchemy import select

from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.pagination import Page
from portal.kernel.reporting import Column, ReportFilters, Sort, share, wilson
from portal.kernel.templating import format_days
from portal.reports.queries.deal_stages import entries_count, journey, stage_funnel
from portal.reports.queries.influence import MIN_DEALS
from portal.reports.queries.stage_content import StageComparison, compare_by_content
from portal.reports.queries.stage_times import (
    Quartiles,
    current_stints,
    cycle_by_rep,
    cycle_overall,
    deals_in_stage_now,
    quartiles,
    stints,
)
from portal.reports.registry import Headline, Panel, ReportSpec, Table

NO_FIGURE = "not enough data"


def listed(rows: list, sort: Sort, page: int, per_page: int) -> Page:
    """A page of ``rows`` (a handful: one per stage or rep) in the chosen order, empty
    values last either way, ties in the journey's order."""
    filled = [row for row in rows if getattr(row, sort.key) is not None]
    empty = [row for row in rows if getattr(row, sort.key) is None]
    filled.sort(key=lambda row: _key(getattr(row, sort.key)), reverse=sort.descending)
    ordered = filled + empty
    start = (page - 1) * per_page
    return Page(ordered[start : start + per_page], page, per_page, len(ordered))


def _key(value):
    return value.lower() if isinstance(value, str) else value


# ---- the funnel ------------------------------------------------------------------------


FUNNEL_COLUMNS = [
    Column("stage", "Stage", "text"),
    Column("reached", "Reached", help="Deals that entered the stage, open, in the period"),
    Column("moved_on", "Moved on", help="Of those, later moved to a further stage or won"),
    Column("conversion", "Moved on (share)", "percent"),
    Column(
        "interval",
        "95 % interval",
        "interval",
        help="Wilson score interval of the share that moved on",
        sortable=False,
    ),
    Column("won", "Won", help="Of those, won since"),
    Column("lost", "Lost", help="Of those, lost now"),
    Column("still_open", "Still open", help="Of those, open now, at whichever stage"),
]


def funnel_rows(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """The funnel's stages; none when no deal reached any stage in the period."""
    funnel = stage_funnel(filters)
    return listed(funnel if any(s.reached for s in funnel) else [], sort, page, per_page)


# ---- time in stage ---------------------------------------------------------------------


@dataclass
class StageTime:
    stage_id: int
    stage: str
    position: int
    stints: int
    low: float | None
    median: float | None
    high: float | None
    now: int
    median_so_far: float | None


TIME_COLUMNS = [
    Column("stage", "Stage", "text"),
    Column("stints", "Stints ended", help="Times a deal left the stage, or closed, in the period"),
    Column("low", "Days, first quartile", "decimal"),
    Column("median", "Days, median", "decimal"),
    Column("high", "Days, third quartile", "decimal"),
    Column("now", "In the stage now", help="Open deals at this stage today"),
    Column(
        "median_so_far",
        "Days so far, median",
        "decimal",
        help="Of the deals in the stage now whose entry into it is known",
    ),
]


def time_rows(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """Per stage, the stints that ended in the period and the deals in it now."""
    ended = quartiles(stints(filters), "stage_id")
    so_far = quartiles(current_stints(filters), "stage_id")
    now = deals_in_stage_now(filters)
    rows = []
    for stage in journey():
        done = ended.get((stage.id,), Quartiles())
        running = so_far.get((stage.id,), Quartiles())
        if done.count or now.get(stage.id):
            rows.append(
                StageTime(
                    stage.id,
                    stage.name,
                    stage.position,
                    done.count,
                    done.low,
                    done.median,
                    done.high,
                    now.get(stage.id, 0),
                    running.median,
                )  # fmt: skip
            )
    return listed(rows, sort, page, per_page)


# ---- cycle time --------------------------------------------------------------------------


@dataclass
class RepCycle:
    user_id: int
    rep: str
    won: int
    low: float | None
    median: float | None
    high: float | None


CYCLE_COLUMNS = [
    Column("rep", "Rep", "text", help="The deal's owner"),
    Column("won", "Deals won", help="Deals won in the period"),
    Column("low", "Days to win, first quartile", "decimal"),
    Column("median", "Days to win, median", "decimal"),
    Column("high", "Days to win, third quartile", "decimal"),
]


def cycle_rows(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """Per rep, the cycle time of the deals they won in the period."""
    by_rep = cycle_by_rep(filters)
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(by_rep))).all())
    rows = [
        RepCycle(user_id, names.get(user_id, "Former user"), q.count, q.low, q.median, q.high)
        for user_id, q in by_rep.items()
    ]
    return listed(rows, sort, page, per_page)


# ---- with and without the stage's content -------------------------------------------------


@dataclass
class ContentRow:
    """A stage's figures for deals that used content of the stage and those that did not;
    rates, intervals and medians only where both sides reach the minimum sample."""

    stage_id: int
    stage: str
    position: int
    deals_with: int
    moved_with: int
    deals_without: int
    moved_without: int
    enough: bool
    status: str
    rate_with: float | None = None
    interval_with: tuple[float, float] | None = None
    rate_without: float | None = None
    interval_without: tuple[float, float] | None = None
    difference: float | None = None
    days_with: float | None = None
    days_without: float | None = None
    cycle_with: float | None = None
    cycle_without: float | None = None


def _side_columns(side: str) -> list[Column]:
    return [
        Column(f"deals_{side}", f"Deals {side} it", help="Deals that reached the stage"),
        Column(f"moved_{side}", f"Moved on {side} it"),
        Column(f"rate_{side}", f"Moved on {side} it (share)", "percent", missing=NO_FIGURE),
        Column(
            f"interval_{side}",
            f"95 % interval {side} it",
            "interval",
            help=f"Wilson score interval of the share that moved on {side} it",
            sortable=False,
            missing=NO_FIGURE,
        ),
    ]


CONTENT_COLUMNS = [
    Column("stage", "Stage", "text"),
    *_side_columns("with"),
    *_side_columns("without"),
    Column(
        "difference",
        "Difference",
        "points",
        help="Share moved on with the stage's content minus without, in percentage points",
        missing=NO_FIGURE,
    ),
    Column("days_with", "Median days in stage with it", "decimal", missing=NO_FIGURE),
    Column("days_without", "Median days in stage without it", "decimal", missing=NO_FIGURE),
    Column("cycle_with", "Median days to win with it", "decimal", missing=NO_FIGURE),
    Column("cycle_without", "Median days to win without it", "decimal", missing=NO_FIGURE),
    Column("status", "Data", "text", sortable=False),
]


def _content_row(compared: StageComparison) -> ContentRow:
    with_, without = compared.with_, compared.without
    row = ContentRow(
        compared.stage_id, compared.stage, compared.position, with_.deals, with_.moved_on,
        without.deals, without.moved_on, compared.enough, compared.status,
    )  # fmt: skip
    if row.enough:
        row.rate_with = share(with_.moved_on, with_.deals)
        row.rate_without = share(without.moved_on, without.deals)
        row.interval_with = wilson(with_.moved_on, with_.deals)
        row.interval_without = wilson(without.moved_on, without.deals)
        row.difference = (row.rate_with or 0.0) - (row.rate_without or 0.0)
    row.days_with, row.days_without = compared.medians("stint_days")
    row.cycle_with, row.cycle_without = compared.medians("win_days")
    return row


def content_rows(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """Per stage that deals reached in the period, the comparison; those with enough deals
    on both sides first."""
    compared = [c for c in compare_by_content(filters) if c.with_.deals or c.without.deals]
    rows = [_content_row(c) for c in compared]
    shown = list(listed(rows, sort, 1, max(1, len(rows))).items)
    shown.sort(key=lambda row: not row.enough)  # stable: the chosen order within each group
    start = (page - 1) * per_page
    return Page(shown[start : start + per_page], page, per_page, len(shown))


# ---- the report ----------------------------------------------------------------------------

EMPTY = "No deal entered a stage, left one or was won in this period."
TIMES_NOTE = (
    "Time in a stage runs while the deal is open at that stage: from the change that put "
    "it there to the next change of its stage or status. A stint counts in the period in "
    "which it ended; stints still running are not in the quartiles but counted apart as "
    "“in the stage now”, with their median days so far. Quartiles by nearest rank; the "
    "median of an even number is the mean of the two middle values. Deals that were "
    "already at a stage when Tandem began keeping stage history are counted as there now, "
    "but their time there is unknown and left out."
)


def _funnel_panel(filters: ReportFilters) -> dict:
    return {"funnel": stage_funnel(filters)}


def _headlines(filters: ReportFilters) -> list[Headline]:
    cycle = cycle_overall(filters)
    return [
        Headline("Stage entries", entries_count(filters)),
        Headline("Deals won", cycle.count),
        Headline("Median time to win", cycle.median, "days"),
    ]


def _remarks(filters: ReportFilters) -> list[str]:
    cycle = cycle_overall(filters)
    if not cycle.count or cycle.median is None:
        return []
    return [
        f"{cycle.count:,} deal{'' if cycle.count == 1 else 's'} won in the period took "
        f"{format_days(cycle.median)} from creation to the win at the median (quartiles "
        f"{format_days(cycle.low or 0)} and {format_days(cycle.high or 0)})."
    ]


POSITION = Sort("position", descending=False)
SPEC = ReportSpec(
    slug="deal-stages",
    position=10,
    title="Deal stages",
    summary="Where do deals stall: how many move from stage to stage, how long they sit, "
    "how long a win takes, and does the stage's content help?",
    tables={
        "funnel": Table(FUNNEL_COLUMNS, POSITION, funnel_rows, empty=EMPTY),
        "time": Table(TIME_COLUMNS, POSITION, time_rows, empty=EMPTY),
        "cycle": Table(CYCLE_COLUMNS, Sort("won"), cycle_rows, empty=EMPTY),
        "content": Table(CONTENT_COLUMNS, POSITION, content_rows, empty=EMPTY),
    },
    tab_labels={
        "funnel": "Funnel",
        "time": "Time in stage",
        "cycle": "Time to win",
        "content": "With the stage's content",
    },
    filters=("team",),
    headlines=_headlines,
    remarks=_remarks,
    panel=Panel("reports/_stage_funnel.html", _funnel_panel),
    notes=[
        "A deal reached a stage when it entered it, open, in the period (a new deal enters "
        "its first stage); it counts once per stage however often it came back. It moved "
        "on when it later went, open, to a stage further along the journey, or was won. "
        "The team filter keeps deals owned by that team.",
        TIMES_NOTE,
        "Time to win runs from the deal's creation in Tandem (or its first import from the "
        "CRM) to its first recorded win in the period.",
        "With the stage's content: deals that reached the stage and had content of that "
        "stage attached (whoever recorded it and whenever) against those that had not. "
        "Like content influence, this is an association, not proof of cause. Shares, "
        f"intervals and medians are shown only with at least {MIN_DEALS} deals (or "
        f"stints, or wins) on each side.",
    ],
)
