"""Co-authoring: the owner invites people from either team, and being invited is what lets
a rep or a leader see, edit and review an asset that is not live."""

import pytest
from sqlalchemy import select

from content.library.models import Asset, AssetCollaborator
from content.library.rules import visible_assets
from content.library.services import AssetInput, get_visible_asset, revise_asset, shown_revision
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.permissions import can
from tests.factories import make_asset, make_user
from tests.workflows.helpers import ALL_STATES, revise, stored_status
from workflows.review import collaborators
from workflows.review.machine import allowed_actions, transition

FIELDS_MESSAGE = "Please correct the highlighted fields."
NO_USER = "No active user has that email address."
BAD_ROLE = "Choose co-author or reviewer."


@pytest.fixture
def draft(actors):
    """A draft owned by the marketer with nobody invited yet."""
    return make_asset(actors["owner"], "Competitive battlecard", publish=False)


def invited(asset: Asset) -> list[tuple[str, str]]:
    """(email, role) of the asset's collaborators as the database holds them."""
    rows = db.session.execute(
        select(User.email, AssetCollaborator.role)
        .join(AssetCollaborator, AssetCollaborator.user_id == User.id)
        .where(AssetCollaborator.asset_id == asset.id)
        .order_by(AssetCollaborator.id)
    ).all()
    return [tuple(row) for row in rows]


def visible_ids(user) -> list[int]:
    return db.session.scalars(visible_assets(user).with_only_columns(Asset.id)).all()


# ---- inviting -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["author", "reviewer"])
@pytest.mark.parametrize("who", ["owner", "admin"])
def test_the_owner_or_an_admin_invites_someone_by_email(actors, draft, who, role):
    rep = actors["rep"]

    # Emails are matched however they are typed.
    collaborator = collaborators.invite(draft, actors[who], "  REP@Example.com ", role)
    db.session.commit()

    assert (collaborator.user_id, collaborator.role) == (rep.id, role)
    assert collaborator.invited_by_id == actors[who].id
    assert draft.collaborator_role(rep) == role
    assert invited(draft) == [("rep@example.com", role)]


def test_inviting_again_with_another_role_changes_the_role(actors, draft):
    owner, rep = actors["owner"], actors["rep"]
    first = collaborators.invite(draft, owner, rep.email, "author")
    db.session.commit()

    again = collaborators.invite(draft, owner, rep.email, "reviewer")
    db.session.commit()

    assert again.id == first.id
    assert invited(draft) == [(rep.email, "reviewer")]
    assert can(rep, "approve", draft)


@pytest.mark.parametrize(("role", "label"), [("author", "co-author"), ("reviewer", "reviewer")])
def test_inviting_again_with_the_same_role_is_refused(actors, draft, role, label):
    owner, rep = actors["owner"], actors["rep"]
    collaborators.invite(draft, owner, rep.email, role)
    db.session.commit()

    with pytest.raises(Conflict) as refused:
        collaborators.invite(draft, owner, rep.email, role)
    db.session.rollback()

    assert refused.value.message == f"Riley Rep is already a {label}."
    assert invited(draft) == [(rep.email, role)]


@pytest.mark.parametrize(
    ("email", "role", "fields"),
    [
        ("nobody@example.com", "reviewer", {"email": NO_USER}),
        ("", "author", {"email": NO_USER}),
        ("rep@example.com", "approver", {"role": BAD_ROLE}),
        ("rep@example.com", "", {"role": BAD_ROLE}),
        ("nobody@example.com", "owner", {"email": NO_USER, "role": BAD_ROLE}),
        ("marketer@example.com", "reviewer", {"email": "The owner already works on this asset."}),
    ],
)
def test_a_bad_invitation_is_refused_field_by_field(actors, draft, email, role, fields):
    with pytest.raises(ValidationFailed) as refused:
        collaborators.invite(draft, actors["owner"], email, role)
    db.session.rollback()

    assert (refused.value.message, refused.value.fields) == (FIELDS_MESSAGE, fields)
    assert invited(draft) == []


def test_a_deactivated_user_cannot_be_invited(actors, draft):
    actors["rep"].active = False
    db.session.commit()

    with pytest.raises(ValidationFailed) as refused:
        collaborators.invite(draft, actors["owner"], "rep@example.com", "reviewer")
    db.session.rollback()

    assert refused.value.fields == {"email": NO_USER}
    assert invited(draft) == []


@pytest.mark.parametrize(
    "who", ["other_marketer", "sales_reviewer", "marketing_reviewer", "rep", "leader"]
)
def test_nobody_but_the_owner_or_an_admin_invites(asset_in, actors, who):
    asset = asset_in("in_review")
    before = invited(asset)

    with pytest.raises(PermissionDenied) as refused:
        collaborators.invite(asset, actors[who], "rep@example.com", "author")
    db.session.rollback()

    assert refused.value.message == "Only the owner or an admin invites collaborators."
    assert invited(asset) == before


