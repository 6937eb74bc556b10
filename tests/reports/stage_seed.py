"""Stage histories on top of the reports' seeded world: 60 more deals that walk the buyer
stages over the last four months through the one history writer, with content of their
stages attached to some; and a backfilled ("known since") row for some of the world's
deals, as the migration writes them."""

import random
from datetime import timedelta

from sqlalchemy import insert, select, update

from content.deals.history import record_changes
from content.deals.models import ChangeSource, Deal, DealStageChange
from content.library.models import Stage, asset_stages
from content.usage.models import UsageEvent
from portal.kernel.extensions import db
from tests.reports.seed import World, local_now

REPS = ("riley", "marcus", "ana", "kim")
DEALS = 60


def _journey() -> list[int]:
    return list(db.session.scalars(select(Stage.id).order_by(Stage.position, Stage.id)))


def _assets_by_stage() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for asset_id, stage_id in db.session.execute(select(asset_stages)).all():
        found.setdefault(stage_id, []).append(asset_id)
    return found


def _walk(rng: random.Random, deal_id: int, journey: list[int], start, outcome: str) -> None:
    """Move the deal along the journey from ``start``: forward mostly, back sometimes,
    then to ``outcome`` (or stay open), each change recorded at its own time."""
    moment, position = start, rng.randrange(3)
    for _step in range(rng.randint(1, 4)):
        moment += timedelta(days=rng.uniform(0.5, 25), hours=rng.randint(0, 23))
        position = max(0, min(len(journey) - 1, position + rng.choice((1, 1, 2, -1))))
        _change(deal_id, {"stage_id": journey[position]}, moment, ChangeSource.MANUAL)
    if outcome != "open":
        moment += timedelta(days=rng.uniform(0.2, 15))
        _change(deal_id, {"status": outcome}, moment, ChangeSource.IMPORT)
        if outcome == "lost" and rng.random() < 0.2:  # reopened, then won after all
            _change(deal_id, {"status": "open"}, moment + timedelta(days=2), ChangeSource.API)
            _change(deal_id, {"status": "won"}, moment + timedelta(days=9), ChangeSource.API)


def _change(deal_id: int, values: dict, moment, source: ChangeSource) -> None:
    if moment >= local_now():
        return  # the walk reached today: the deal is where it is
    db.session.execute(update(Deal).where(Deal.id == deal_id).values(**values))
    record_changes([deal_id], source, moment)


def seed_stage_histories(world: World) -> list[int]:
    """Write the histories; returns the new deals' ids. Commits."""
    rng = random.Random(1066)
    journey, by_stage = _journey(), _assets_by_stage()
    now = local_now()
    backfilled = world.deals[::3]
    rows = db.session.execute(select(Deal).where(Deal.id.in_(backfilled))).scalars()
    db.session.execute(
        insert(DealStageChange),
        [
            {
                "deal_id": deal.id,
                "stage_id": deal.stage_id,
                "status": deal.status,
                "changed_at": now - timedelta(days=rng.randint(1, 200)),
                "source": ChangeSource.BACKFILL,
                "known_since": True,
            }  # fmt: skip
            for deal in rows
        ],
    )
    created = []
    for n in range(DEALS):
        start = now - timedelta(days=rng.uniform(2, 125))
        deal = Deal(
            name=f"Journey deal {n}",
            account=f"Journey account {n % 11}",
            stage_id=journey[0],
            status="open",
            owner_id=world.people[REPS[n % len(REPS)]],
            source="manual",
            created_at=start,
            updated_at=start,
        )
        db.session.add(deal)
        db.session.flush()
        record_changes([deal.id], ChangeSource.MANUAL, start)
        outcome = rng.choice(("won", "won", "lost", "open"))
        _walk(rng, deal.id, journey, start, outcome)
        for stage_id in journey[:3]:
            if rng.random() < 0.45 and by_stage.get(stage_id):
                _attach(deal, rng.choice(by_stage[stage_id]), start)
        created.append(deal.id)
    db.session.commit()
    return created


def _attach(deal: Deal, asset_id: int, when) -> None:
    already = select(UsageEvent.id).where(
        UsageEvent.deal_id == deal.id, UsageEvent.asset_id == asset_id
    )
    if db.session.scalar(already) is None:
        db.session.add(
            UsageEvent(
                asset_id=asset_id,
                kind="used_in_deal",
                evidence="self_reported",
                user_id=deal.owner_id,
                deal_id=deal.id,
                created_at=when,
            )
        )
