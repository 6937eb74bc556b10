"""Searches that found nothing, in the reports: per buyer stage, and without one.

A search is counted for a stage when the searcher chose that stage's filter; a search
without a stage filter belongs to no stage (it asked every stage at once), so the reports
count it apart. A stage slug renamed since the search matches no stage any more.
"""

from sqlalchemy import Select, func, select
from sqlalchemy.sql import Subquery

from content.library.models import Stage
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.reporting import ReportFilters
from search.models import SearchMiss

M = SearchMiss


def _misses_in(filters: ReportFilters) -> Select:
    """The period's searches that found nothing; the team filter keeps those made by
    that department's people."""
    period = filters.period
    query = select().select_from(M).where(M.created_at >= period.start, M.created_at < period.end)
    if filters.team:
        query = query.join(User, User.id == M.user_id).where(User.department == filters.team)
    return query


def misses_per_stage(filters: ReportFilters) -> Subquery:
    """``stage_id`` and ``misses``, for the stage-coverage report."""
    return (
        _misses_in(filters)
        .join(Stage, Stage.slug == M.stage_slug)
        .add_columns(Stage.id.label("stage_id"), func.count(M.id).label("misses"))
        .group_by(Stage.id)
        .subquery("misses")
    )


def misses_without_stage(filters: ReportFilters) -> int:
    """The period's searches that found nothing and chose no stage."""
    query = _misses_in(filters).where(M.stage_slug == "").add_columns(func.count(M.id))
    return db.session.scalar(query) or 0


def misses_total(filters: ReportFilters) -> int:
    """Every search of the period that found nothing, with a stage filter or without."""
    return db.session.scalar(_misses_in(filters).add_columns(func.count(M.id))) or 0
