"""The asset state machine as a service: the table, who may act, effects and the audit log."""

from datetime import timedelta

import pytest

from content.assets import AssetInput, get_visible_asset, revise_asset, shown_revision
from content.models import Asset
from content.rules import visible_assets
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.extensions import db
from portal.models import utcnow
from portal.permissions import can
from tests.workflows.conftest import (
    ALL_STATES,
    TABLE_ACTIONS,
    UNKNOWN_ACTIONS,
    event_count,
    stored_status,
)
from workflows.machine import (
    ACTION_LABELS,
    ASSET_TRANSITIONS,
    COMMENT_MAX,
    allowed_actions,
    asset_history,
    transition,
)
from workflows.models import WorkflowEvent

TRANSITIONS = [(state, action, to) for (state, action), to in ASSET_TRANSITIONS.items()]
REFUSED = [
    (state, action)
    for state in ALL_STATES
    for action in TABLE_ACTIONS + UNKNOWN_ACTIONS
    if (state, action) not in ASSET_TRANSITIONS
]


def allowed_from(state: str) -> list[str]:
    return [action for (from_state, action) in ASSET_TRANSITIONS if from_state == state]


def new_revision(asset, author, body: str):
    data = AssetInput(
        title=asset.latest_revision.title,
        body=body,
        stages=list(asset.stages),
        content_type=asset.content_type,
    )
    revision = revise_asset(asset, author, asset.latest_revision_id, data)
    db.session.commit()
    return revision


def test_every_action_has_a_button_label():
    assert set(TABLE_ACTIONS) <= set(ACTION_LABELS)


@pytest.mark.parametrize(("from_state", "action", "to_state"), TRANSITIONS)
def test_each_transition_moves_the_asset_and_writes_one_event(
    asset_in, actors, from_state, action, to_state
):
    asset = asset_in(from_state)
    owner = actors["owner"]
    before = event_count(asset.id)

    event = transition(asset, owner, action, "  Checked with legal.  ")
    db.session.commit()

    assert stored_status(asset.id) == to_state
    assert event_count(asset.id) == before + 1
    stored = db.session.get(WorkflowEvent, event.id)
    assert (stored.subject_type, stored.subject_id) == ("asset", asset.id)
    assert stored.actor_id == owner.id
    assert (stored.action, stored.from_state, stored.to_state) == (action, from_state, to_state)
    assert stored.comment == "Checked with legal."
    assert stored.revision_number == asset.latest_revision.number
    assert abs(stored.created_at - utcnow()) < timedelta(minutes=1)
    assert asset_history(asset)[0].id == event.id


@pytest.mark.parametrize(("state", "action"), REFUSED)
def test_every_other_state_and_action_is_refused_naming_the_allowed_actions(
    asset_in, actors, state, action
):
    asset = asset_in(state)
    before = event_count(asset.id)

    with pytest.raises(Conflict) as refused:
        transition(asset, actors["owner"], action)
    db.session.rollback()

    allowed = allowed_from(state)
    assert refused.value.allowed == allowed
    assert refused.value.status == 409
    assert refused.value.message == (
        f"You cannot {action} an asset that is {state}. "
        f"Allowed now: {', '.join(allowed) or 'none'}."
    )
    assert stored_status(asset.id) == state
    assert event_count(asset.id) == before


@pytest.mark.parametrize(("from_state", "action", "to_state"), TRANSITIONS)
@pytest.mark.parametrize("who", ["owner", "admin"])
def test_owner_and_admin_may_take_each_transition(
    asset_in, actors, who, from_state, action, to_state
):
    asset = asset_in(from_state)
    assert allowed_actions(asset, actors[who]) == [action]

    event = transition(asset, actors[who], action)
    db.session.commit()

    assert stored_status(asset.id) == to_state
    assert event.actor_id == actors[who].id


@pytest.mark.parametrize(("from_state", "action", "to_state"), TRANSITIONS)
@pytest.mark.parametrize("who", ["other_marketer", "rep", "leader"])
def test_nobody_else_may_take_a_transition(asset_in, actors, who, from_state, action, to_state):
    asset = asset_in(from_state)
    actor = actors[who]
    before = event_count(asset.id)
    assert allowed_actions(asset, actor) == []

    # Someone who may not even see the asset is told it does not exist.
    expected = Conflict if can(actor, "view", asset) else NotFound
    with pytest.raises(expected) as refused:
        transition(asset, actor, action)
    db.session.rollback()

    if expected is Conflict:
        assert refused.value.allowed == []
        assert refused.value.message == (
            f"Your role does not allow you to {action} this asset. Allowed now: none."
        )
    assert stored_status(asset.id) == from_state
    assert event_count(asset.id) == before


