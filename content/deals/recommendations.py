"""What to use at a deal's stage: live assets not attached to it yet, best first."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from content.deals.models import Deal
from content.library.browsing import Card
from content.library.models import Asset, AssetRevision
from content.library.rules import visible_assets
from content.usage.models import UsageEvent
from content.usage.ratings import UNRATED, RatingSummary, summaries
from content.usage.signals import NO_SIGNALS, signals_for
from portal.kernel.extensions import db
from portal.kernel.models import User

RECOMMENDED = 6


@dataclass
class Recommendation:
    card: Card
    rating: RatingSummary
    deals_used: int


def recommendations(deal: Deal, user: User, limit: int = RECOMMENDED) -> list[Recommendation]:
    """Live assets for the deal's buyer stage that are not attached to it yet, best rated
    and most used first (the quality score search ranks with), then newest."""
    if deal.stage_id is None:
        return []
    attached = select(UsageEvent.asset_id).where(
        UsageEvent.kind == "used_in_deal", UsageEvent.deal_id == deal.id
    )
    rows = db.session.execute(
        visible_assets(user)
        .with_only_columns(Asset.id, Asset.published_at)
        .where(
            Asset.live_clause(),
            Asset.stages.any(id=deal.stage_id),
            Asset.id.not_in(attached),
        )
    ).all()
    signals = signals_for([asset_id for asset_id, _published in rows])

    def rank(row):
        asset_id, published_at = row
        found = signals.get(asset_id, NO_SIGNALS)
        # Ties go to the newest: published later, then (same instant) made later.
        newest = published_at.timestamp() if published_at else 0
        return (-found.quality, -(found.rating_average or 0), -newest, -asset_id)

    chosen = [asset_id for asset_id, _published in sorted(rows, key=rank)[:limit]]
    assets = {
        asset.id: asset
        for asset in db.session.scalars(
            select(Asset)
            .where(Asset.id.in_(chosen))
            .options(
                selectinload(Asset.live_revision).selectinload(AssetRevision.file),
                selectinload(Asset.content_type),
                selectinload(Asset.stages),
            )
        )
    }
    ratings = summaries(chosen)
    used = dict(
        db.session.execute(
            select(UsageEvent.asset_id, func.count(UsageEvent.id))
            .where(UsageEvent.kind == "used_in_deal", UsageEvent.asset_id.in_(chosen))
            .group_by(UsageEvent.asset_id)
        ).all()
    )
    return [
        Recommendation(
            _live_card(assets[asset_id]), ratings.get(asset_id, UNRATED), used.get(asset_id, 0)
        )
        for asset_id in chosen
    ]


def _live_card(asset: Asset) -> Card:
    live = asset.live_revision
    assert live is not None, "only live assets are recommended"
    return Card(asset, live)
