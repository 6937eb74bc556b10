"""Report 9, search gaps: what people searched for and did not find, or found and never
opened, so marketing sees the content that is missing, with an action that turns a query
into a content request or a draft."""

from flask import url_for

from portal.kernel.models import User
from portal.kernel.permissions import can
from portal.kernel.reporting import Column, ReportFilters, Sort
from portal.reports.queries.search_gaps import GapRow, gaps_total, search_gaps
from portal.reports.registry import Headline, ReportSpec, RowAction, Table

COLUMNS = [
    Column("query", "Query", "text", help="Lowercased, with spaces folded"),
    Column("searches", "Searches", help="Times it was searched for in the period"),
    Column("found_nothing", "Found nothing", help="Of those, searches with no result at all"),
    Column("searchers", "Searchers", help="Different people who searched for it"),
    Column("last_seen", "Last searched", "time"),
    Column("roles", "Roles", "text", sortable=False),
    Column(
        "stages",
        "Stages",
        "text",
        sortable=False,
        help="The stage filter chosen, or else the stages of the searcher's open deals",
    ),
]


def _actions(user: User, row: GapRow) -> list[RowAction]:
    """Turn the query into a content request or a draft, for those who may."""
    actions = []
    if can(user, "submit_request"):
        actions.append(
            RowAction("Create a content request", url_for("requests.create", need=row.query))
        )
    if can(user, "create_asset"):
        actions.append(RowAction("Start a draft", url_for("content.create", title=row.query)))
    return actions


def _headlines(filters: ReportFilters) -> list[Headline]:
    return [Headline("Unanswered queries", gaps_total(filters))]


SPEC = ReportSpec(
    slug="search-gaps",
    position=9,
    title="Search gaps",
    summary="What people searched for and found nothing, or never opened a result of.",
    tables={
        "": Table(
            COLUMNS,
            Sort("searches"),
            search_gaps,
            empty="Every search of this period found something that was opened.",
        )
    },
    filters=("stage", "team"),
    headlines=_headlines,
    row_actions=_actions,
    notes=[
        "Searches made on the search page, grouped by their text lowercased with spaces "
        "folded. A query is listed when none of its results was opened since the "
        "period began; searches through the API are not counted.",
        "A search belongs to the stage its searcher chose or, without a stage filter, "
        "to the stages of the deals the searcher has open. Team keeps the searches of "
        "that department's people.",
    ],
)
