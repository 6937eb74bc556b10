"""Report 2's figures recomputed in plain Python from the raw deals and attachments."""

from portal.kernel.reporting import ReportFilters, wilson
from tests.reports.recompute import Raw

MIN_DEALS = 5  # written out again: the test checks the report's rule, not its constant


def closed_deals(raw: Raw, filters: ReportFilters) -> dict[int, bool]:
    """The period's closed deals the team filter keeps: deal id -> won."""
    period = filters.period
    return {
        deal.id: deal.status == "won"
        for deal in raw.deals.values()
        if deal.status in {"won", "lost"}
        and deal.close_date is not None
        and period.first <= deal.close_date <= period.last
        and (filters.team is None or raw.users[deal.owner_id].department == filters.team)
    }


def influence(raw: Raw, filters: ReportFilters) -> dict[int, dict]:
    """Per asset attached to a closed deal of the period: every figure of its row."""
    closed = closed_deals(raw, filters)
    with_asset: dict[int, list[bool]] = {}
    for event in raw.events:
        if (
            event.kind == "used_in_deal"
            and event.deal_id in closed
            and raw.asset_kept(event.asset_id, filters)
        ):
            with_asset.setdefault(event.asset_id, []).append(closed[event.deal_id])
    won_total = sum(closed.values())
    return {
        asset_id: _row(sum(outcomes), len(outcomes), won_total, len(closed))
        for asset_id, outcomes in with_asset.items()
    }


def _row(won: int, deals: int, won_total: int, closed_total: int) -> dict:
    won_without, deals_without = won_total - won, closed_total - deals
    enough = deals >= MIN_DEALS and deals_without >= MIN_DEALS
    rate_with = won / deals if enough else None
    rate_without = won_without / deals_without if enough else None
    return {
        "enough": enough,
        "deals_with": deals,
        "won_with": won,
        "rate_with": rate_with,
        "interval_with": wilson(won, deals) if enough else None,
        "deals_without": deals_without,
        "won_without": won_without,
        "rate_without": rate_without,
        "interval_without": wilson(won_without, deals_without) if enough else None,
        "difference": rate_with - rate_without if enough else None,
    }
