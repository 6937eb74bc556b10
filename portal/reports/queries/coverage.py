"""The stage-coverage report: for each buyer stage, how much live content it has, how much
of the period's usage went to it and how its content is rated, beside figures that other
packages count per stage (open content requests, searches that found nothing), so gaps in
the buyer journey stand out.

Content knows nothing of requests or searches: the caller passes such figures as
subqueries with a ``stage_id`` column and one named after the figure, and they are joined,
sorted and paged here with the rest in one query.

An asset in two stages counts in both, so the stages' shares of usage may add up to more
than 100 %. The team filter keeps the activity of that department's people (their usage
and ratings); the assets themselves are counted whoever uses them.
"""

from collections.abc import Callable
from datetime import date
from types import SimpleNamespace

from sqlalchemy import Float, Integer, Select, func, select
from sqlalchemy.sql import ColumnElement, Subquery

from content.library.models import Asset, Stage, asset_stages
from content.usage.models import Rating, UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from portal.kernel.pagination import Page
from portal.kernel.reporting import ReportFilters, Sort, ordered
from portal.reports.queries.content_usage import restrict_assets
from portal.reports.queries.gaps import in_library
from portal.reports.queries.prepared import (
    Shape,
    bound_filters,
    built_once,
    paged,
    parameters,
    run_page,
    shape_of,
)

E = UsageEvent
_STAGE = asset_stages.c.stage_id


def _library(query: Select, filters: ReportFilters, today: date | None = None) -> Select:
    """Keep the assets in the library for the period (live on ``today``) that the filters
    keep."""
    return restrict_assets(query.where(in_library(filters, today)), filters)


def _assets_per_stage(filters: ReportFilters, today: date) -> Subquery:
    query = (
        select(_STAGE.label("stage_id"), func.count().label("assets"))
        .select_from(asset_stages)
        .join(Asset, Asset.id == asset_stages.c.asset_id)
    )
    return _library(query, filters, today).group_by(_STAGE).subquery("assets")


def _usage_per_asset(filters: ReportFilters):
    """The period's usage events per asset (by the team's people, with a team): counted
    once, then summed per stage and in all, so the events are read once."""
    period = filters.period
    query = select(E.asset_id.label("asset_id"), func.count(E.id).label("events")).where(
        E.created_at >= period.start, E.created_at < period.end
    )
    if filters.team is not None:
        query = query.join(User, User.id == E.user_id).where(User.department == filters.team)
    return query.group_by(E.asset_id).cte("usage_per_asset")


def _events_per_stage(filters: ReportFilters, usage) -> Subquery:
    query = (
        select(_STAGE.label("stage_id"), func.sum(usage.c.events).label("events"))
        .select_from(usage)
        .join(Asset, Asset.id == usage.c.asset_id)
        .join(asset_stages, asset_stages.c.asset_id == Asset.id)
    )
    return restrict_assets(query, filters).group_by(_STAGE).subquery("events")


def _usage_total(filters: ReportFilters, usage) -> ColumnElement:
    """The period's usage events that the filters keep: what the shares divide."""
    query = select(func.sum(usage.c.events)).join(Asset, Asset.id == usage.c.asset_id)
    return restrict_assets(query, filters).scalar_subquery()


def _ratings_per_stage(filters: ReportFilters, today: date) -> Subquery:
    query = (
        select(
            _STAGE.label("stage_id"),
            func.sum(Rating.stars).label("stars"),
            func.count(Rating.id).label("ratings"),
        )
        .select_from(Rating)
        .join(Asset, Asset.id == Rating.asset_id)
        .join(asset_stages, asset_stages.c.asset_id == Asset.id)
    )
    if filters.team is not None:
        query = query.join(User, User.id == Rating.user_id).where(User.department == filters.team)
    return _library(query, filters, today).group_by(_STAGE).subquery("ratings")


def _stage_rows(
    filters: ReportFilters, per_stage: dict[str, Subquery], today: date
) -> tuple[Select, dict]:
    """Every stage with its figures, and the expression each column sorts by."""
    usage = _usage_per_asset(filters)
    assets, events = _assets_per_stage(filters, today), _events_per_stage(filters, usage)
    ratings = _ratings_per_stage(filters, today)
    used = func.coalesce(events.c.events, 0).cast(Integer)  # a sum: numeric on PostgreSQL
    figures = {
        "stage": Stage.position,  # journey order, not the alphabet
        "assets": func.coalesce(assets.c.assets, 0),
        "events": used,
        "usage_share": used.cast(Float) / func.nullif(_usage_total(filters, usage), 0),
        "rating_average": ratings.c.stars.cast(Float) / ratings.c.ratings,
        "rating_count": func.coalesce(ratings.c.ratings, 0),
    }
    figures |= {name: func.coalesce(sub.c[name], 0) for name, sub in per_stage.items()}
    query: Select = select(
        Stage.id.label("stage_id"),
        Stage.name.label("stage"),
        *(figures[name].label(name) for name in figures if name != "stage"),
    )
    for subquery in (assets, events, ratings, *per_stage.values()):
        query = query.outerjoin(subquery, subquery.c.stage_id == Stage.id)
    return query, figures


PerStage = Callable[[ReportFilters], dict[str, Subquery]]


def stage_coverage(
    filters: ReportFilters, sort: Sort, page: int, per_page: int, per_stage: PerStage
) -> Page:
    """One page of stages with their figures, in the chosen order; ``per_stage`` gives the
    caller's figures for some filters. When the period has no live content, no usage and
    none of the caller's figures at all, there is nothing to show, and the page is empty
    rather than a table of zeros."""
    statement = _page(shape_of(filters), sort.key, sort.descending, per_stage, utcnow().date())
    rows, overall = run_page(statement, parameters(filters), page, per_page)
    if not overall.get("activity"):
        return Page([], page, per_page, 0)
    return Page([SimpleNamespace(**row) for row in rows], page, per_page, overall["rows"])


@built_once
def _page(shape: Shape, key: str, descending: bool, per_stage: PerStage, today: date) -> Select:
    """The page's statement, with the period and terms as parameters. What is live depends
    on the day, which is written into the statement: it is built again each day."""
    filters = bound_filters(shape)
    extra = per_stage(filters)
    query, figures = _stage_rows(filters, extra, today)
    activity = sum((figures[name] for name in ("assets", "events", *extra)), start=0)
    order = [*ordered(figures[key], descending), Stage.position, Stage.id]
    return paged(query, order, activity=func.sum(activity))


def stages_without_assets(filters: ReportFilters) -> int:
    """How many stages have no live asset that the filters keep, for the dashboard."""
    covered = _library(select(_STAGE).join(Asset, Asset.id == asset_stages.c.asset_id), filters)
    return db.session.scalar(select(func.count(Stage.id)).where(Stage.id.not_in(covered))) or 0
