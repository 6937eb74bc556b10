"""The audit log of workflow transitions: a page for admins and its CSV export."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, Response, flash, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from content.library.models import AssetRevision
from portal.kernel.csv_export import csv_response
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.pagination import paginate, requested_page
from portal.kernel.permissions import require, rule
from portal.kernel.templating import template_global
from workflows.audit.models import WorkflowEvent
from workflows.posts.machine import POST
from workflows.posts.models import GhostPostRevision
from workflows.requests.services import REQUEST
from workflows.review.machine import ASSET

bp = Blueprint("audit", __name__, url_prefix="/admin")
CSV_COLUMNS = (
    "time_utc", "subject_type", "subject_id", "subject_title", "revision", "actor_email",
    "actor_name", "action", "from_state", "to_state", "comment",
)  # fmt: skip


@rule("view_audit_log")
def _view_audit_log(user: User, _obj) -> bool:
    return user.is_admin


def _day(raw: str | None, name: str, errors: dict) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = f"Give the {name} date as YYYY-MM-DD."
        return None


def audit_query(since: date | None, until: date | None, action: str | None):
    """Events oldest first within whole UTC days ``since``..``until`` (both included)."""
    query = select(WorkflowEvent).order_by(WorkflowEvent.created_at, WorkflowEvent.id)
    if since:
        query = query.where(WorkflowEvent.created_at >= datetime.combine(since, time(), UTC))
    if until:
        end = datetime.combine(until + timedelta(days=1), time(), UTC)
        query = query.where(WorkflowEvent.created_at < end)
    if action:
        query = query.where(WorkflowEvent.action == action)
    return query


# Subjects whose revisions have titles: (revision model, its column naming the subject).
_REVISIONS: dict[
    str, tuple[type[AssetRevision] | type[GhostPostRevision], InstrumentedAttribute[int]]
] = {
    "asset": (AssetRevision, AssetRevision.asset_id),
    "post": (GhostPostRevision, GhostPostRevision.post_id),
}
# Where each kind of subject is shown, and what it is called without a title.
_SUBJECT_PAGES = {
    "asset": ("content.show", "asset_id", "Asset"),
    "post": ("posts.show", "post_id", "Post"),
    "content_request": ("requests.show", "request_id", "Content request"),
}


def _titles(events: Sequence[WorkflowEvent]) -> dict[tuple[str, int, int | None], str]:
    """(subject type, id, revision number) → the title that revision had."""
    titles: dict[tuple[str, int, int | None], str] = {}
    for subject_type, (model, subject_column) in _REVISIONS.items():
        keys = {(e.subject_id, e.revision_number) for e in events if e.subject_type == subject_type}
        if not keys:
            continue
        rows = db.session.execute(
            select(subject_column, model.number, model.title).where(
                subject_column.in_({subject_id for subject_id, _n in keys})
            )
        )
        titles.update({(subject_type, s, n): title for s, n, title in rows if (s, n) in keys})
    return titles


@template_global
def audit_subject(event: WorkflowEvent, titles: dict) -> tuple[str, str]:
    """(link, label) of the subject an audit event is about."""
    endpoint, argument, noun = _SUBJECT_PAGES.get(event.subject_type, _SUBJECT_PAGES["asset"])
    key = (event.subject_type, event.subject_id, event.revision_number)
    label = titles.get(key) or f"{noun} {event.subject_id}"
    # url_for's keyword-only options (_anchor, _external…) are typed, so mypy checks an
    # unpacked dict against them although ``argument`` is never one of them.
    return url_for(endpoint, **{argument: event.subject_id}), label  # type: ignore[arg-type]


@bp.get("/audit")
@login_required
def index():
    require("view_audit_log", status=404)
    errors: dict = {}
    since = _day(request.args.get("from"), "from", errors)
    until = _day(request.args.get("to"), "to", errors)
    actions = sorted({action for machine in (ASSET, POST, REQUEST) for _, action in machine.table})
    action = request.args.get("action") or None
    if action and action not in actions:
        errors["action"] = "Choose one of the listed actions."
    if since and until and since > until:
        errors["to"] = "The end date is before the start date."
    for message in errors.values():
        flash(message, "error")
    if errors:
        since = until = action = None
    query = audit_query(since, until, action)
    if request.args.get("format") == "csv":
        return _csv(list(db.session.scalars(query)))
    page, per_page = requested_page()
    listed = paginate(query, page, per_page)
    return render_template(
        "workflows/audit.html",
        page=listed,
        titles=_titles(listed.items),
        actions=actions,
        chosen={"from": since, "to": until, "action": action},
    )


def _csv(events: list[WorkflowEvent]) -> Response:
    titles = _titles(events)
    rows = (
        [
            e.created_at.astimezone(UTC).isoformat(timespec="seconds"),
            e.subject_type,
            e.subject_id,
            titles.get((e.subject_type, e.subject_id, e.revision_number), ""),
            e.revision_number or "",
            e.actor.email,
            e.actor.name,
            e.action,
            e.from_state,
            e.to_state,
            e.comment,
        ]
        for e in events
    )
    return csv_response("tandem-audit-log.csv", CSV_COLUMNS, rows)
