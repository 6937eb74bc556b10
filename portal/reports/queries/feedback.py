"""Field feedback in the reports: how much of each kind reps sent, at which buyer stage,
and how far marketing got with it.

Feedback counts in the period it was sent (``created_at``); its status and reply are the
ones it has now. The database counts per stage and kind in one GROUP BY; the few dozen
cells are laid out as rows here, so every buyer stage is listed, in journey order, even
when nothing was heard about it (unless nothing was heard at all), and feedback without
a stage gets a row of its own.

Filters: ``stage`` keeps that stage's feedback; ``team`` keeps feedback sent by that
department's people; ``owner`` and ``content_type`` keep feedback about an asset with that
owner or content type (so general feedback drops out when either is chosen).
"""

from types import SimpleNamespace

from sqlalchemy import Select, case, func, select

from content.library.models import Asset, Stage
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.pagination import Page
from portal.kernel.reporting import ReportFilters, Sort
from workflows.feedback.models import FEEDBACK_KINDS, FEEDBACK_STATUSES, FieldFeedback

F = FieldFeedback
NO_STAGE = "No stage given"


def _sent(filters: ReportFilters, *columns) -> Select:
    """``columns`` over the feedback sent in the period that the filters keep."""
    query = (
        select(*columns)
        .select_from(F)
        .where(F.created_at >= filters.period.start, F.created_at < filters.period.end)
    )
    if filters.stage_id is not None:
        query = query.where(F.stage_id == filters.stage_id)
    if filters.team:
        query = query.join(User, User.id == F.author_id).where(User.department == filters.team)
    if filters.owner_id is not None or filters.content_type_id is not None:
        query = query.join(Asset, Asset.id == F.asset_id)
        if filters.owner_id is not None:
            query = query.where(Asset.owner_id == filters.owner_id)
        if filters.content_type_id is not None:
            query = query.where(Asset.content_type_id == filters.content_type_id)
    return query


def counts_by_stage_and_kind(filters: ReportFilters) -> dict[tuple[int | None, str], int]:
    """(stage id or None, kind) -> how many were sent."""
    rows = db.session.execute(
        _sent(filters, F.stage_id, F.kind, func.count(F.id)).group_by(F.stage_id, F.kind)
    )
    return {(stage_id, kind): count for stage_id, kind, count in rows}


def _sorted(rows: list[SimpleNamespace], sort: Sort, order_key: str) -> list[SimpleNamespace]:
    """Rows in ``sort`` order; ties, and the label column, keep the natural order."""
    rows = sorted(rows, key=lambda row: getattr(row, order_key))
    if sort.key in {"stage", "kind"}:
        return list(reversed(rows)) if sort.descending else rows
    return sorted(rows, key=lambda row: getattr(row, sort.key) or 0, reverse=sort.descending)


def _page(rows: list, page: int, per_page: int) -> Page:
    start = (page - 1) * per_page
    return Page(rows[start : start + per_page], page, per_page, len(rows))


def feedback_by_stage(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One row per buyer stage (and one for feedback without a stage, when there is some):
    a count per kind and the total."""
    counts = counts_by_stage_and_kind(filters)
    if not counts:
        return _page([], page, per_page)  # the page's empty state, not a table of zeros
    stages = db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)).all()
    if filters.stage_id is not None:
        stages = [stage for stage in stages if stage.id == filters.stage_id]
    keys: list[tuple[int | None, str, str]] = [
        (stage.id, stage.name, stage.slug) for stage in stages
    ]
    if any(stage_id is None for stage_id, _ in counts):
        keys.append((None, NO_STAGE, ""))
    rows = []
    for position, (stage_id, name, slug) in enumerate(keys):
        per_kind = {kind: counts.get((stage_id, kind), 0) for kind in FEEDBACK_KINDS}
        rows.append(
            SimpleNamespace(
                position=position,
                stage_id=stage_id,
                stage_slug=slug,
                stage=name,
                **per_kind,
                total=sum(per_kind.values()),
            )
        )
    return _page(_sorted(rows, sort, "position"), page, per_page)


def feedback_by_kind(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One row per kind: how many were sent, how many are in each status now, and how
    many have a reply."""
    statuses = [
        func.coalesce(func.sum(case((F.status == status, 1), else_=0)), 0).label(status)
        for status in FEEDBACK_STATUSES
    ]
    replied = func.coalesce(func.sum(case((F.reply != "", 1), else_=0)), 0).label("replied")
    found = db.session.execute(
        _sent(filters, F.kind, func.count(F.id).label("total"), *statuses, replied).group_by(F.kind)
    ).all()
    by_kind = {row.kind: row._mapping for row in found}
    nothing_sent: dict[str, int] = {}
    rows = []
    for position, (kind, label) in enumerate(FEEDBACK_KINDS.items()):
        figures = by_kind.get(kind, nothing_sent)
        rows.append(
            SimpleNamespace(
                position=position,
                key=kind,
                kind=label,
                total=figures.get("total", 0),
                **{status: figures.get(status, 0) for status in FEEDBACK_STATUSES},
                replied=figures.get("replied", 0),
            )
        )
    return _page(_sorted(rows, sort, "position"), page, per_page)


def totals(filters: ReportFilters) -> dict[str, int]:
    """Feedback sent in the period, and how much of it is still new."""
    row = db.session.execute(
        _sent(
            filters,
            func.count(F.id),
            func.coalesce(func.sum(case((F.status == "new", 1), else_=0)), 0),
        )
    ).one()
    return {"sent": row[0] or 0, "new": row[1] or 0}
