"""Reports 4 (unused and stale) and 5 (stage coverage) recomputed in plain Python from the
raw rows, to compare with what the database aggregates."""

from datetime import date

from sqlalchemy import select

from content.deals.models import Deal
from content.library.models import ContentType, Stage
from portal.kernel.extensions import db
from portal.kernel.reporting import ReportFilters
from search.models import SearchMiss
from tests.reports.recompute import Raw, in_period, local_day
from workflows.requests.models import UNFINISHED, ContentRequest


def in_library(raw: Raw, asset_id: int, filters: ReportFilters) -> bool:
    """Reps see it now, it was first published by the period's last local day, and the
    filters keep it."""
    asset = raw.assets[asset_id]
    published = asset.published_at is None or local_day(asset.published_at) <= filters.period.last
    return asset.is_live and published and raw.asset_kept(asset_id, filters)


def _stage_line(raw: Raw, asset_id: int) -> str:
    stages = [db.session.get(Stage, stage_id) for stage_id in raw.stages[asset_id]]
    stages.sort(key=lambda stage: (stage.position, stage.id))
    return ", ".join(stage.name for stage in stages)


def _history(raw: Raw, asset_id: int) -> tuple:
    times = [(e.kind, e.created_at) for e in raw.events if e.asset_id == asset_id]
    used = [when for kind, when in times if kind != "view"]
    viewed = [when for kind, when in times if kind == "view"]
    return max(used, default=None), max(viewed, default=None)


def unused(raw: Raw, filters: ReportFilters) -> dict[int, dict]:
    """Report 4's first table per asset: in the library, no event of any kind in the period."""
    period_assets = {e.asset_id for e in raw.events if in_period(e.created_at, filters.period)}
    rows = {}
    for asset_id, asset in raw.assets.items():
        if not in_library(raw, asset_id, filters) or asset_id in period_assets:
            continue
        content_type = db.session.get(ContentType, asset.content_type_id)
        last_used, last_viewed = _history(raw, asset_id)
        average, count = raw.rating(asset_id)
        rows[asset_id] = {
            "title": asset.live_revision.title,
            "owner": raw.users[asset.owner_id].name,
            "content_type": content_type.name if content_type else None,
            "stages": _stage_line(raw, asset_id),
            "published_at": asset.published_at,
            "last_used": last_used,
            "last_viewed": last_viewed,
            "rating_average": average,
            "rating_count": count,
        }
    return rows


def stale(raw: Raw, filters: ReportFilters, today: date) -> dict[int, dict]:
    """Report 4's second table per asset: in the library and past its review-by date on
    the period's last day (or today)."""
    review_day = min(filters.period.last, today)
    rows = {}
    for asset_id, asset in raw.assets.items():
        if not in_library(raw, asset_id, filters) or asset.review_by is None:
            continue
        if asset.review_by >= review_day:
            continue
        kinds = [
            e.kind
            for e in raw.events
            if e.asset_id == asset_id and in_period(e.created_at, filters.period)
        ]
        rows[asset_id] = {
            "title": asset.live_revision.title,
            "owner": raw.users[asset.owner_id].name,
            "review_by": asset.review_by,
            "days_overdue": (review_day - asset.review_by).days,
            "views": kinds.count("view"),
            "uses": len(kinds) - kinds.count("view"),
        }
    return rows


def _team_member(raw: Raw, user_id: int | None, team: str | None) -> bool:
    return team is None or (user_id is not None and raw.users[user_id].department == team)


def _open_deal_stages(user_id: int | None) -> set[int]:
    """The stages of the deals ``user_id`` has open now."""
    return {
        deal.stage_id
        for deal in db.session.scalars(select(Deal))
        if deal.owner_id == user_id and deal.status == "open" and deal.stage_id is not None
    }


def miss_counts_for(miss: SearchMiss, stage: Stage) -> bool:
    """The stage chosen, or without one, a stage of the searcher's open deals."""
    if miss.stage_slug:
        return miss.stage_slug == stage.slug
    return stage.id in _open_deal_stages(miss.user_id)


def coverage(raw: Raw, filters: ReportFilters) -> dict[str, dict]:
    """Report 5 per stage slug."""
    events = raw.events_kept(filters)
    requests = db.session.scalars(select(ContentRequest)).all()
    misses = db.session.scalars(select(SearchMiss)).all()
    rows = {}
    for stage in db.session.scalars(select(Stage)):
        library = {
            a for a in raw.assets if in_library(raw, a, filters) and stage.id in raw.stages[a]
        }
        used = [e for e in events if stage.id in raw.stages[e.asset_id]]
        stars = [
            r.stars
            for r in raw.ratings
            if r.asset_id in library and _team_member(raw, r.user_id, filters.team)
        ]
        rows[stage.slug] = {
            "stage": stage.name,
            "assets": len(library),
            "events": len(used),
            "usage_share": len(used) / len(events) if events else None,
            "rating_average": sum(stars) / len(stars) if stars else None,
            "rating_count": len(stars),
            "open_requests": sum(
                r.stage_id == stage.id
                and r.status in UNFINISHED
                and local_day(r.created_at) <= filters.period.last
                and _team_member(raw, r.requester_id, filters.team)
                for r in requests
            ),
            "misses": sum(
                miss_counts_for(m, stage)
                and in_period(m.created_at, filters.period)
                and _team_member(raw, m.user_id, filters.team)
                for m in misses
            ),
        }
    return rows


def open_requests_total(raw: Raw, filters: ReportFilters) -> int:
    return sum(
        r.status in UNFINISHED
        and local_day(r.created_at) <= filters.period.last
        and _team_member(raw, r.requester_id, filters.team)
        for r in db.session.scalars(select(ContentRequest))
    )


def misses_without_stage(raw: Raw, filters: ReportFilters) -> int:
    return sum(
        m.stage_slug == ""
        and not _open_deal_stages(m.user_id)
        and in_period(m.created_at, filters.period)
        and _team_member(raw, m.user_id, filters.team)
        for m in db.session.scalars(select(SearchMiss))
    )


def misses_total(raw: Raw, filters: ReportFilters) -> int:
    return sum(
        in_period(m.created_at, filters.period) and _team_member(raw, m.user_id, filters.team)
        for m in db.session.scalars(select(SearchMiss))
    )