def test_deactivated_owner_may_not_act(asset_in, actors):
    asset = asset_in("draft")
    owner = actors["owner"]
    owner.active = False
    db.session.commit()

    assert allowed_actions(asset, owner) == []
    with pytest.raises(NotFound):
        transition(asset, owner, "publish")
    db.session.rollback()
    assert stored_status(asset.id) == "draft"


def test_publish_makes_the_latest_revision_live(asset_in, actors):
    asset = asset_in("draft")
    assert (asset.live_revision_id, asset.published_at) == (None, None)

    transition(asset, actors["owner"], "publish")
    db.session.commit()

    assert asset.live_revision_id == asset.latest_revision_id is not None
    assert abs(asset.published_at - utcnow()) < timedelta(minutes=1)
    assert asset.archived_at is None
    assert get_visible_asset(actors["rep"], asset.id) is asset


def test_republishing_an_edit_moves_the_live_revision_forward(asset_in, actors):
    asset = asset_in("published")
    owner, rep = actors["owner"], actors["rep"]
    first_live, first_published = asset.live_revision, asset.published_at

    second = new_revision(asset, owner, "Now with SOC 2 Type II.")
    assert asset.status == "draft"
    assert asset.live_revision_id == first_live.id
    assert shown_revision(asset, rep) == first_live
    assert allowed_actions(asset, owner) == ["publish"]

    transition(asset, owner, "publish")
    db.session.commit()

    assert asset.live_revision_id == second.id == asset.latest_revision_id
    assert asset.published_at >= first_published
    assert shown_revision(asset, rep).body == "Now with SOC 2 Type II."
    assert [e.revision_number for e in asset_history(asset)] == [2, 1]


def test_archive_keeps_the_live_revision_but_hides_the_asset_from_reps(asset_in, actors):
    asset = asset_in("published")
    live = asset.live_revision_id

    transition(asset, actors["owner"], "archive", "Replaced by the 2025 edition.")
    db.session.commit()

    assert asset.live_revision_id == live
    assert asset.archived_at is not None
    rep = actors["rep"]
    assert not can(rep, "view", asset)
    assert asset.id not in db.session.scalars(visible_assets(rep).with_only_columns(Asset.id)).all()
    with pytest.raises(NotFound):
        get_visible_asset(rep, asset.id)
    assert get_visible_asset(actors["other_marketer"], asset.id) is asset


def test_restore_clears_the_live_revision(asset_in, actors):
    asset = asset_in("archived")
    latest = asset.latest_revision_id

    transition(asset, actors["owner"], "restore")
    db.session.commit()

    assert asset.status == "draft"
    assert asset.live_revision_id is None
    assert asset.archived_at is None
    assert asset.latest_revision_id == latest
    with pytest.raises(NotFound):
        get_visible_asset(actors["rep"], asset.id)
    assert allowed_actions(asset, actors["owner"]) == ["publish"]


def test_a_too_long_comment_is_refused_and_changes_nothing(asset_in, actors):
    asset = asset_in("draft")

    with pytest.raises(ValidationFailed) as refused:
        transition(asset, actors["owner"], "publish", "x" * (COMMENT_MAX + 1))
    db.session.rollback()

    assert "comment" in refused.value.fields
    assert stored_status(asset.id) == "draft"
    assert event_count(asset.id) == 0


def test_a_comment_of_exactly_the_limit_is_kept(asset_in, actors):
    asset = asset_in("draft")
    event = transition(asset, actors["owner"], "publish", "y" * COMMENT_MAX)
    db.session.commit()
    assert len(db.session.get(WorkflowEvent, event.id).comment) == COMMENT_MAX


def test_history_lists_events_newest_first_with_actor_and_comment(asset_in, actors):
    asset = asset_in("draft")
    owner, admin = actors["owner"], actors["admin"]
    transition(asset, owner, "publish", "Launch")
    transition(asset, admin, "archive", "Outdated pricing")
    transition(asset, owner, "restore")
    db.session.commit()

    history = [
        (e.actor.name, e.action, e.from_state, e.to_state, e.comment) for e in asset_history(asset)
    ]
    assert history == [
        (owner.name, "restore", "archived", "draft", ""),
        (admin.name, "archive", "published", "archived", "Outdated pricing"),
        (owner.name, "publish", "draft", "published", "Launch"),
    ]