@pytest.mark.parametrize("state", ALL_STATES)
def test_only_the_owner_or_an_admin_manages_collaborators_until_the_asset_is_archived(
    asset_in, actors, state
):
    asset = asset_in(state)

    managers = {who for who, user in actors.items() if can(user, "manage_collaborators", asset)}

    assert managers == (set() if state == "archived" else {"owner", "admin"})


def test_an_archived_asset_takes_no_new_collaborators(asset_in, actors):
    asset = asset_in("archived")

    with pytest.raises(PermissionDenied):
        collaborators.invite(asset, actors["owner"], actors["rep"].email, "reviewer")
    db.session.rollback()

    assert actors["rep"].email not in dict(invited(asset))


# ---- removing -----------------------------------------------------------------------------


def test_removing_a_collaborator_ends_their_access_but_keeps_their_revisions(actors, draft):
    owner, rep = actors["owner"], actors["rep"]
    collaborators.invite(draft, owner, rep.email, "author")
    db.session.commit()
    revision = revise(draft, rep, "Notes from the field.")

    collaborators.remove(draft, owner, rep.id)
    db.session.commit()

    assert invited(draft) == []
    assert draft.collaborator_role(rep) is None
    with pytest.raises(NotFound):
        get_visible_asset(rep, draft.id)
    assert draft.latest_revision_id == revision.id
    assert draft.latest_revision.author_id == rep.id


def test_removing_someone_who_is_not_a_collaborator_is_not_found(actors, draft):
    with pytest.raises(NotFound) as refused:
        collaborators.remove(draft, actors["owner"], actors["rep"].id)

    assert refused.value.message == "That person is not a collaborator on this asset."


@pytest.mark.parametrize("who", ["other_marketer", "sales_reviewer", "leader"])
def test_nobody_but_the_owner_or_an_admin_removes_collaborators(asset_in, actors, who):
    asset = asset_in("draft")
    before = invited(asset)

    with pytest.raises(PermissionDenied):
        collaborators.remove(asset, actors[who], actors["marketing_reviewer"].id)
    db.session.rollback()

    assert invited(asset) == before


# ---- what being invited lets people see and do --------------------------------------------


@pytest.mark.parametrize("role", ["author", "reviewer"])
def test_an_invited_rep_sees_the_draft_and_other_reps_do_not(actors, draft, role):
    rep, leader = actors["rep"], actors["leader"]
    other_rep = make_user("rep", "other.rep@example.com", "Olly Other-Rep")
    collaborators.invite(draft, actors["owner"], rep.email, role)
    db.session.commit()

    assert get_visible_asset(rep, draft.id) is draft
    assert shown_revision(draft, rep) == draft.latest_revision
    assert draft.id in visible_ids(rep)
    for outsider in (other_rep, leader):
        with pytest.raises(NotFound):
            get_visible_asset(outsider, draft.id)
        assert shown_revision(draft, outsider) is None
        assert draft.id not in visible_ids(outsider)


def test_an_invited_rep_sees_work_in_progress_while_other_reps_see_what_is_live(asset_in, actors):
    asset = asset_in("published")
    owner, rep = actors["owner"], actors["rep"]
    other_rep = make_user("rep", "other.rep@example.com", "Olly Other-Rep")
    live = asset.live_revision
    collaborators.invite(asset, owner, rep.email, "reviewer")
    db.session.commit()

    newer = revise(asset, owner, "A sharper opening.")

    assert shown_revision(asset, rep) == newer
    assert shown_revision(asset, other_rep) == live
    assert can(rep, "view_latest", asset)
    assert not can(other_rep, "view_latest", asset)


def test_a_co_author_edits_and_submits_and_the_reviewers_approve_their_words(asset_in, actors):
    asset = asset_in("draft")
    rep = actors["rep"]
    collaborators.invite(asset, actors["owner"], rep.email, "author")
    db.session.commit()

    revision = revise(asset, rep, "Three objections we hear every week.")
    event = transition(asset, rep, "submit", "Ready for eyes")
    db.session.commit()

    assert (revision.number, revision.author_id) == (2, rep.id)
    assert (event.actor_id, event.to_state, event.revision_number) == (rep.id, "in_review", 2)
    assert allowed_actions(asset, rep) == []  # a co-author does not sign off
    transition(asset, actors["sales_reviewer"], "approve")
    transition(asset, actors["marketing_reviewer"], "approve")
    db.session.commit()
    assert stored_status(asset.id) == "approved"


def test_people_who_were_not_invited_may_not_edit(asset_in, actors):
    asset = asset_in("published")
    rep, latest = actors["rep"], asset.latest_revision_id
    data = AssetInput(title="Rep's take", body="My words.", stages=list(asset.stages))

    assert not can(rep, "edit", asset)
    with pytest.raises(PermissionDenied):
        revise_asset(asset, rep, latest, data)
    db.session.rollback()

    assert asset.latest_revision_id == latest
