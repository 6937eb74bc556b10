"""People acting on one asset at the same moment never produce an impossible state.

Every worker thread has its own app context, hence its own database session and
connection; a barrier releases them together after each has read the asset, so every
one of them passes the in-Python checks and only the database can tell them apart.
"""

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from content.library.models import Asset
from content.library.services import AssetInput, revise_asset
from portal.kernel.errors import Conflict
from portal.kernel.extensions import db
from portal.kernel.models import User
from tests.factories import assert_no_errors, run_together, token_headers
from tests.workflows.helpers import approval_count, event_count, stored_status
from workflows.audit.models import WorkflowEvent
from workflows.review import policy as review
from workflows.review.machine import transition
from workflows.review.models import Approval

WORKERS = 4
RACES = [("approved", "publish", "published"), ("published", "archive", "archived")]


def in_own_session(app, act):
    """Wrap ``act(session objects...)`` to run in a fresh app context and session, commit
    on success, roll back and report ("conflict", allowed) on a Conflict."""

    def work():
        with app.app_context():
            try:
                try:
                    result = act()
                except Conflict as refused:
                    db.session.rollback()
                    return ("conflict", refused.allowed)
                db.session.commit()
                return ("ok", result)
            finally:
                db.session.remove()

    return work


def transition_worker(app, barrier, asset_id, actor_id, action, state):
    """Read the asset, wait for the others, then take ``action`` as ``actor_id``."""

    def act():
        actor = db.session.get(User, actor_id)
        target = db.session.get(Asset, asset_id)
        assert target.status == state  # everyone starts from the same state
        barrier.wait(timeout=10)
        return transition(target, actor, action, f"by {actor_id}").to_state

    return in_own_session(app, act)


@pytest.mark.parametrize(("state", "action", "to_state"), RACES)
def test_simultaneous_service_calls_let_exactly_one_win(
    app, actors, asset_in, state, action, to_state
):
    asset = asset_in(state)
    asset_id, before = asset.id, event_count(asset.id)
    actor_ids = [actors["owner"].id, actors["admin"].id] * (WORKERS // 2)
    barrier = threading.Barrier(WORKERS)

    results = run_together(
        [transition_worker(app, barrier, asset_id, a, action, state) for a in actor_ids]
    )

    assert_no_errors(results)
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

    assert_no_errors(results)
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


def test_the_sales_and_the_marketing_reviewer_approve_at_the_same_moment(app, actors, asset_in):
    """Each approval alone leaves the asset in review; whichever lands second must see the
    first and complete the sign-off, or the asset would stay in review for ever."""
    asset = asset_in("in_review")
    asset_id = asset.id
    reviewer_ids = [actors["sales_reviewer"].id, actors["marketing_reviewer"].id]
    barrier = threading.Barrier(len(reviewer_ids))

    results = run_together(
        [
            transition_worker(app, barrier, asset_id, reviewer_id, "approve", "in_review")
            for reviewer_id in reviewer_ids
        ]
    )

    assert_no_errors(results)
    assert sorted(results) == [("ok", "approved"), ("ok", "in_review")]
    db.session.rollback()
    assert stored_status(asset_id) == "approved"
    events = db.session.scalars(
        select(WorkflowEvent).where(
            WorkflowEvent.subject_id == asset_id, WorkflowEvent.action == "approve"
        )
    ).all()
    assert sorted(event.to_state for event in events) == ["approved", "in_review"]
    approvals = db.session.scalars(select(Approval).where(Approval.asset_id == asset_id)).all()
    assert sorted(approval.side for approval in approvals) == ["marketing", "sales"]


def test_one_reviewer_approving_twice_at_once_counts_once(app, actors, asset_in):
    """A double click: both requests pass the checks in Python; one approval is stored."""
    asset = asset_in("in_review")
    asset_id, sales_id = asset.id, actors["sales_reviewer"].id
    barrier = threading.Barrier(2)

    results = run_together(
        [transition_worker(app, barrier, asset_id, sales_id, "approve", "in_review")] * 2
    )

    assert_no_errors(results)
    assert sorted(outcome for outcome, _ in results) == ["conflict", "ok"]
    db.session.rollback()
    assert approval_count(asset_id) == 1
    assert event_count(asset_id, "approve") == 1
    assert stored_status(asset_id) == "in_review"


def test_an_author_saves_while_a_reviewer_approves(app, actors, asset_in):
    """Either the approval lands on the old revision and the save sends the asset back to
    review, or the save lands first and the approval is refused: never an approved asset
    whose latest revision lacks its sign-off."""
    asset = asset_in("in_review")
    transition(asset, actors["sales_reviewer"], "approve")
    db.session.commit()
    asset_id, first_revision = asset.id, asset.latest_revision_id
    owner_id, marketing_id = actors["owner"].id, actors["marketing_reviewer"].id
    barrier = threading.Barrier(2)

    def save():
        owner = db.session.get(User, owner_id)
        target = db.session.get(Asset, asset_id)
        data = AssetInput(
            title=target.latest_revision.title,
            body="Edited while the review was going on.",
            stages=list(target.stages),
        )
        barrier.wait(timeout=10)
        return revise_asset(target, owner, first_revision, data).number

    approve = transition_worker(app, barrier, asset_id, marketing_id, "approve", "in_review")
    saved, approved = run_together([in_own_session(app, save), approve])

    assert_no_errors([saved, approved])
    assert saved == ("ok", 2)
    db.session.rollback()
    db.session.expire_all()
    asset = db.session.get(Asset, asset_id)
    assert asset.latest_revision.number == 2
    # The save always leaves the asset in review, with nothing approved on revision 2.
    assert stored_status(asset_id) == "in_review"
    assert review.approvals(asset) == []
    old_sides = db.session.scalars(
        select(Approval.side).where(Approval.revision_id == first_revision)
    ).all()
    if approved[0] == "ok":
        assert approved == ("ok", "approved")
        assert sorted(old_sides) == ["marketing", "sales"]
    else:
        assert approved[0] == "conflict"
        assert old_sides == ["sales"]
        assert event_count(asset_id, "approve") == 1
