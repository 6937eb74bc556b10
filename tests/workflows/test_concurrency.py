"""Two people acting on one asset at the same moment: exactly one of them wins.

Every worker thread has its own app context, hence its own database session and
connection; a barrier releases them together after each has read the asset, so every
one of them passes the in-Python state check and only the database can tell them apart.
"""

import threading
from collections import Counter

import pytest

from content.models import Asset
from portal.errors import Conflict
from portal.extensions import db
from portal.models import User
from tests.conftest import token_headers
from tests.workflows.conftest import event_count, stored_status
from workflows.machine import transition

WORKERS = 4
RACES = [("draft", "publish", "published"), ("published", "archive", "archived")]


def run_together(workers) -> list:
    """Start every callable in its own thread and return their results in order."""
    results: list = [None] * len(workers)

    def run(index, work):
        try:
            results[index] = work()
        except Exception as exc:  # noqa: BLE001 - reported by the test, not swallowed
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results


@pytest.mark.parametrize(("state", "action", "to_state"), RACES)
def test_simultaneous_service_calls_let_exactly_one_win(
    app, actors, asset_in, state, action, to_state
):
    asset = asset_in(state)
    asset_id, before = asset.id, event_count(asset.id)
    actor_ids = [actors["owner"].id, actors["admin"].id] * (WORKERS // 2)
    barrier = threading.Barrier(WORKERS)

    def worker(actor_id):
        def act():
            with app.app_context():
                try:
                    actor = db.session.get(User, actor_id)
                    target = db.session.get(Asset, asset_id)
                    assert target.status == state  # everyone starts from the same state
                    barrier.wait(timeout=10)
                    try:
                        transition(target, actor, action, f"by {actor_id}")
                    except Conflict as refused:
                        db.session.rollback()
                        return ("conflict", refused.allowed)
                    db.session.commit()
                    return ("ok", None)
                finally:
                    db.session.remove()

        return act

    results = run_together([worker(actor_id) for actor_id in actor_ids])

    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "conflict": WORKERS - 1}
    db.session.rollback()
    assert stored_status(asset_id) == to_state
    assert event_count(asset_id) == before + 1
    assert event_count(asset_id, action) == 1


@pytest.mark.parametrize(("state", "action", "to_state"), RACES)
def test_simultaneous_api_requests_give_one_200_and_409s(
    app, actors, asset_in, state, action, to_state
):
    asset = asset_in(state)
    asset_id, before = asset.id, event_count(asset.id)
    headers = [token_headers(actors[who]) for who in ("owner", "admin") * (WORKERS // 2)]
    barrier = threading.Barrier(WORKERS)

    def worker(auth):
        def act():
            client = app.test_client()
            barrier.wait(timeout=10)
            response = client.post(
                f"/api/v1/assets/{asset_id}/transitions",
                json={"action": action, "comment": "race"},
                headers=auth,
            )
            return response.status_code, response.json

        return act

    results = run_together([worker(auth) for auth in headers])

    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    statuses = Counter(status for status, _ in results)
    assert statuses == {200: 1, 409: WORKERS - 1}, results
    for status, body in results:
        if status == 409:
            assert body["error"]["code"] == "conflict"
            assert action not in body["error"]["allowed_actions"]
        else:
            assert body["status"] == to_state
    db.session.rollback()
    assert stored_status(asset_id) == to_state
    assert event_count(asset_id) == before + 1
