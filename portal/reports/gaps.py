"""Report 4, unused and stale: live assets nobody used in the period, and live assets past
their review-by date."""

from portal.kernel.reporting import Column, Sort
from portal.reports.queries.gaps import gap_counts, stale_assets, unused_assets
from portal.reports.registry import ASSET_ID, ReportSpec, Table, counted

UNUSED_COLUMNS = [
    Column("title", "Asset", "text"),
    Column("owner", "Owner", "text"),
    Column("content_type", "Content type", "text"),
    Column("stages", "Stages", "text", sortable=False),
    Column("published_at", "Published", "time", help="When it was first published"),
    Column(
        "last_used",
        "Last used",
        "time",
        help="Latest download, share, buyer view or deal, at any time; empty if never",
    ),
    Column("last_viewed", "Last viewed", "time", help="Latest view, at any time"),
    Column("rating_average", "Rating", "rating", help="Current average of 1–5 stars"),
    Column("rating_count", "Ratings"),
]

STALE_COLUMNS = [
    Column("title", "Asset", "text"),
    Column("owner", "Owner", "text"),
    Column("review_by", "Review by", "date"),
    Column(
        "days_overdue",
        "Days overdue",
        help="Days from the review-by date to the period's last day (or today)",
    ),
    Column("views", "Views", help="Views in the period"),
    Column("uses", "Uses", help="Downloads, shares, buyer views and deals in the period"),
]


SPEC = ReportSpec(
    slug="unused-and-stale",
    position=4,
    title="Unused and stale",
    summary="Live assets nobody used in the period, and live assets past their review-by date.",
    tables={
        "unused": Table(
            UNUSED_COLUMNS,
            Sort("published_at", descending=False),
            unused_assets,
            empty="Every asset in the library during this period was used in it.",
            row_id=ASSET_ID,
        ),
        "stale": Table(
            STALE_COLUMNS,
            Sort("days_overdue"),
            stale_assets,
            empty="No live asset was past its review-by date on the period's last day.",
            row_id=ASSET_ID,
        ),
    },
    filters=("stage", "content_type", "owner"),
    headlines=counted(
        gap_counts, ("Live assets unused", "unused"), ("Past their review date", "stale")
    ),
    tab_labels={"unused": "Unused", "stale": "Past review date"},
    notes=[
        "An asset counts when reps can see it now and it was first published before "
        "the period ended. Unused means no view, download, share, buyer view or deal "
        "in the period, by anyone.",
        "Past review date is judged on the period's last day (today for a period "
        "that runs on), so the list of a past period shows what was overdue then.",
    ],
)
