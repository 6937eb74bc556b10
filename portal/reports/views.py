"""The reports' pages, their CSV downloads and the cells of their JSON (served by
``portal.reports.api``).

Every report page takes the same arguments: ``from`` and ``to`` (whole days in the
portal's time zone), the filters its spec uses (``stage``, ``content_type`` slugs,
``owner`` an email, ``team``), ``list`` for reports with several tables, ``sort`` and
``dir``, ``page`` and ``per_page``. ``format=csv`` returns exactly the rows shown.
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import Blueprint, flash, render_template, request
from flask_login import login_required
from markupsafe import Markup
from sqlalchemy import exists, select

from content.library.models import Asset, ContentType, Stage
from portal.kernel.csv_export import csv_response
from portal.kernel.errors import NotFound, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User, normalize_email
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import require
from portal.kernel.reporting import (
    TEAMS,
    Column,
    ReportFilters,
    default_period,
    local_today,
    parse_period,
    parse_sort,
    portal_zone,
)
from portal.kernel.templating import template_global, url_with
from portal.reports.queries.consumption import consumption_headline
from portal.reports.registry import REPORTS, ReportSpec, Table, in_order

bp = Blueprint("reports", __name__)


_TERM_FILTERS: tuple[tuple[str, type[Stage] | type[ContentType], str], ...] = (
    ("stage", Stage, "stage_id"),
    ("content_type", ContentType, "content_type_id"),
)


def parse_filters(args, spec: ReportSpec | None = None) -> ReportFilters:
    """The period and the filters ``spec`` uses, resolved to ids; anything not understood
    is a ValidationFailed naming every bad argument."""
    errors = {}
    try:
        filters = ReportFilters(parse_period(args))
    except ValidationFailed as error:
        errors.update(error.fields)
        filters = ReportFilters(default_period())
    used = spec.filters if spec else ()
    for name, model, field in _TERM_FILTERS:
        slug = (args.get(name) or "").strip()[:60]
        if name in used and slug:
            term_id = db.session.scalar(select(model.id).where(model.slug == slug))
            if term_id is None:
                errors[name] = f"There is no {name.replace('_', ' ')} called “{slug}”."
            else:
                setattr(filters, field, term_id)
                filters.chosen[name] = slug
    owner = (args.get("owner") or "").strip()[:254]
    if "owner" in used and owner:
        person = db.session.scalar(select(User).where(User.email == normalize_email(owner)))
        if person is None:
            errors["owner"] = f"Nobody has the email “{owner}”."
        else:
            filters.owner_id, filters.chosen["owner"] = person.id, person.email
    team = (args.get("team") or "").strip()
    if "team" in used and team:
        if team not in TEAMS:
            errors["team"] = "The team is sales or marketing."
        else:
            filters.team = filters.chosen["team"] = team
    if errors:
        raise ValidationFailed("Some report settings were not understood.", errors)
    return filters


@template_global
def period_link(days: int) -> str:
    """This page for the last ``days`` days up to today, other settings kept."""
    last = local_today()
    first = last - timedelta(days=days - 1)
    return url_with(**{"from": first.isoformat(), "to": last.isoformat()}, page=None, format=None)


def report_spec(slug: str) -> ReportSpec:
    spec = REPORTS.get(slug)
    if spec is None:
        raise NotFound("No such report.")
    return spec


def chosen_table(spec: ReportSpec, args) -> tuple[str, Table]:
    name = args.get("list") if args.get("list") in spec.tables else next(iter(spec.tables))
    return name, spec.tables[name]


def _require_reader() -> None:
    require("view_reports", status=404)


@bp.get("/reports")
@login_required
def dashboard():
    _require_reader()
    try:
        filters = parse_filters(request.args)
    except ValidationFailed as error:
        _flash(error)
        filters = ReportFilters(default_period())
    cards = [(spec, spec.headlines(filters)) for spec in in_order()]
    return render_template(
        "reports/dashboard.html",
        cards=cards,
        filters=filters,
        consumption=consumption_headline(filters),
    )


def _flash(error: ValidationFailed) -> None:
    for message in error.fields.values():
        flash(message, "error")


@bp.get("/reports/<slug>")
@login_required
def show(slug: str):
    _require_reader()
    spec = report_spec(slug)
    try:
        filters = parse_filters(request.args, spec)
    except ValidationFailed as error:
        _flash(error)
        filters = ReportFilters(default_period())
    tab, table = chosen_table(spec, request.args)
    sort = parse_sort(request.args, table.columns, table.default_sort)
    page, per_page = requested_page()
    rows = table.rows(filters, sort, page, per_page)
    if request.args.get("format") == "csv":
        return _csv(spec, tab, table, rows.items)
    return render_template(
        "reports/report.html",
        spec=spec,
        tab=tab,
        table=table,
        filters=filters,
        sort=sort,
        page=rows,
        charts=spec.charts(filters),
        remarks=spec.remarks(filters),
        panel=_panel(spec, tab, filters),
        stages=_terms(Stage, Stage.position, Stage.id) if "stage" in spec.filters else [],
        content_types=(
            _terms(ContentType, ContentType.name) if "content_type" in spec.filters else []
        ),
        owners=_asset_owners() if "owner" in spec.filters else [],
        time_zone=portal_zone().key,
    )


def _panel(spec: ReportSpec, tab: str, filters: ReportFilters) -> Markup:
    """The report's panel, rendered, when the page shows its tab."""
    panel = spec.panel
    if panel is None or tab != (panel.tab if panel.tab is not None else next(iter(spec.tables))):
        return Markup("")
    return Markup(render_template(panel.template, **panel.load(filters)))  # noqa: S704


