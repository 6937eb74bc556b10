"""Report 8, field feedback: what reps heard from customers in the period, counted by kind
and buyer stage, and how far marketing got with it (status now, replies)."""

from portal.kernel.pagination import MAX_PER_PAGE
from portal.kernel.reporting import Column, ReportFilters, Sort
from portal.reports.queries.feedback import feedback_by_kind, feedback_by_stage, totals
from portal.reports.registry import Chart, ReportSpec, Table, counted
from workflows.feedback.models import FEEDBACK_KINDS, FEEDBACK_STATUSES

STAGE_COLUMNS = [
    Column("stage", "Stage", "text", help="Sorted in buyer-journey order"),
    *(Column(kind, label) for kind, label in FEEDBACK_KINDS.items()),
    Column("total", "All kinds"),
]
KIND_COLUMNS = [
    Column("kind", "Kind", "text"),
    Column("total", "Sent", help="Feedback of this kind sent in the period"),
    *(
        Column(status, label, help="Of those, in this status now")
        for status, label in FEEDBACK_STATUSES.items()
    ),
    Column("replied", "Replied", help="Of those, with a reply from marketing"),
]
EMPTY = "No field feedback was sent in this period."


def _charts(filters: ReportFilters) -> list[Chart]:
    stages = feedback_by_stage(filters, Sort("stage", descending=False), 1, MAX_PER_PAGE).items
    if not any(row.total for row in stages):
        return []
    return [
        Chart(
            "Feedback per stage, by kind",
            "bar",
            [row.stage for row in stages],
            {
                label: [getattr(row, kind) for row in stages]
                for kind, label in FEEDBACK_KINDS.items()
            },
        )
    ]


SPEC = ReportSpec(
    slug="field-feedback",
    position=8,
    title="Field feedback",
    summary="What reps heard from customers: objections, questions, competitors, wins, "
    "losses and content gaps, by buyer stage, and how marketing answered.",
    tables={
        "stages": Table(STAGE_COLUMNS, Sort("stage", descending=False), feedback_by_stage, EMPTY),
        "kinds": Table(KIND_COLUMNS, Sort("kind", descending=False), feedback_by_kind, EMPTY),
    },
    filters=("stage", "content_type", "owner", "team"),
    charts=_charts,
    headlines=counted(totals, ("Field feedback sent", "sent"), ("Still new", "new")),
    notes=[
        "Feedback counts in the period it was sent; its status and reply are the ones "
        "it has now. Every buyer stage is listed, also when nothing was heard about it.",
        "Team keeps the feedback sent by that department's people. Content type and "
        "owner keep feedback about an asset of that type or owner, so general feedback "
        "is left out when either is chosen.",
    ],
    tab_labels={"stages": "By stage", "kinds": "By kind"},
)
