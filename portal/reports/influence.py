"""Report 2, content influence: per asset, the win rate of the period's closed deals that
used it against that of the closed deals that did not, with 95 % intervals."""

from portal.kernel.reporting import Column, ReportFilters, Sort, share
from portal.reports.queries.influence import (
    MIN_DEALS,
    assets_with_enough_data,
    closed_deals,
    influence,
)
from portal.reports.registry import ASSET_ID, Chart, Headline, ReportSpec, Table

NO_RATE = "not enough data"  # in the rate cells of assets below the minimum sample


def _side_columns(side: str, deals_help: str) -> list[Column]:
    """The four columns of one side of the comparison: the closed deals that used the
    asset ("with") or did not ("without"), and their win rate."""
    return [
        Column(f"deals_{side}", f"Deals {side} it", help=deals_help),
        Column(f"won_{side}", f"Won {side} it"),
        Column(f"rate_{side}", f"Win rate {side} it", "percent", missing=NO_RATE),
        Column(
            f"interval_{side}",
            f"95 % interval {side} it",
            "interval",
            help=f"Wilson score interval of the win rate {side} it",
            sortable=False,
            missing=NO_RATE,
        ),
    ]


COLUMNS = [
    Column("title", "Asset", "text"),
    Column("owner", "Owner", "text"),
    *_side_columns("with", "Closed deals of the period it is attached to"),
    *_side_columns("without", "The period's other closed deals"),
    Column(
        "difference",
        "Difference",
        "points",
        help="Win rate with it minus win rate without it, in percentage points",
        missing=NO_RATE,
    ),
    Column("status", "Data", "text", sortable=False),
]
TOP = 10


def _charts(filters: ReportFilters) -> list[Chart]:
    """Win rates with and without, for the assets with enough data used in most deals."""
    top = [row for row in influence(filters, Sort("deals_with"), 1, TOP).items if row.enough]
    if not top:
        return []
    return [
        Chart(
            f"Win rate with and without: top {len(top)} assets by deals with them (%)",
            "bar",
            [row.title for row in top],
            {
                "With it": [round(row.rate_with * 100, 1) for row in top],
                "Without it": [round(row.rate_without * 100, 1) for row in top],
            },
        )
    ]


def _headlines(filters: ReportFilters) -> list[Headline]:
    totals = closed_deals(filters)
    return [
        Headline("Closed deals", totals.closed),
        Headline("Win rate", share(totals.won, totals.closed), "percent"),
        Headline("Assets with enough data", assets_with_enough_data(filters, totals)),
    ]


SPEC = ReportSpec(
    slug="influence",
    position=2,
    title="Content influence",
    summary="Did deals that used an asset win more often than the deals that did not?",
    tables={
        "": Table(
            COLUMNS,
            Sort("difference"),
            influence,
            empty="No closed deal of this period had content attached.",
            row_id=ASSET_ID,
        )
    },
    charts=_charts,
    headlines=_headlines,
    notes=[
        "This is an association, not proof of cause: deals that used an asset may "
        "differ in size, stage, rep or timing from those that did not, and a strong "
        "asset may simply be sent to deals that were going well.",
        "Closed deals are the won and lost deals whose close date falls in the period "
        "(the team filter keeps deals owned by that team). A deal used an asset when "
        "the asset is attached to it, whoever recorded it and whenever. Assets are "
        f"compared only with at least {MIN_DEALS} closed deals with them and "
        f"{MIN_DEALS} without; the others are listed last, without rates.",
    ],
)
