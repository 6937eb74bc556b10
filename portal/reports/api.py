"""JSON API for reports: the rows of any report page, with the same arguments."""

from flask import Blueprint, request

from portal.kernel.api import require
from portal.kernel.models import User
from portal.kernel.reporting import parse_sort, portal_zone
from portal.kernel.schemas import operation
from portal.reports import catalogue
from portal.reports.schemas import Report, ReportPeriod, ReportQuery, ReportSort
from portal.reports.views import chosen_table, json_value, parse_filters, report_spec

bp = Blueprint("reports_api", __name__)


@bp.get("/reports/<slug>")
@operation(
    "The rows of a report, as its page shows them (leaders, marketers, admins)",
    answer="A page of rows",
    path={"slug": {"type": "string", "enum": catalogue.slugs()}},
    errors=(403,),
)
def report_json(slug: str, query: ReportQuery, user: User) -> Report:
    """The rows of a report page as JSON, with the same arguments."""
    require(user, "view_reports", refusal="Reports are for leaders, marketers and admins.")
    spec = report_spec(slug)
    filters = parse_filters(request.args, spec)
    tab, table = chosen_table(spec, request.args)
    sort = parse_sort(request.args, table.columns, table.default_sort)
    page, per_page = query.pages()
    rows = table.rows(filters, sort, page, per_page)
    return Report(
        report=spec.slug,
        table=tab or None,
        period=ReportPeriod(
            first=filters.period.first, last=filters.period.last, time_zone=portal_zone().key
        ),
        filters=filters.chosen,
        sort=ReportSort(key=sort.key, dir="desc" if sort.descending else "asc"),
        items=[
            {column.key: json_value(column, getattr(row, column.key)) for column in table.exported}
            for row in rows.items
        ],
        page=rows.page,
        per_page=rows.per_page,
        total=rows.total,
    )
