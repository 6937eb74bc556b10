"""The asset state machine as a service: the table, who may act, effects and the audit log."""

from datetime import timedelta

import pytest

from content.library.models import Asset
from content.library.rules import visible_assets
from content.library.services import get_visible_asset
from portal.kernel.errors import Conflict, NotFound, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from portal.kernel.permissions import can
from tests.workflows.helpers import (
    ALL_STATES,
    MAY,
    REFUSED,
    TABLE_ACTIONS,
    TRANSITIONS,
    acting,
    allowed_from,
    approval_count,
    event_count,
    stored_status,
)
from workflows.audit.models import WorkflowEvent
from workflows.review import policy as review
from workflows.review.machine import (
    ACTION_LABELS,
    COMMENT_MAX,
    STATUS_LABELS,
    allowed_actions,
    asset_history,
    transition,
)

EVERYONE = (
    "owner",
    "admin",
    "sales_reviewer",
    "marketing_reviewer",
    "other_marketer",
    "rep",
    "leader",
)
MAY_NOT = [
    (state, action, to, who)
    for state, action, to in TRANSITIONS
    for who in EVERYONE
    if who not in MAY[action]
]
# How refusals phrase the action and the state the asset is in.
VERB = {
    "submit": "submit",
    "approve": "approve",
    "request_changes": "request changes on",
    "publish": "publish",
    "archive": "archive",
    "restore": "restore",
    "delete": "delete",
    "sign_off": "sign off",
    "Publish": "Publish",
    "": "do that to",
}
STATE_WORDS = {
    "draft": "draft",
    "in_review": "in review",
    "changes_requested": "changes requested",
    "approved": "approved",
    "published": "published",
    "archived": "archived",
}


def other_side_approves(asset: Asset, actors: dict, who: str) -> None:
    """Under dual sign-off one approval is not enough: the other team approves first, so
    the approval under test is the one that completes the sign-off."""
    other = "marketing_reviewer" if who == "sales_reviewer" else "sales_reviewer"
    transition(asset, actors[other], "approve")
    db.session.commit()


def test_every_action_and_state_has_a_label():
    assert set(TABLE_ACTIONS) <= set(ACTION_LABELS)
    assert set(ALL_STATES) <= set(STATUS_LABELS)


@pytest.mark.parametrize(("from_state", "action", "to_state"), TRANSITIONS)
def test_each_transition_moves_the_asset_and_writes_one_event(
    asset_in, actors, from_state, action, to_state
):
    asset = asset_in(from_state)
    actor = actors[MAY[action][0]]
    if action == "approve":
        other_side_approves(asset, actors, MAY[action][0])
    before = event_count(asset.id)

    event = transition(asset, actor, action, "  Checked with legal.  ")
    db.session.commit()

    assert stored_status(asset.id) == to_state
    assert event_count(asset.id) == before + 1
    stored = db.session.get(WorkflowEvent, event.id)
    assert (stored.subject_type, stored.subject_id) == ("asset", asset.id)
    assert stored.actor_id == actor.id
    assert (stored.action, stored.from_state, stored.to_state) == (action, from_state, to_state)
    assert stored.comment == "Checked with legal."
    assert stored.revision_number == asset.latest_revision.number == 1
    assert abs(stored.created_at - utcnow()) < timedelta(minutes=1)
    assert asset_history(asset)[0].id == event.id


@pytest.mark.parametrize(("state", "action"), REFUSED)
def test_every_other_state_and_action_is_refused_naming_the_allowed_actions(
    asset_in, actors, state, action
):
    asset = asset_in(state)
    before = event_count(asset.id)

    with pytest.raises(Conflict) as refused:
        transition(asset, actors[acting(state)], action, "Trying anyway")
    db.session.rollback()

    allowed = allowed_from(state)
    assert refused.value.allowed == allowed
    assert refused.value.status == 409
    assert refused.value.message == (
        f"You cannot {VERB[action]} an asset that is {STATE_WORDS[state]}. "
        f"Allowed now: {', '.join(allowed) or 'none'}."
    )
    assert stored_status(asset.id) == state
    assert event_count(asset.id) == before


@pytest.mark.parametrize(
    ("from_state", "action", "to_state", "who"),
    [(s, a, t, who) for s, a, t in TRANSITIONS for who in MAY[a]],
)
def test_the_right_people_may_take_each_transition(
    asset_in, actors, who, from_state, action, to_state
):
    asset = asset_in(from_state)
    actor = actors[who]
    if action == "approve":
        other_side_approves(asset, actors, who)
    assert action in allowed_actions(asset, actor)

    event = transition(asset, actor, action, "Looks right")
    db.session.commit()

    assert stored_status(asset.id) == to_state
    assert (event.actor_id, event.action, event.to_state) == (actor.id, action, to_state)


@pytest.mark.parametrize(("from_state", "action", "to_state", "who"), MAY_NOT)
def test_nobody_else_may_take_a_transition(asset_in, actors, who, from_state, action, to_state):
    asset = asset_in(from_state)
    actor = actors[who]
    before = event_count(asset.id)
    assert action not in allowed_actions(asset, actor)

    # Reps and leaders see only live assets: anything else does not exist for them.
    hidden = who in {"rep", "leader"} and from_state != "published"
    with pytest.raises(NotFound if hidden else Conflict) as refused:
        transition(asset, actor, action, "Let me")
    db.session.rollback()

    if not hidden:
        assert refused.value.allowed == []
        if action in {"approve", "request_changes"}:
            reason = f"Only the asset's invited reviewers may {VERB[action]} it."
        else:
            reason = f"Your role does not allow you to {action} this asset."
        assert refused.value.message == f"{reason} Allowed now: none."
    assert stored_status(asset.id) == from_state
    assert event_count(asset.id) == before


