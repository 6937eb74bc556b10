"""Report 6 (rep adoption) recomputed in plain Python from the raw rows, to compare with
what the database aggregates."""

from portal.kernel.reporting import ReportFilters
from tests.reports.recompute import Raw, in_period, local_day


def _rep_figures(raw: Raw, rep_id: int, filters: ReportFilters, named: set[int]) -> dict:
    period = filters.period
    events = [e for e in raw.events if e.user_id == rep_id and in_period(e.created_at, period)]
    closed = [
        deal
        for deal in raw.deals.values()
        if deal.owner_id == rep_id
        and deal.status in {"won", "lost"}
        and deal.close_date is not None
        and period.first <= deal.close_date <= period.last
    ]
    with_content = sum(deal.id in named for deal in closed)
    return {
        "rep": raw.users[rep_id].name,
        "assets_used": len({e.asset_id for e in events if e.kind != "view"}),
        "views": sum(e.kind == "view" for e in events),
        "shares": sum(e.kind == "share" for e in events),
        "buyer_views": sum(e.kind == "buyer_view" for e in events),
        "closed_deals": len(closed),
        "deals_with_content": with_content,
        "content_share": with_content / len(closed) if closed else None,
        "ratings_given": sum(
            r.user_id == rep_id and period.first <= local_day(r.updated_at) <= period.last
            for r in raw.ratings
        ),
        **{
            f"{tier}_uses": sum(e.kind != "view" and e.evidence == tier for e in events)
            for tier in ("verified", "self_reported", "imported")
        },
    }


def adoption(raw: Raw, filters: ReportFilters) -> dict[int, dict]:
    """Report 6 per rep id: active reps always, deactivated ones with activity; nothing at
    all when no listed rep did anything."""
    named = {e.deal_id for e in raw.events if e.deal_id is not None}
    rows = {}
    for user in raw.users.values():
        if user.role != "rep" or (filters.team and user.department != filters.team):
            continue
        row = _rep_figures(raw, user.id, filters, named)
        busy = row["views"] + row["assets_used"] + row["closed_deals"] + row["ratings_given"]
        if user.active or busy:
            rows[user.id] = row | {"busy": busy}
    if not any(row["busy"] for row in rows.values()):
        return {}
    return {rep_id: {k: v for k, v in row.items() if k != "busy"} for rep_id, row in rows.items()}