def _terms(model: type[Stage] | type[ContentType], *order) -> Sequence:
    """A taxonomy's terms for the filter bar, in the library's order: the page reads only
    the taxonomies its filters use."""
    return db.session.scalars(select(model).order_by(*order)).all()


def _asset_owners() -> Sequence[User]:
    """The people who own assets, for the owner filter: one lookup per person in the
    index of owners, rather than reading every asset's owner."""
    owns = exists().where(Asset.owner_id == User.id)
    return db.session.scalars(select(User).where(owns).order_by(User.name)).all()


# ---- CSV and JSON ------------------------------------------------------------------------


def cell(column: Column, value) -> list:
    """A figure as CSV cells: money in the currency's units, shares (and differences of
    shares) as fractions, an interval as its two ends."""
    if column.kind == "interval":
        low, high = value if value else (None, None)
        return [_round(low), _round(high)]
    if value is None:
        return [""]
    if column.kind == "money":
        return [str(Decimal(value) / 100)]
    if column.kind in {"percent", "points", "rating", "decimal"}:
        return [_round(value)]
    if isinstance(value, datetime):
        return [value.astimezone(portal_zone()).isoformat(timespec="minutes")]
    if isinstance(value, date):
        return [value.isoformat()]
    return [value]


def _round(value):
    return "" if value is None else round(value, 4)


def _header(columns: list[Column]) -> list[str]:
    header = []
    for column in columns:
        if column.kind == "interval":
            header += [f"{column.label} (low)", f"{column.label} (high)"]
        else:
            header.append(column.label)
    return header


def _csv(spec: ReportSpec, tab: str, table: Table, rows: Sequence):
    columns = table.exported
    rows_out = (
        [part for column in columns for part in cell(column, getattr(row, column.key))]
        for row in rows
    )
    name = f"tandem-{spec.slug}{'-' + tab if tab else ''}.csv"
    return csv_response(name, _header(columns), rows_out)


def json_value(column: Column, value):
    if value is None:
        return None
    if column.kind == "money":
        whole, cents = divmod(value, 100)
        return whole if not cents else float(Decimal(value) / 100)
    if column.kind == "interval":
        return list(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