@pytest.mark.parametrize(
    ("state", "who", "action"),
    [
        ("draft", "owner", "submit"),
        ("in_review", "sales_reviewer", "approve"),
        ("in_review", "marketing_reviewer", "request_changes"),
        ("approved", "admin", "publish"),
        ("published", "owner", "archive"),
    ],
)
def test_a_deactivated_user_may_not_act(asset_in, actors, state, who, action):
    asset = asset_in(state)
    actor = actors[who]
    actor.active = False
    db.session.commit()
    approvals = approval_count(asset.id)

    assert allowed_actions(asset, actor) == []
    with pytest.raises(NotFound):
        transition(asset, actor, action, "Before I go")
    db.session.rollback()

    assert stored_status(asset.id) == state
    assert approval_count(asset.id) == approvals


def test_publish_makes_the_approved_revision_live(asset_in, actors):
    asset = asset_in("approved")
    rep = actors["rep"]
    assert (asset.live_revision_id, asset.published_at) == (None, None)
    with pytest.raises(NotFound):
        get_visible_asset(rep, asset.id)

    transition(asset, actors["owner"], "publish")
    db.session.commit()

    assert asset.live_revision_id == asset.latest_revision_id is not None
    assert abs(asset.published_at - utcnow()) < timedelta(minutes=1)
    assert asset.archived_at is None
    assert get_visible_asset(rep, asset.id) is asset
    assert allowed_actions(asset, actors["owner"]) == ["archive"]


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
    assert allowed_actions(asset, actors["owner"]) == ["submit"]


def test_a_restored_asset_is_signed_off_again_before_it_goes_live(asset_in, actors):
    """The restored revision is the one approved before it was archived; its reviewers
    must be able to approve it again, or it would sit in review for ever."""
    asset = asset_in("archived")
    sales, marketing = actors["sales_reviewer"], actors["marketing_reviewer"]
    transition(asset, actors["owner"], "restore")
    transition(asset, actors["owner"], "submit", "Back for 2026")
    db.session.commit()

    assert review.missing_sides(asset) == ["sales", "marketing"]
    assert allowed_actions(asset, sales) == ["approve", "request_changes"]
    transition(asset, sales, "approve")
    event = transition(asset, marketing, "approve")
    transition(asset, actors["owner"], "publish")
    db.session.commit()

    assert event.to_state == "approved"
    assert stored_status(asset.id) == "published"
    assert get_visible_asset(actors["rep"], asset.id) is asset


@pytest.mark.parametrize(
    ("state", "who", "action"),
    [("draft", "owner", "submit"), ("in_review", "sales_reviewer", "request_changes")],
)
def test_a_too_long_comment_is_refused_and_changes_nothing(asset_in, actors, state, who, action):
    asset = asset_in(state)
    before = event_count(asset.id)

    with pytest.raises(ValidationFailed) as refused:
        transition(asset, actors[who], action, "x" * (COMMENT_MAX + 1))
    db.session.rollback()

    assert refused.value.fields == {"comment": f"Keep the comment under {COMMENT_MAX} characters."}
    assert stored_status(asset.id) == state
    assert event_count(asset.id) == before


def test_a_comment_of_exactly_the_limit_is_kept(asset_in, actors):
    asset = asset_in("draft")
    event = transition(asset, actors["owner"], "submit", "y" * COMMENT_MAX)
    db.session.commit()
    assert len(db.session.get(WorkflowEvent, event.id).comment) == COMMENT_MAX


def test_history_lists_events_newest_first_with_actor_and_comment(asset_in, actors):
    asset = asset_in("draft")
    owner, admin = actors["owner"], actors["admin"]
    sales, marketing = actors["sales_reviewer"], actors["marketing_reviewer"]
    transition(asset, owner, "submit", "Ready")
    transition(asset, sales, "request_changes", "Add EMEA numbers")
    transition(asset, admin, "submit", "Numbers are in the appendix")
    transition(asset, sales, "approve")
    transition(asset, marketing, "approve", "Good to go")
    transition(asset, owner, "publish", "Launch")
    transition(asset, admin, "archive", "Outdated pricing")
    db.session.commit()

    history = [
        (e.actor.name, e.action, e.from_state, e.to_state, e.comment, e.revision_number)
        for e in asset_history(asset)
    ]
    assert history == [
        (admin.name, "archive", "published", "archived", "Outdated pricing", 1),
        (owner.name, "publish", "approved", "published", "Launch", 1),
        (marketing.name, "approve", "in_review", "approved", "Good to go", 1),
        (sales.name, "approve", "in_review", "in_review", "", 1),
        (admin.name, "submit", "changes_requested", "in_review", "Numbers are in the appendix", 1),
        (sales.name, "request_changes", "in_review", "changes_requested", "Add EMEA numbers", 1),
        (owner.name, "submit", "draft", "in_review", "Ready", 1),
    ]
