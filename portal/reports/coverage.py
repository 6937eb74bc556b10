"""Report 5, stage coverage: for each buyer stage, its live content, its share of the
period's usage and its rating, beside the content requests still open for it and the
searches for it that found nothing, so gaps in the buyer journey stand out.

Content counts the assets, usage and ratings; workflows the requests; search the
searches. This module joins them.
"""

from sqlalchemy.sql import Subquery

from portal.kernel.pagination import MAX_PER_PAGE, Page
from portal.kernel.reporting import Column, ReportFilters, Sort
from portal.reports.queries.coverage import stage_coverage, stages_without_assets
from portal.reports.queries.coverage_grid import coverage_grid
from portal.reports.queries.requests import open_requests_per_stage, open_requests_total
from portal.reports.queries.searches import misses_per_stage, misses_total, misses_without_stage
from portal.reports.registry import Chart, Headline, ReportSpec, Table

COLUMNS = [
    Column("stage", "Stage", "text", help="Sorted in buyer-journey order"),
    Column("assets", "Live assets", help="Live assets of the stage published by the period's end"),
    Column("events", "Usage", help="Usage events of the stage's assets in the period"),
    Column(
        "usage_share",
        "Share of usage",
        "percent",
        help="Of all the usage events in the period that the filters keep",
    ),
    Column("rating_average", "Rating", "rating", help="Average of the stars its live assets got"),
    Column("rating_count", "Ratings"),
    Column(
        "open_requests", "Open requests", help="Content requests for the stage still unfinished"
    ),
    Column(
        "misses",
        "Searches that found nothing",
        help="In the period, with this stage chosen, or with none by someone with an open "
        "deal in it",
    ),
]

GRID_COLUMNS = [
    Column("stage", "Stage", "text", help="Sorted in buyer-journey order"),
    Column("persona", "Persona", "text"),
    Column("assets", "Live assets", help="Live assets made for both the stage and the persona"),
    Column("open_requests", "Open requests", help="Unfinished requests naming both"),
    Column(
        "misses",
        "Searches that found nothing",
        help="For the stage (as in the first tab) with the persona filter chosen",
    ),
]


def coverage(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    return stage_coverage(filters, sort, page, per_page, _per_stage)


def _per_stage(filters: ReportFilters) -> dict[str, Subquery]:
    """The open requests and the searches that found nothing, per stage."""
    return {
        "open_requests": open_requests_per_stage(filters),
        "misses": misses_per_stage(filters),
    }


def _charts(filters: ReportFilters) -> list[Chart]:
    stages = coverage(filters, Sort("stage", descending=False), 1, MAX_PER_PAGE).items
    if not stages:
        return []
    labels = [row.stage for row in stages]
    return [
        Chart(
            "Content and demand per stage",
            "bar",
            labels,
            {
                "Live assets": [row.assets for row in stages],
                "Open requests": [row.open_requests for row in stages],
                "Searches that found nothing": [row.misses for row in stages],
            },
        ),
        Chart(
            "Share of usage per stage (%)",
            "bar",
            labels,
            {"Share of usage": [round((row.usage_share or 0) * 100, 1) for row in stages]},
        ),
    ]


def _remarks(filters: ReportFilters) -> list[str]:
    count = misses_without_stage(filters)
    searches = "search" if count == 1 else "searches"
    return [
        f"Besides these, {count:,} {searches} found nothing without a stage chosen, by "
        "people with no open deal."
    ]


def _headlines(filters: ReportFilters) -> list[Headline]:
    return [
        Headline("Stages with no live assets", stages_without_assets(filters)),
        Headline("Open content requests", open_requests_total(filters)),
        Headline("Searches that found nothing", misses_total(filters)),
    ]


SPEC = ReportSpec(
    slug="stage-coverage",
    position=5,
    title="Stage coverage",
    summary="For each buyer stage: live content, its share of usage and rating, open "
    "content requests and searches that found nothing.",
    tables={
        "": Table(
            COLUMNS,
            Sort("stage", descending=False),
            coverage,
            empty="No content was live, used, asked for or searched for in this period.",
        ),
        "grid": Table(
            GRID_COLUMNS,
            Sort("stage", descending=False),
            coverage_grid,
            empty="No content was live, asked for or searched for in this period.",
        ),
    },
    tab_labels={"": "Per stage", "grid": "Stage × persona"},
    filters=("content_type", "owner", "team"),
    charts=_charts,
    headlines=_headlines,
    remarks=_remarks,
    notes=[
        "An asset in two stages counts in both, so the shares of usage can add up to "
        "more than 100 %. Live assets are those reps can see now that were published "
        "before the period ended; the rating averages every rating they have.",
        "Open requests are content requests for the stage asked by the period's last "
        "day that are still open or accepted now. Searches that found nothing count "
        "those made in the period with the stage's filter chosen and, without a stage "
        "filter, count for the stages of the searcher's open deals.",
        "The stage × persona grid counts live assets made for both, requests naming "
        'both, and misses with the persona filter chosen; "No persona" holds the '
        "rest.",
        "Content type and owner narrow the assets; team keeps the usage, ratings, "
        "requests and searches of that department's people.",
    ],
)
