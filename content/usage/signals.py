"""Quality signals of assets (ratings and usage), read from the events themselves.

Search ranks with them and the deal page recommends with them, through one formula:

    quality     = ½ × rating part + ½ × usage part, each between 0 and 1
    rating part = (average − 1) / 4 × min(count, 5) / 5      (0 without ratings)
    usage part  = log(1 + uses) / log(1 + 100), at most 1

where uses counts downloads, share links, buyer views and deals the asset was used in
(views are browsing, not use). So a single five-star rating cannot lift an asset far, and
usage counts with diminishing returns.

Services that change a signal call :func:`signal_changed` inside their transaction; other
packages (the search outbox) subscribe with :func:`on_signal_change`.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from content.usage.models import RANKED_KINDS, Rating, UsageEvent
from portal.kernel.extensions import db

_subscribers: list[Callable[[int], None]] = []


@dataclass(frozen=True)
class Signals:
    rating_average: float | None = None
    rating_count: int = 0
    usage_count: int = 0

    @property
    def quality(self) -> float:
        return quality(self.rating_average, self.rating_count, self.usage_count)


NO_SIGNALS = Signals()


def quality(rating_average: float | None, rating_count: int, usage_count: int) -> float:
    """The 0–1 quality score from ratings and usage (see the module docstring)."""
    rating = 0.0
    if rating_average is not None and rating_count > 0:
        rating = (rating_average - 1) / 4 * min(rating_count, 5) / 5
    usage = min(1.0, math.log1p(max(usage_count, 0)) / math.log1p(100))
    return 0.5 * rating + 0.5 * usage


def on_signal_change(callback: Callable[[int], None]) -> None:
    """Call ``callback(asset_id)`` whenever a rating or a ranked use of the asset is
    written, inside the writing transaction."""
    if callback not in _subscribers:
        _subscribers.append(callback)


def signal_changed(asset_id: int) -> None:
    """Tell subscribers that the asset's ratings or usage changed."""
    for callback in _subscribers:
        callback(asset_id)


def rating_figures(asset_ids: list[int]) -> list[tuple[int, float, int]]:
    """(asset id, average stars, count) of each rated asset of ``asset_ids``, in one
    grouped query; unrated assets are left out."""
    rows = db.session.execute(
        select(Rating.asset_id, func.avg(Rating.stars), func.count(Rating.id))
        .where(Rating.asset_id.in_(asset_ids))
        .group_by(Rating.asset_id)
    )
    return [(asset_id, float(average), count) for asset_id, average, count in rows]


def signals_for(asset_ids: list[int]) -> dict[int, Signals]:
    """Rating average and count and usage count per asset, two grouped queries; assets
    with neither are left out."""
    if not asset_ids:
        return {}
    uses = dict(
        db.session.execute(
            select(UsageEvent.asset_id, func.count(UsageEvent.id))
            .where(UsageEvent.asset_id.in_(asset_ids), UsageEvent.kind.in_(RANKED_KINDS))
            .group_by(UsageEvent.asset_id)
        ).all()
    )
    found = {
        asset_id: Signals(average, count, uses.pop(asset_id, 0))
        for asset_id, average, count in rating_figures(asset_ids)
    }
    found.update({asset_id: Signals(usage_count=count) for asset_id, count in uses.items()})
    return found
