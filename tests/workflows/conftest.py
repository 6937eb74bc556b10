"""Fixtures for the asset workflow: assets in any state, the people who act on them."""

from collections import deque

import pytest
from sqlalchemy import func, select

from content.models import ASSET_STATUSES, Asset
from portal.extensions import db
from tests.conftest import make_asset, make_user
from workflows.machine import ASSET_TRANSITIONS, transition
from workflows.models import WorkflowEvent

ALL_STATES = sorted(
    set(ASSET_STATUSES)
    | {state for state, _ in ASSET_TRANSITIONS}
    | set(ASSET_TRANSITIONS.values())
)
TABLE_ACTIONS = sorted({action for _, action in ASSET_TRANSITIONS})
# Actions the table does not know (yet) must be refused like any other impossible one.
UNKNOWN_ACTIONS = ["delete", "approve", "Publish", ""]


def path_to(state: str) -> list[str]:
    """The shortest list of actions that takes a new draft to ``state``."""
    queue, seen = deque([("draft", [])]), {"draft"}
    while queue:
        current, actions = queue.popleft()
        if current == state:
            return actions
        for (from_state, action), to_state in ASSET_TRANSITIONS.items():
            if from_state == current and to_state not in seen:
                seen.add(to_state)
                queue.append((to_state, [*actions, action]))
    raise LookupError(f"No path from draft to {state!r} in ASSET_TRANSITIONS")


@pytest.fixture
def actors(users):
    """Everyone whose permission matters: the owner, an admin and three outsiders."""
    return {
        "owner": users["marketer"],
        "admin": users["admin"],
        "other_marketer": make_user("marketer", "other.marketer@example.com", "Otto Other"),
        "rep": users["rep"],
        "leader": users["leader"],
    }


@pytest.fixture
def asset_in(actors):
    """``asset_in(state)``: a committed asset owned by the marketer, walked to ``state``."""

    def build(state: str, title: str = "Security whitepaper") -> Asset:
        owner = actors["owner"]
        asset = make_asset(owner, title, stages=("consideration",), publish=False)
        for action in path_to(state):
            transition(asset, owner, action, f"setup: {action}")
        db.session.commit()
        assert asset.status == state
        return asset

    return build


def event_count(asset_id: int, action: str | None = None) -> int:
    query = select(func.count(WorkflowEvent.id)).where(
        WorkflowEvent.subject_type == "asset", WorkflowEvent.subject_id == asset_id
    )
    if action is not None:
        query = query.where(WorkflowEvent.action == action)
    return db.session.scalar(query)


def stored_status(asset_id: int) -> str:
    """The status the database holds now, bypassing objects cached in the session."""
    return db.session.scalar(select(Asset.status).where(Asset.id == asset_id))
