"""The demo deals' stage history for ``seed-demo``: each deal walks the buyer stages to
where it stands over the weeks before it closed (or until a few days ago), as a CRM synced
every day would have recorded, so the deal stages report, a meeting pack's funnel and a
deal's page have a journey to show on a fresh demo.

The rows are written directly, as the demo writes its usage: the deals are new, so the one
row each got when it was created is replaced.
"""

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import delete

from content.deals.models import ChangeSource, Deal, DealStageChange
from content.library.models import Stage
from portal.kernel.extensions import db
from portal.kernel.models import utcnow


def walk_stages(deals: list[Deal], stages: list[Stage], rng: random.Random) -> int:
    """Give each of ``deals`` its journey through ``stages``; how many rows were written."""
    journey = sorted(stages, key=lambda stage: stage.position)
    written = 0
    for deal in deals:
        if deal.stage not in journey:
            continue
        rows = _journey(deal, journey, rng)
        db.session.execute(delete(DealStageChange).where(DealStageChange.deal_id == deal.id))
        db.session.add_all(rows)
        deal.created_at, deal.updated_at = rows[0].changed_at, rows[-1].changed_at
        written += len(rows)
    db.session.flush()
    return written


def _journey(deal: Deal, journey: list[Stage], rng: random.Random) -> list[DealStageChange]:
    """From the first or second stage to the deal's own, then its win or loss."""
    assert deal.stage is not None, "only deals at a stage of the journey walk it"
    reached = journey.index(deal.stage)
    steps = journey[rng.randint(0, min(1, reached)) : reached + 1]
    if deal.closed and deal.close_date is not None:
        end = datetime.combine(deal.close_date, time(15), tzinfo=UTC)
    else:
        end = utcnow() - timedelta(days=rng.uniform(1, 6))
    start = end - timedelta(days=rng.uniform(8, 14) * len(steps) + 5)
    moments = sorted(start + (end - start) * rng.uniform(0.05, 0.95) for _ in steps[1:])
    changes = [(stage, "open", at) for stage, at in zip(steps, [start, *moments], strict=True)]
    if deal.closed:
        changes.append((steps[-1], deal.status, end))
    rows: list[DealStageChange] = []
    for stage, status, at in changes:
        before = rows[-1] if rows else None
        if before is not None:
            before.ended_at = at
        rows.append(
            DealStageChange(
                deal_id=deal.id,
                stage_id=stage.id,
                status=status,
                from_stage_id=before.stage_id if before else None,
                from_status=before.status if before else None,
                changed_at=at,
                source=ChangeSource.IMPORT,
                known_since=False,
            )
        )
    return rows
