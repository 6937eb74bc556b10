"""Report 1, content usage: per asset, how it was used in the period."""

from content.usage.models import KIND_LABELS, UsageKind
from portal.kernel.reporting import Column, ReportFilters, Sort
from portal.reports.queries.content_usage import content_usage, top_assets, totals, usage_per_week
from portal.reports.registry import ASSET_ID, Chart, ReportSpec, Table, counted

COLUMNS = [
    Column("title", "Asset", "text"),
    Column("owner", "Owner", "text"),
    Column("views", "Views", help="Signed-in opens of the asset page (30-minute visits)"),
    Column("reps", "Unique reps", help="Reps who viewed, downloaded, shared or used it"),
    Column("downloads", "Downloads"),
    Column("shares", "Shares", help="Share links made for buyers"),
    Column("buyer_views", "Buyer views", help="Opens of those links by buyers (verified)"),
    Column("deals", "Deals used in", help="Recorded by reps or the CRM in the period"),
    Column("deals_won", "Won"),
    Column("deals_lost", "Lost"),
    Column("revenue", "Revenue won", "money", help="Amounts of the won deals it was used in"),
    Column("rating_average", "Rating", "rating", help="Current average of 1–5 stars"),
    Column("rating_count", "Ratings"),
    Column("last_used", "Last used", "time", help="Latest use other than a view"),
    Column(
        "engagement",
        "Engagement depth",
        "text",
        help="Per buyer visit of a deal room in the period, median time and pages read",
        sortable=False,
        missing="not measured",
    ),
]


def _charts(filters: ReportFilters) -> list[Chart]:
    weeks = filters.period.weeks()
    per_week = usage_per_week(filters)
    series = {KIND_LABELS[kind]: per_week[kind] for kind in KIND_LABELS if kind in per_week}
    top = top_assets(filters, UsageKind.USED_IN_DEAL, 10)
    charts = [
        Chart(
            "Usage per week",
            "line",
            [f"{day:%-d %b}" for day in weeks],
            series,
        )
    ]
    if top:
        charts.append(
            Chart(
                "Top 10 assets by deals used in",
                "bar",
                [row.title for row in top],
                {"Deals used in": [row.figure for row in top]},
            )
        )
    return charts


SPEC = ReportSpec(
    slug="content-usage",
    position=1,
    title="Content usage",
    summary="Which assets were used in the period, how, and in which deals.",
    tables={
        "": Table(
            COLUMNS,
            Sort("views"),
            content_usage,
            empty="No asset was viewed, downloaded, shared or used in a deal in this period.",
            row_id=ASSET_ID,
        )
    },
    charts=_charts,
    headlines=counted(
        totals,
        ("Assets used", "assets"),
        ("Buyer views", "buyer_view"),
        ("Deals used in", "used_in_deal"),
    ),
    notes=[
        "Views, downloads, shares and buyer views are verified: Tandem saw them. "
        "Deals used in are what reps and the CRM recorded; the Evidence report shows "
        "how much of it a buyer confirmed by opening a share link."
    ],
)
