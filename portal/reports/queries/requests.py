"""Content requests in the reports: how many requests still wait for content, per stage.

A request is open at the end of a period when it was asked on or before the period's
last day and is still unfinished (open, or accepted and not yet fulfilled). Tandem counts
each request's status now, not the one it had on that day: a request fulfilled since no
longer counts for any period.
"""

from sqlalchemy import Select, func, select
from sqlalchemy.sql import Subquery

from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.reporting import ReportFilters
from workflows.requests.models import UNFINISHED, ContentRequest

R = ContentRequest


def open_at_end(filters: ReportFilters) -> Select:
    """The unfinished requests asked by the end of the period; the team filter keeps
    those asked by that department's people."""
    query = (
        select().select_from(R).where(R.status.in_(UNFINISHED), R.created_at < filters.period.end)
    )
    if filters.team is not None:
        query = query.join(User, User.id == R.requester_id).where(User.department == filters.team)
    return query


def open_requests_per_stage(filters: ReportFilters) -> Subquery:
    """``stage_id`` and ``open_requests``, for the stage-coverage report."""
    return (
        open_at_end(filters)
        .add_columns(R.stage_id.label("stage_id"), func.count(R.id).label("open_requests"))
        .where(R.stage_id.is_not(None))
        .group_by(R.stage_id)
        .subquery("open_requests")
    )


def open_requests_total(filters: ReportFilters) -> int:
    """Every request open at the end of the period, with a stage or without."""
    return db.session.scalar(open_at_end(filters).add_columns(func.count(R.id))) or 0
