"""The campaign-results report: the published campaigns that ran at some time in the
period, each with what it produced within its own dates (``workflows.campaigns.results``
computes the figures; this module picks the campaigns, orders and pages them).

Campaigns are few beside usage events, so the rows are computed for every campaign of
the period and ordered here; the figures of up to CHUNK campaigns come from one set of
grouped statements (SQLite joins at most 500 selects in one compound).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.kernel.extensions import db
from portal.kernel.pagination import Page
from portal.kernel.reporting import ReportFilters, Sort
from workflows.campaigns.models import Campaign
from workflows.campaigns.results import CampaignFigures, campaign_figures

CHUNK = 200


@dataclass
class CampaignRow:
    campaign_id: int
    campaign: str
    owner: str
    starts_on: date
    ends_on: date
    assets: int
    readers: int
    reps_using: int
    uses: int
    buyer_opens: int
    deals: int
    won: int
    lost: int
    open: int
    won_cents: int
    win_rate: float | None
    feedback: int


def campaigns_in(filters: ReportFilters) -> list[Campaign]:
    """Published campaigns whose dates meet the period, the earliest first."""
    period = filters.period
    return list(
        db.session.scalars(
            select(Campaign)
            .where(
                Campaign.status == "published",
                Campaign.starts_on <= period.last,
                Campaign.ends_on >= period.first,
            )
            .options(selectinload(Campaign.owner))
            .order_by(Campaign.starts_on, Campaign.id)
        )
    )


def _row(campaign: Campaign, figures: CampaignFigures) -> CampaignRow:
    return CampaignRow(
        campaign_id=campaign.id,
        campaign=campaign.name,
        owner=campaign.owner.name,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        assets=figures.assets,
        readers=figures.readers,
        reps_using=figures.reps_using,
        uses=figures.uses,
        buyer_opens=figures.buyer_opens,
        deals=figures.deals,
        won=figures.won,
        lost=figures.lost,
        open=figures.open,
        won_cents=figures.won_cents,
        win_rate=figures.win_rate,
        feedback=figures.feedback,
    )


def campaign_rows(filters: ReportFilters) -> list[CampaignRow]:
    """Every campaign of the period with its figures, the earliest first."""
    campaigns = campaigns_in(filters)
    figures: dict[int, CampaignFigures] = {}
    for start in range(0, len(campaigns), CHUNK):
        figures.update(campaign_figures(campaigns[start : start + CHUNK]))
    return [_row(campaign, figures[campaign.id]) for campaign in campaigns]


def _key(sort: Sort):
    def key(row: CampaignRow):
        value = getattr(row, sort.key)
        return value.lower() if isinstance(value, str) else value

    return key


def campaign_results(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One page of the period's campaigns in the chosen order, empty values last either
    way and ties in date order."""
    rows = campaign_rows(filters)
    known = [row for row in rows if getattr(row, sort.key) is not None]
    known.sort(key=_key(sort), reverse=sort.descending)
    ordered = known + [row for row in rows if getattr(row, sort.key) is None]
    start = (page - 1) * per_page
    return Page(ordered[start : start + per_page], page, per_page, len(rows))


def campaign_totals(filters: ReportFilters) -> dict[str, int]:
    """For the dashboard: the period's campaigns, the deals their assets were used in, and
    those won with the amount won (a deal used by two campaigns counts for each)."""
    rows = campaign_rows(filters)
    return {
        "campaigns": len(rows),
        "deals": sum(row.deals for row in rows),
        "won": sum(row.won for row in rows),
        "won_cents": sum(row.won_cents for row in rows),
    }
