"""Report 7, ghost-writing: how posts moved from the ghost-writer to the rep and out, per
rep and per channel, and what was published where.

Every report reader sees the per-rep rows: they are counts and times of the workflow,
never a post's title, text or decline reason, which stay private to the rep, the
ghost-writer, marketing leaders and admins.
"""

from portal.kernel.reporting import Column, ReportFilters, Sort
from portal.reports.queries.ghostwriting import (
    drafted_by_status,
    posts_by_channel,
    posts_by_rep,
    published_by_rep,
    totals,
)
from portal.reports.registry import Chart, Headline, ReportSpec, Table
from workflows.posts.machine import STATUS_LABELS
from workflows.posts.models import CHANNELS

FIGURE_COLUMNS = [
    Column("drafted", "Drafted", help="Posts the ghost-writers started in the period"),
    Column("sent", "Sent", help="Posts first sent to the rep in the period"),
    Column("with_rep", "With the rep now", help="Of the posts sent, those waiting for the rep"),
    Column("approved", "Approved", help="Approved by the rep in the period"),
    Column("published", "Published", help="Marked published in the period"),
    Column("declined", "Declined", help="Declined by the rep in the period"),
    Column(
        "median_days",
        "Median days with the rep",
        "decimal",
        help="Of the posts sent that the rep has approved or declined, all rounds together",
    ),
    Column("average_rounds", "Rounds", "decimal", help="Average rounds of the posts sent"),
    Column(
        "rep_edit_share",
        "Rep edit share",
        "percent",
        help="Of all the words of the posts sent, the share the rep wrote",
    ),
]
PUBLISHED_COLUMNS = [
    Column("name", "Rep", "text"),
    *(Column(channel, label) for channel, label in CHANNELS.items()),
    Column("total", "All channels"),
]
EMPTY = "No post was drafted, sent, approved, published or declined in this period."


def _charts(filters: ReportFilters) -> list[Chart]:
    statuses = drafted_by_status(filters.period)
    charts = [
        Chart(
            "Posts drafted in the period, by status now",
            "bar",
            [STATUS_LABELS[status] for status in statuses],
            {"Posts": list(statuses.values())},
        )
    ]
    top = published_by_rep(filters, Sort("total"), 1, 10).items
    if top:
        charts.append(
            Chart(
                "Published per rep and channel",
                "bar",
                [row.name for row in top],
                {label: [getattr(row, key) for row in top] for key, label in CHANNELS.items()},
            )
        )
    return charts


def _headlines(filters: ReportFilters) -> list[Headline]:
    figures = totals(filters.period)
    median = figures["median_days"]
    return [
        Headline("Posts published", figures["published"]),
        Headline("Median time with the rep", median, "days"),
    ]


SPEC = ReportSpec(
    slug="ghost-writing",
    position=7,
    title="Ghost-writing",
    summary="Posts drafted for reps: how long reps take, how much they rewrite, and what "
    "was published where.",
    tables={
        "reps": Table(
            [Column("name", "Rep", "text"), *FIGURE_COLUMNS],
            Sort("published"),
            posts_by_rep,
            empty=EMPTY,
        ),
        "channels": Table(
            [Column("name", "Channel", "text"), *FIGURE_COLUMNS],
            Sort("published"),
            posts_by_channel,
            empty=EMPTY,
        ),
        "published": Table(
            PUBLISHED_COLUMNS,
            Sort("total"),
            published_by_rep,
            empty="No post was published in this period.",
        ),
    },
    filters=(),
    charts=_charts,
    headlines=_headlines,
    notes=[
        "Each count is the step taken in the period: a post drafted in March and "
        "published in April counts as drafted in March and published in April. "
        "“With the rep now”, the median days, the rounds and the edit share are about "
        "the posts first sent to the rep in the period; the median counts only those "
        "the rep has approved or declined since, whose time with the rep is final.",
        "The rep edit share is the share of the posts' current words that the rep "
        "wrote. Rows show figures only: posts themselves stay private to their rep, "
        "ghost-writer, marketing leaders and admins.",
    ],
    tab_labels={
        "reps": "By rep",
        "channels": "By channel",
        "published": "Published per rep and channel",
    },
)
