"""Searches that found nothing, in the reports: per buyer stage, and without one.

A search is counted for a stage when the searcher chose that stage's filter. A search
without a stage filter counts for the stages of the deals its searcher has open (now):
that is the call they were preparing for. One with neither belongs to no stage, and the
reports count it apart. A stage slug renamed since the search matches no stage any more.
"""

from sqlalchemy import Select, func, select
from sqlalchemy.sql import Subquery

from content.deals.models import Deal, DealStatus
from content.library.models import Persona, Stage
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
    if filters.team is not None:
        query = query.join(User, User.id == M.user_id).where(User.department == filters.team)
    return query


def open_deal_stages() -> Select:
    """``user_id`` and ``stage_id`` of every open deal's owner and stage."""
    return (
        select(Deal.owner_id.label("user_id"), Deal.stage_id.label("stage_id"))
        .where(Deal.status == DealStatus.OPEN, Deal.stage_id.is_not(None))
        .distinct()
    )


def miss_stages(filters: ReportFilters) -> Subquery:
    """``miss_id``, ``stage_id`` and ``persona_id`` (the persona filter chosen, or null):
    each of the period's misses once per stage it counts for."""
    persona = select(Persona.id).where(Persona.slug == M.persona_slug).scalar_subquery()
    chosen = (
        _misses_in(filters)
        .join(Stage, Stage.slug == M.stage_slug)
        .add_columns(M.id.label("miss_id"), Stage.id.label("stage_id"), persona.label("persona_id"))
    )
    deals = open_deal_stages().subquery()
    from_deals = (
        _misses_in(filters)
        .join(deals, deals.c.user_id == M.user_id)
        .where(M.stage_slug == "")
        .add_columns(M.id, deals.c.stage_id, persona)
    )
    return chosen.union(from_deals).subquery("miss_stages")


def misses_per_stage(filters: ReportFilters) -> Subquery:
    """``stage_id`` and ``misses``, for the stage-coverage report."""
    pairs = miss_stages(filters)
    return (
        select(pairs.c.stage_id, func.count(pairs.c.miss_id).label("misses"))
        .group_by(pairs.c.stage_id)
        .subquery("misses")
    )


def misses_without_stage(filters: ReportFilters) -> int:
    """The period's searches that found nothing, chose no stage and were made by someone
    with no open deal in any stage."""
    in_deal = select(Deal.id).where(
        Deal.owner_id == M.user_id, Deal.status == DealStatus.OPEN, Deal.stage_id.is_not(None)
    )
    query = _misses_in(filters).where(M.stage_slug == "", ~in_deal.exists())
    return db.session.scalar(query.add_columns(func.count(M.id))) or 0


def misses_total(filters: ReportFilters) -> int:
    """Every search of the period that found nothing, with a stage filter or without."""
    return db.session.scalar(_misses_in(filters).add_columns(func.count(M.id))) or 0
