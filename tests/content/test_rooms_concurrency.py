"""Eight buyers' viewers posting beacons for the same room at the same moment: every
millisecond sent is counted once, none is lost, and a batch sent twice (the same visit
and seq) counts once, on both databases (see RELIABILITY.md on lost writes)."""

import threading
from collections import defaultdict

from sqlalchemy import func, select

from content.rooms.models import RoomBeacon, RoomPageView, RoomVisit, RoomVisitItem
from content.usage.models import UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import hash_token
from tests.content.rooms_helpers import BUYER, beacon, make_room, previewed_asset, visit_key
from tests.content.usage_helpers import make_deal
from tests.factories import assert_no_errors, run_together

THREADS = 8
BEACONS = 6


def test_concurrent_beacons_lose_nothing_and_count_a_resent_batch_once(app, users):
    deal = make_deal(users["rep"])
    assets = [previewed_asset(users["marketer"], f"Deck {n}", pages=3) for n in (1, 2)]
    room, token = make_room(users["rep"], deal, assets)
    items = [item.id for item in room.items]
    keys = []
    for _visit in range(2):
        response = app.test_client().get(f"/r/{token}", headers=BUYER)
        response.close()
        keys.append(visit_key(response.text))
    barrier = threading.Barrier(THREADS)
    sent: dict[tuple, int] = defaultdict(int)
    plans = []
    for thread in range(THREADS):
        plan = []
        for n in range(BEACONS):
            key = keys[(thread + n) % 2]
            views = [(items[(thread + n) % 2], 1 + n % 3, 1000 + thread * 10 + n), (items[0], 1, 7)]
            plan.append((key, thread * 100 + n + 2, views))
            for item, page, ms in views:
                sent[key, item, page] += ms
        plan.append((keys[0], 1, [(items[1], 2, 500)]))  # every thread resends one batch
        plans.append(plan)
    sent[keys[0], items[1], 2] += 500

    def worker(plan):
        def work():
            client = app.test_client()
            barrier.wait(timeout=20)
            return [beacon(client, token, key, seq, views).status_code for key, seq, views in plan]

        return work

    results = run_together([worker(plan) for plan in plans])

    assert_no_errors(results)
    assert all(status == 204 for statuses in results for status in statuses)
    db.session.expire_all()
    visits = {visit_id: key for key, visit_id in _visit_ids(keys).items()}
    counted = {
        (visits[row.visit_id], row.item_id, row.page): row.ms
        for row in db.session.scalars(select(RoomPageView))
    }
    assert counted == dict(sent)
    assert db.session.scalar(select(func.count()).select_from(RoomBeacon)) == THREADS * BEACONS + 1
    assert db.session.scalar(select(func.count()).select_from(RoomVisitItem)) == 4
    buyer_views = select(func.count()).where(UsageEvent.kind == "buyer_view")
    assert db.session.scalar(buyer_views) == 4


def _visit_ids(keys: list[str]) -> dict[str, int]:
    return {
        key: db.session.scalar(select(RoomVisit.id).where(RoomVisit.key_hash == hash_token(key)))
        for key in keys
    }
