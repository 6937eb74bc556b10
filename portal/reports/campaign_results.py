"""Report 10, campaign results: the campaigns that ran in the period side by side, each
with what it produced within its own dates."""

from flask import url_for

from portal.kernel.models import User
from portal.kernel.reporting import Column, ReportFilters, Sort
from portal.reports.queries.campaign_results import (
    CampaignRow,
    campaign_results,
    campaign_rows,
    campaign_totals,
)
from portal.reports.registry import Chart, Headline, ReportSpec, RowAction, Table

COLUMNS = [
    Column("campaign", "Campaign", "text"),
    Column("owner", "Owner", "text"),
    Column("starts_on", "Starts", "date"),
    Column("ends_on", "Ends", "date"),
    Column("assets", "Assets", help="Assets the brief links"),
    Column("readers", "Read by", help="Active reps who marked the brief read"),
    Column("reps_using", "Reps using", help="Active reps who used its assets in its dates"),
    Column("uses", "Uses", help="Downloads, share links, buyer opens and deals, in its dates"),
    Column("buyer_opens", "Buyer opens", help="Through share links and deal rooms"),
    Column("deals", "Deals", help="Deals any use of its assets in its dates named"),
    Column("won", "Won"),
    Column("lost", "Lost"),
    Column("open", "Open"),
    Column("won_cents", "Revenue won", "money"),
    Column("win_rate", "Win rate", "percent", help="Won of the won and lost deals"),
    Column("feedback", "Feedback", help="Field feedback about the campaign, at any time"),
]
TOP = 10


def _charts(filters: ReportFilters) -> list[Chart]:
    rows = sorted(campaign_rows(filters), key=lambda row: row.uses, reverse=True)[:TOP]
    if not any(row.uses or row.deals for row in rows):
        return []
    return [
        Chart(
            f"Use and deals won: top {len(rows)} campaigns by use",
            "bar",
            [row.campaign for row in rows],
            {"Uses": [row.uses for row in rows], "Deals won": [row.won for row in rows]},
        )
    ]


def _headlines(filters: ReportFilters) -> list[Headline]:
    totals = campaign_totals(filters)
    return [
        Headline("Campaigns", totals["campaigns"]),
        Headline("Deals that used their assets", totals["deals"]),
        Headline("Revenue won with them", totals["won_cents"], "money"),
    ]


def _open_campaign(user: User, row: CampaignRow) -> list[RowAction]:
    return [RowAction("Open", url_for("campaigns.show", campaign_id=row.campaign_id))]


SPEC = ReportSpec(
    slug="campaign-results",
    position=10,
    title="Campaign results",
    summary="What each campaign produced: use of its assets, deals and wins, buyer opens, "
    "readers and feedback.",
    tables={
        "": Table(
            COLUMNS,
            Sort("uses"),
            campaign_results,
            empty="No published campaign ran in this period.",
        )
    },
    filters=(),
    charts=_charts,
    headlines=_headlines,
    row_actions=_open_campaign,
    notes=[
        "Campaigns published and running at some time in the period. Each one's figures "
        "count its own dates, not the period's: the use of the assets its brief links "
        "(anything but a view), the deals that use named and how they stand now, buyers "
        "opening them through a share link or a deal room. A deal or a use that two "
        "campaigns share counts for each.",
    ],
)
