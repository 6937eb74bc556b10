"""Sign-off: who must approve a submitted revision before it can be published, and how the
policy, authorship and later edits change that."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from content.library.models import Asset
from content.library.rules import visible_assets
from content.library.services import get_visible_asset, shown_revision
from portal.kernel.errors import Conflict, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.permissions import can
from tests.factories import make_asset, make_user
from tests.workflows.helpers import (
    ALL_STATES,
    approval_count,
    event_count,
    revise,
    stored_status,
    take,
)
from workflows.review import collaborators
from workflows.review import policy as review
from workflows.review.machine import allowed_actions, asset_history, transition
from workflows.review.models import Approval

DUAL = "Invite a {} reviewer before submitting (dual sign-off). Allowed now: none."


def approvers(asset: Asset) -> list[tuple[str, str]]:
    """(reviewer email, side) of the approvals the latest revision holds, oldest first."""
    return [(approval.reviewer.email, approval.side) for approval in review.approvals(asset)]


@pytest.fixture
def co_author(app):
    """A rep for the owner to invite as co-author."""
    return make_user("rep", "casey.coauthor@example.com", "Casey Co-author")


@pytest.fixture
def second_sales_reviewer(app):
    return make_user("rep", "sasha.sales@example.com", "Sasha Sales", department="sales")


def invite(asset: Asset, actors: dict, user, role: str) -> None:
    collaborators.invite(asset, actors["owner"], user.email, role)
    db.session.commit()


# ---- dual and single sign-off -----------------------------------------------------------


def test_dual_sign_off_needs_a_sales_and_a_marketing_approval(asset_in, actors):
    asset = asset_in("in_review")
    owner = actors["owner"]
    sales, marketing = actors["sales_reviewer"], actors["marketing_reviewer"]
    assert review.policy() == "dual"

    first = transition(asset, sales, "approve", "Numbers check out")
    db.session.commit()

    # One team has signed: the asset stays in review and the event says so.
    assert (first.action, first.from_state, first.to_state) == ("approve", "in_review", "in_review")
    assert stored_status(asset.id) == "in_review"
    assert approvers(asset) == [(sales.email, "sales")]
    assert review.approvals(asset)[0].revision_id == asset.latest_revision_id
    assert review.missing_sides(asset) == ["marketing"]
    assert allowed_actions(asset, owner) == []
    assert allowed_actions(asset, sales) == ["request_changes"]

    second = transition(asset, marketing, "approve")
    db.session.commit()

    assert (second.from_state, second.to_state) == ("in_review", "approved")
    assert stored_status(asset.id) == "approved"
    assert approvers(asset) == [(sales.email, "sales"), (marketing.email, "marketing")]
    assert review.missing_sides(asset) == []
    assert allowed_actions(asset, owner) == ["publish"]


def test_two_approvals_from_the_same_team_do_not_meet_dual_sign_off(
    asset_in, actors, second_sales_reviewer
):
    asset = asset_in("in_review")
    invite(asset, actors, second_sales_reviewer, "reviewer")

    transition(asset, actors["sales_reviewer"], "approve")
    event = transition(asset, second_sales_reviewer, "approve")
    db.session.commit()

    assert event.to_state == "in_review"
    assert stored_status(asset.id) == "in_review"
    assert [side for _, side in approvers(asset)] == ["sales", "sales"]
    assert review.missing_sides(asset) == ["marketing"]
    assert allowed_actions(asset, actors["owner"]) == []


def test_a_reviewer_signs_for_their_department_whatever_their_role(actors):
    """A sales rep and a marketer are as good a pair of reviewers as two leaders."""
    owner, rep, marketer = actors["owner"], actors["rep"], actors["other_marketer"]
    asset = make_asset(owner, "Objection handling", publish=False)
    for reviewer in (rep, marketer):
        collaborators.invite(asset, owner, reviewer.email, "reviewer")
    transition(asset, owner, "submit")

    transition(asset, marketer, "approve")
    event = transition(asset, rep, "approve")
    db.session.commit()

    assert event.to_state == "approved"
    assert approvers(asset) == [(marketer.email, "marketing"), (rep.email, "sales")]


@pytest.mark.parametrize("who", ["sales_reviewer", "marketing_reviewer"])
def test_single_policy_needs_one_approval_from_either_team(asset_in, actors, review_policy, who):
    review_policy("single")
    asset = asset_in("in_review")

    event = transition(asset, actors[who], "approve")
    db.session.commit()

    assert (event.from_state, event.to_state) == ("in_review", "approved")
    assert stored_status(asset.id) == "approved"
    assert review.missing_sides(asset) == []
    assert allowed_actions(asset, actors["owner"]) == ["publish"]


def test_single_policy_lets_one_reviewer_of_either_team_be_enough_to_submit(actors, review_policy):
    review_policy("single")
    owner = actors["owner"]
    asset = make_asset(owner, "Case study", publish=False)

    with pytest.raises(Conflict) as refused:
        transition(asset, owner, "submit")
    db.session.rollback()
    assert refused.value.message == "Invite a reviewer before submitting. Allowed now: none."

    collaborators.invite(asset, owner, actors["marketing_reviewer"].email, "reviewer")
    transition(asset, owner, "submit")
    assert review.missing_sides(asset) == ["any"]
    transition(asset, actors["marketing_reviewer"], "approve")
    db.session.commit()
    assert stored_status(asset.id) == "approved"


@pytest.mark.parametrize(
    ("invited", "missing"),
    [
        ((), "sales and a marketing"),
        (("sales_reviewer",), "marketing"),
        (("marketing_reviewer",), "sales"),
    ],
)
def test_submit_without_the_required_reviewers_is_refused_naming_the_missing_team(
    actors, invited, missing
):
    owner = actors["owner"]
    asset = make_asset(owner, "ROI calculator", publish=False)
    for who in invited:
        collaborators.invite(asset, owner, actors[who].email, "reviewer")
    db.session.commit()
    assert allowed_actions(asset, owner) == []

    with pytest.raises(Conflict) as refused:
        transition(asset, owner, "submit")
    db.session.rollback()

    assert refused.value.message == DUAL.format(missing)
    assert refused.value.allowed == []
    assert stored_status(asset.id) == "draft"
    assert event_count(asset.id) == 0


def test_co_authors_and_deactivated_reviewers_do_not_count_towards_sign_off(asset_in, actors):
    asset = asset_in("draft")
    invite(asset, actors, actors["marketing_reviewer"], "author")
    actors["sales_reviewer"].active = False
    db.session.commit()

    with pytest.raises(Conflict) as refused:
        transition(asset, actors["owner"], "submit")
    db.session.rollback()

    assert refused.value.message == DUAL.format("sales and a marketing")
    assert stored_status(asset.id) == "draft"


# ---- who approves which revision --------------------------------------------------------


def test_a_reviewer_who_edits_cannot_approve_their_revision_but_another_reviewer_can(
    asset_in, actors, second_sales_reviewer
):
    asset = asset_in("in_review")
    sales, marketing = actors["sales_reviewer"], actors["marketing_reviewer"]
    invite(asset, actors, second_sales_reviewer, "reviewer")

    revision = revise(asset, sales, "Fixed the win-rate figure.")

    assert (revision.author_id, revision.number) == (sales.id, 2)
    assert stored_status(asset.id) == "in_review"
    assert allowed_actions(asset, sales) == []
    for action in ("approve", "request_changes"):
        with pytest.raises(Conflict) as refused:
            transition(asset, sales, action, "Mine is fine")
        db.session.rollback()
        assert refused.value.message == (
            "You wrote this revision, so another reviewer must review it. Allowed now: none."
        )
    assert approval_count(asset.id) == 0

    transition(asset, second_sales_reviewer, "approve")
    event = transition(asset, marketing, "approve")
    db.session.commit()

    assert event.to_state == "approved"
    assert approvers(asset) == [
        (second_sales_reviewer.email, "sales"),
        (marketing.email, "marketing"),
    ]


def test_a_co_author_made_reviewer_still_cannot_approve_what_they_wrote(
    asset_in, actors, co_author
):
    asset = asset_in("draft")
    invite(asset, actors, co_author, "author")
    revise(asset, co_author, "Added the field objections.")
    invite(asset, actors, co_author, "reviewer")
    transition(asset, actors["owner"], "submit")
    db.session.commit()

    assert "approve" not in allowed_actions(asset, co_author)
    with pytest.raises(Conflict):
        transition(asset, co_author, "approve")
    db.session.rollback()
    assert approval_count(asset.id) == 0


def test_approving_twice_is_refused(asset_in, actors):
    asset = asset_in("in_review")
    sales = actors["sales_reviewer"]
    transition(asset, sales, "approve")
    db.session.commit()
    before = event_count(asset.id)

    with pytest.raises(Conflict) as refused:
        transition(asset, sales, "approve")
    db.session.rollback()

    assert refused.value.message == (
        "You have already approved this revision. Allowed now: request_changes."
    )
    assert refused.value.allowed == ["request_changes"]
    assert approval_count(asset.id) == 1
    assert event_count(asset.id) == before
    assert stored_status(asset.id) == "in_review"


def test_the_database_refuses_a_second_approval_of_the_same_revision(asset_in, actors):
    """The service checks first; the unique constraint is the backstop for races."""
    asset = asset_in("in_review")
    sales = actors["sales_reviewer"]
    transition(asset, sales, "approve")
    db.session.commit()

    db.session.add(
        Approval(
            asset_id=asset.id,
            revision_id=asset.latest_revision_id,
            reviewer_id=sales.id,
            side="sales",
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert approval_count(asset.id) == 1


# ---- edits during and after review ------------------------------------------------------


def test_an_edit_after_approval_resets_the_approvals_and_returns_the_asset_to_review(
    asset_in, actors
):
    asset = asset_in("approved")
    owner = actors["owner"]
    sales, marketing = actors["sales_reviewer"], actors["marketing_reviewer"]
    approved_revision = asset.latest_revision_id

    revise(asset, owner, "One more customer quote.")

    assert stored_status(asset.id) == "in_review"
    assert review.approvals(asset) == []
    assert review.missing_sides(asset) == ["sales", "marketing"]
    # The earlier sign-off stays on record, attached to the revision it was given for.
    old = db.session.scalars(select(Approval).where(Approval.asset_id == asset.id)).all()
    assert {approval.revision_id for approval in old} == {approved_revision}
    assert allowed_actions(asset, owner) == []
    assert allowed_actions(asset, sales) == ["approve", "request_changes"]

    transition(asset, sales, "approve")
    event = transition(asset, marketing, "approve")
    db.session.commit()

    assert event.to_state == "approved"
    assert event.revision_number == 2
    assert approval_count(asset.id) == 4


def test_an_edit_during_review_discards_the_approvals_given_so_far(asset_in, actors):
    asset = asset_in("in_review")
    sales, marketing = actors["sales_reviewer"], actors["marketing_reviewer"]
    transition(asset, sales, "approve")
    db.session.commit()

    revise(asset, actors["owner"], "Reworded the headline.")

    assert stored_status(asset.id) == "in_review"
    assert review.missing_sides(asset) == ["sales", "marketing"]
    # The marketing approval alone is no longer enough: sales must approve the new words.
    event = transition(asset, marketing, "approve")
    db.session.commit()
    assert event.to_state == "in_review"
    assert review.missing_sides(asset) == ["sales"]
    assert "approve" in allowed_actions(asset, sales)


# ---- requesting changes -----------------------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   \n  "])
def test_request_changes_without_a_comment_is_refused_and_changes_nothing(
    asset_in, actors, comment
):
    asset = asset_in("in_review")
    before = event_count(asset.id)

    with pytest.raises(ValidationFailed) as refused:
        transition(asset, actors["marketing_reviewer"], "request_changes", comment)
    db.session.rollback()

    message = "Say what should change: the author sees your comment."
    assert (refused.value.message, refused.value.fields) == (message, {"comment": message})
    assert stored_status(asset.id) == "in_review"
    assert event_count(asset.id) == before


def test_changes_requested_go_back_to_the_authors_and_come_back_for_review(asset_in, actors):
    asset = asset_in("in_review")
    owner, marketing = actors["owner"], actors["marketing_reviewer"]

    transition(asset, marketing, "request_changes", "Cite the analyst report.")
    db.session.commit()
    assert stored_status(asset.id) == "changes_requested"
    assert allowed_actions(asset, owner) == ["submit"]
    assert allowed_actions(asset, marketing) == []

    revise(asset, owner, "Now citing the analyst report.")
    assert stored_status(asset.id) == "changes_requested"
    transition(asset, owner, "submit", "Report cited in section 2.")
    db.session.commit()

    assert stored_status(asset.id) == "in_review"
    assert [(e.action, e.comment) for e in asset_history(asset)[:2]] == [
        ("submit", "Report cited in section 2."),
        ("request_changes", "Cite the analyst report."),
    ]


# ---- the live revision while a new one is reviewed --------------------------------------


def test_a_new_revision_of_a_live_asset_never_takes_it_offline(asset_in, actors):
    asset = asset_in("published")
    owner, rep, sales = actors["owner"], actors["rep"], actors["sales_reviewer"]
    live, first_published = asset.live_revision, asset.published_at

    def reps_still_see_the_live_revision():
        assert get_visible_asset(rep, asset.id) is asset
        assert shown_revision(asset, rep) == live
        ids = db.session.scalars(visible_assets(rep).with_only_columns(Asset.id)).all()
        assert asset.id in ids

    second = revise(asset, owner, "Now with SOC 2 Type II.")
    assert stored_status(asset.id) == "draft"
    reps_still_see_the_live_revision()
    # Reviewers and marketers work on the new revision meanwhile.
    assert shown_revision(asset, sales) == second

    for action, state in [
        ("submit", "in_review"),
        ("request_changes", "changes_requested"),
        ("submit", "in_review"),
        ("approve", "approved"),
    ]:
        take(asset, action, actors)
        db.session.commit()
        assert stored_status(asset.id) == state
        reps_still_see_the_live_revision()

    transition(asset, owner, "publish")
    db.session.commit()

    assert asset.live_revision_id == second.id == asset.latest_revision_id
    assert asset.published_at >= first_published
    assert shown_revision(asset, rep).body == "Now with SOC 2 Type II."
    assert [e.revision_number for e in asset_history(asset)][:2] == [2, 2]


# ---- the permission matrix for review and co-authoring ----------------------------------

PEOPLE = (
    "owner",
    "admin",
    "co_author",
    "sales_reviewer",
    "marketing_reviewer",
    "other_marketer",
    "rep",
    "leader",
)
CAN_ACTIONS = (
    "view",
    "view_latest",
    "edit",
    "submit",
    "approve",
    "request_changes",
    "manage_collaborators",
    "publish",
)
# can(user, action, asset) on an asset in review that nobody has approved yet. Invited
# people see it and may edit; only reviewers sign off; the owner side runs the workflow.
CAN = {
    #                     view latest edit submit approve changes manage publish
    "owner":              (1,   1,     1,   1,     0,      0,      1,     1),
    "admin":              (1,   1,     1,   1,     0,      0,      1,     1),
    "co_author":          (1,   1,     1,   1,     0,      0,      0,     0),
    "sales_reviewer":     (1,   1,     1,   0,     1,      1,      0,     0),
    "marketing_reviewer": (1,   1,     1,   0,     1,      1,      0,     0),
    "other_marketer":     (1,   1,     0,   0,     0,      0,      0,     0),
    "rep":                (0,   0,     0,   0,     0,      0,      0,     0),
    "leader":             (0,   0,     0,   0,     0,      0,      0,     0),
}  # fmt: skip
# The buttons (allowed_actions) each person gets in each state; everyone else gets none.
BUTTONS = {
    "draft": {"owner": ["submit"], "admin": ["submit"], "co_author": ["submit"]},
    "in_review": {
        "sales_reviewer": ["approve", "request_changes"],
        "marketing_reviewer": ["approve", "request_changes"],
    },
    "changes_requested": {"owner": ["submit"], "admin": ["submit"], "co_author": ["submit"]},
    "approved": {"owner": ["publish"], "admin": ["publish"]},
    "published": {"owner": ["archive"], "admin": ["archive"]},
    "archived": {"owner": ["restore"], "admin": ["restore"]},
}


@pytest.fixture
def people(actors, co_author):
    return {**actors, "co_author": co_author}


def test_the_review_permission_matrix(asset_in, people):
    asset = asset_in("in_review")
    invite(asset, people, people["co_author"], "author")

    actual = {
        who: tuple(int(can(people[who], action, asset)) for action in CAN_ACTIONS) for who in PEOPLE
    }

    assert actual == CAN


@pytest.mark.parametrize("state", ALL_STATES)
def test_each_person_gets_the_buttons_for_their_part_in_each_state(asset_in, people, state):
    asset = asset_in(state)
    if state != "archived":  # nobody is invited to an archived asset
        invite(asset, people, people["co_author"], "author")

    actual = {who: allowed_actions(asset, people[who]) for who in PEOPLE}

    assert actual == {who: BUTTONS[state].get(who, []) for who in PEOPLE}


# ---- withdrawn approvals -------------------------------------------------------------------


def test_requesting_changes_takes_back_the_reviewers_own_earlier_approval(asset_in, actors):
    asset = asset_in("in_review")
    sales = actors["sales_reviewer"]
    transition(asset, sales, "approve")
    db.session.commit()

    transition(asset, sales, "request_changes", "On second thoughts, cite the source.")
    transition(asset, actors["owner"], "submit")
    db.session.commit()

    assert approvers(asset) == []
    assert "approve" in allowed_actions(asset, sales)


def test_removing_a_reviewer_who_approved_sends_an_approved_asset_back_to_review(asset_in, actors):
    asset = asset_in("approved")

    collaborators.remove(asset, actors["owner"], actors["marketing_reviewer"].id)
    db.session.commit()

    assert stored_status(asset.id) == "in_review"
    assert [side for _name, side in approvers(asset)] == ["sales"]
    latest = asset_history(asset)[0]
    assert (latest.action, latest.from_state, latest.to_state, latest.actor_id) == (
        "withdraw_approval",
        "approved",
        "in_review",
        actors["owner"].id,
    )
    assert "publish" not in allowed_actions(asset, actors["owner"])


def test_a_reviewer_made_co_author_no_longer_counts_towards_sign_off(asset_in, actors):
    asset = asset_in("approved")
    sales = actors["sales_reviewer"]

    collaborators.invite(asset, actors["owner"], sales.email, "author")
    db.session.commit()

    assert stored_status(asset.id) == "in_review"
    assert review.missing_sides(asset) == ["sales"]
