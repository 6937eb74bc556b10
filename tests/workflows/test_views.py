"""The asset page's workflow: transition buttons, the People section, invitations, flashes,
redirects and refusals."""

import html
import re

import pytest

from portal.kernel.extensions import db
from tests.factories import login, make_asset
from tests.workflows.helpers import (
    MAY,
    TRANSITIONS,
    approval_count,
    event_count,
    revise,
    stored_status,
)
from workflows.review.machine import transition
from workflows.review.views import DONE_MESSAGES

LABELS = {
    "submit": "Submit for review",
    "approve": "Approve",
    "request_changes": "Request changes",
    "publish": "Publish",
    "archive": "Archive",
    "restore": "Restore to draft",
}


def transition_url(asset) -> str:
    return f"/assets/{asset.id}/transitions"


def invite_url(asset) -> str:
    return f"/assets/{asset.id}/collaborators"


def action_buttons(page: str) -> list[str]:
    """The actions the page offers as transition buttons, in page order."""
    return [action for action, _ in labelled_buttons(page)]


def labelled_buttons(page: str) -> list[tuple[str, str]]:
    """(action, label) of each transition button, in page order."""
    return re.findall(r'<button type="submit" name="action" value="([a-z_]*)"[^>]*>([^<]*)<', page)


def flashes(page: str, category: str) -> list[str]:
    """Flashed messages of one category, leaving out the sign-in welcome that is still
    pending because test clients go straight from signing in to posting a form."""
    found = re.findall(r'<p class="flash flash-(\w+)" role="\w+">([^<]*)</p>', page)
    messages = [html.unescape(message) for kind, message in found if kind == category]
    return [message for message in messages if not message.startswith("Welcome back")]


def people_section(page: str) -> list[str]:
    """Each line of the People section as text (owner first), then its hint, if any."""
    section = re.search(r'<section class="review-panel".*?</section>', page, re.S)
    assert section, "the page has no People section"
    lines = re.findall(r"<li[^>]*>(.*?)</li>|<p class=\"hint\">(.*?)</p>", section.group(0), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", html.unescape(a or b)).split()) for a, b in lines]


@pytest.fixture
def browser_as(app, actors):
    """``browser_as("sales_reviewer")``: a client signed in as that actor."""

    def signed_in(who: str):
        return login(app.test_client(), actors[who])

    return signed_in


# ---- transitions --------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "action", "to_state"), TRANSITIONS)
def test_posting_an_allowed_action_flashes_and_redirects_to_the_asset(
    browser_as, actors, asset_in, state, action, to_state
):
    asset = asset_in(state)
    who = MAY[action][0]
    if action == "approve":  # the marketing side signs first, so this approval completes it
        transition(asset, actors["marketing_reviewer"], "approve")
        db.session.commit()
    client = browser_as(who)

    response = client.form(transition_url(asset), {"action": action, "comment": "Ship it"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/assets/{asset.id}"
    page = client.get(response.headers["Location"])
    expected = (
        "Approved. Every sign-off is in: the owner can publish."
        if action == "approve"
        else DONE_MESSAGES[action]
    )
    assert flashes(page.text, "success") == [expected]
    assert flashes(page.text, "error") == []
    assert stored_status(asset.id) == to_state
    assert "Ship it" in page.text  # the history shows the comment


def test_the_first_approval_says_which_team_is_still_to_sign(browser_as, asset_in):
    asset = asset_in("in_review")
    client = browser_as("sales_reviewer")

    page = client.form(transition_url(asset), {"action": "approve"}, follow_redirects=True)

    assert flashes(page.text, "success") == ["Approved. Still waiting for a marketing approval."]
    assert stored_status(asset.id) == "in_review"
    assert approval_count(asset.id) == 1


def test_an_impossible_action_flashes_the_error_and_changes_nothing(browser_as, asset_in):
    asset = asset_in("draft")
    client = browser_as("owner")

    response = client.form(transition_url(asset), {"action": "archive"}, follow_redirects=True)

    assert response.request.path == f"/assets/{asset.id}"
    assert flashes(response.text, "error") == [
        "You cannot archive an asset that is draft. Allowed now: submit."
    ]
    assert stored_status(asset.id) == "draft"
    assert event_count(asset.id) == 0


@pytest.mark.parametrize(
    ("state", "who", "action", "message"),
    [
        ("approved", "other_marketer", "publish", "Your role does not allow you to publish"),
        ("in_review", "owner", "approve", "Only the asset's invited reviewers may approve it."),
        ("draft", "marketing_reviewer", "submit", "Your role does not allow you to submit"),
    ],
)
def test_someone_without_the_role_is_refused_with_an_error_flash(
    browser_as, asset_in, state, who, action, message
):
    asset = asset_in(state)
    before = event_count(asset.id)

    response = browser_as(who).form(
        transition_url(asset), {"action": action}, follow_redirects=True
    )

    [shown] = flashes(response.text, "error")
    assert shown.startswith(message)
    assert shown.endswith("Allowed now: none.")
    assert stored_status(asset.id) == state
    assert event_count(asset.id) == before


def test_requesting_changes_without_a_comment_is_refused_with_a_flash(browser_as, asset_in):
    asset = asset_in("in_review")

    response = browser_as("marketing_reviewer").form(
        transition_url(asset), {"action": "request_changes", "comment": "  "}, follow_redirects=True
    )

    assert flashes(response.text, "error") == [
        "Say what should change: the author sees your comment."
    ]
    assert stored_status(asset.id) == "in_review"
    assert event_count(asset.id, "request_changes") == 0


def test_a_rep_cannot_reach_a_draft_at_all(browser_as, asset_in):
    asset = asset_in("draft")

    response = browser_as("rep").form(transition_url(asset), {"action": "submit"})

    assert response.status_code == 404
    assert stored_status(asset.id) == "draft"


def test_a_post_without_csrf_token_is_refused(browser_as, asset_in):
    asset = asset_in("draft")

    response = browser_as("owner").post(transition_url(asset), data={"action": "submit"})

    assert response.status_code == 400
    assert stored_status(asset.id) == "draft"
    assert event_count(asset.id) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, asset_in):
    asset = asset_in("draft")

    response = client.form(transition_url(asset), {"action": "submit"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert stored_status(asset.id) == "draft"


# The transition buttons each person sees; the table in test_review.py checks the same
# answers at the service level, this one checks that the page renders exactly those.
BUTTONS = [
    ("draft", "owner", ["submit"]),
    ("draft", "admin", ["submit"]),
    ("draft", "sales_reviewer", []),
    ("draft", "other_marketer", []),
    ("in_review", "owner", []),
    ("in_review", "sales_reviewer", ["approve", "request_changes"]),
    ("in_review", "marketing_reviewer", ["approve", "request_changes"]),
    ("in_review", "other_marketer", []),
    ("changes_requested", "owner", ["submit"]),
    ("changes_requested", "marketing_reviewer", []),
    ("approved", "owner", ["publish"]),
    ("approved", "admin", ["publish"]),
    ("approved", "sales_reviewer", []),
    ("published", "owner", ["archive"]),
    ("published", "rep", []),
    ("published", "leader", []),
    ("archived", "admin", ["restore"]),
    ("archived", "other_marketer", []),
]


@pytest.mark.parametrize(("state", "who", "buttons"), BUTTONS)
def test_the_asset_page_shows_buttons_only_for_allowed_actions(
    browser_as, asset_in, state, who, buttons
):
    asset = asset_in(state)

    page = browser_as(who).get(f"/assets/{asset.id}")

    assert page.status_code == 200
    assert labelled_buttons(page.text) == [(action, LABELS[action]) for action in buttons]


@pytest.mark.parametrize("state", ["draft", "in_review", "approved", "archived"])
@pytest.mark.parametrize("who", ["rep", "leader"])
def test_readers_do_not_see_assets_that_are_not_live(browser_as, asset_in, who, state):
    asset = asset_in(state)

    assert browser_as(who).get(f"/assets/{asset.id}").status_code == 404


def test_each_client_acts_as_its_own_user(browser_as, asset_in):
    asset = asset_in("draft")
    owner, rep = browser_as("owner"), browser_as("rep")

    assert rep.form(transition_url(asset), {"action": "submit"}).status_code == 404
    assert owner.form(transition_url(asset), {"action": "submit"}).status_code == 302
    assert stored_status(asset.id) == "in_review"


# ---- the People section -------------------------------------------------------------------


def test_the_people_section_shows_who_has_signed_and_who_is_awaited(browser_as, asset_in, actors):
    asset = asset_in("in_review")
    transition(asset, actors["sales_reviewer"], "approve")
    db.session.commit()
    owner = actors["owner"]

    page = browser_as("owner").get(f"/assets/{asset.id}")

    assert people_section(page.text) == [
        f"{owner.name} owner",
        "Sam Sales-Review Reviewer · sales approved Remove",
        "Mo Marketing-Review Reviewer · marketing waiting Remove",
        "Waiting for a marketing approval (dual sign-off).",
    ]
    assert 'aria-label="Invite a collaborator"' in page.text


def test_reviewers_see_the_people_section_without_the_invite_form(browser_as, asset_in, actors):
    asset = asset_in("in_review")

    page = browser_as("marketing_reviewer").get(f"/assets/{asset.id}")

    assert people_section(page.text) == [
        f"{actors['owner'].name} owner",
        "Sam Sales-Review Reviewer · sales waiting",
        "Mo Marketing-Review Reviewer · marketing waiting",
        "Waiting for a sales and a marketing approval (dual sign-off).",
    ]
    assert 'aria-label="Invite a collaborator"' not in page.text


def test_a_draft_without_reviewers_says_whom_to_invite(browser_as, actors):
    asset = make_asset(actors["owner"], "Analyst brief", publish=False)

    page = browser_as("owner").get(f"/assets/{asset.id}")

    assert people_section(page.text) == [
        f"{actors['owner'].name} owner",
        "No collaborators yet.",
        "Before submitting, invite a sales and a marketing reviewer (dual sign-off).",
    ]
    assert action_buttons(page.text) == []


def test_reps_reading_a_live_asset_do_not_see_the_people_section(browser_as, asset_in):
    asset = asset_in("published")

    page = browser_as("rep").get(f"/assets/{asset.id}")

    assert page.status_code == 200
    assert 'class="review-panel"' not in page.text


def test_a_published_asset_with_a_newer_revision_links_to_the_changes_since_live(
    browser_as, asset_in, actors
):
    asset = asset_in("published")
    client = browser_as("owner")
    assert "Changes since live" not in client.get(f"/assets/{asset.id}").text

    revise(asset, actors["owner"], "A new section on the Zephyr rollout.")
    page = client.get(f"/assets/{asset.id}")

    link = f'<a href="/assets/{asset.id}/diff?from=1&amp;to=2">Changes since live</a>'
    assert link in page.text
    assert "(revision 1 → 2)" in page.text
    diff = client.get(f"/assets/{asset.id}/diff?from=1&to=2")
    assert diff.status_code == 200
    assert "Zephyr" in diff.text
    # Reps still read revision 1 and get no link to work in progress.
    rep_page = browser_as("rep").get(f"/assets/{asset.id}")
    assert "Changes since live" not in rep_page.text
    assert "Zephyr" not in rep_page.text


# ---- inviting and removing through the page -----------------------------------------------


@pytest.mark.parametrize(("role", "label"), [("author", "co-author"), ("reviewer", "reviewer")])
def test_the_owner_invites_through_the_page(browser_as, actors, asset_in, role, label):
    asset = asset_in("draft")
    rep = actors["rep"]

    page = browser_as("owner").form(
        invite_url(asset), {"email": rep.email, "role": role}, follow_redirects=True
    )

    assert page.request.path == f"/assets/{asset.id}"
    assert flashes(page.text, "success") == [f"Riley Rep is now a {label} and has been told."]
    db.session.expire_all()
    assert asset.collaborator_role(rep) == role
    assert any(line.startswith("Riley Rep ") for line in people_section(page.text))


def test_inviting_again_through_the_page_changes_the_role(browser_as, actors, asset_in):
    asset = asset_in("draft")
    client = browser_as("owner")
    client.form(
        invite_url(asset), {"email": "rep@example.com", "role": "author"}, follow_redirects=True
    )

    page = client.form(
        invite_url(asset), {"email": "rep@example.com", "role": "reviewer"}, follow_redirects=True
    )

    assert flashes(page.text, "success") == ["Riley Rep is now a reviewer and has been told."]
    db.session.expire_all()
    assert asset.collaborator_role(actors["rep"]) == "reviewer"


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("nobody@example.com", "author", "No active user has that email address."),
        ("rep@example.com", "boss", "Choose co-author or reviewer."),
        ("marketer@example.com", "author", "The owner already works on this asset."),
        ("sales.reviewer@example.com", "reviewer", "Sam Sales-Review is already a reviewer."),
    ],
)
def test_a_bad_invitation_through_the_page_flashes_why(browser_as, asset_in, email, role, message):
    asset = asset_in("draft")
    before = [(c.user_id, c.role) for c in asset.collaborators]

    page = browser_as("owner").form(
        invite_url(asset), {"email": email, "role": role}, follow_redirects=True
    )

    assert flashes(page.text, "error") == [message]
    assert flashes(page.text, "success") == []
    db.session.expire_all()
    assert [(c.user_id, c.role) for c in asset.collaborators] == before


def test_an_invitation_needs_the_csrf_token(browser_as, asset_in, actors):
    asset = asset_in("draft")

    response = browser_as("owner").post(
        invite_url(asset), data={"email": "rep@example.com", "role": "author"}
    )

    assert response.status_code == 400
    db.session.expire_all()
    assert asset.collaborator_role(actors["rep"]) is None


@pytest.mark.parametrize("who", ["other_marketer", "sales_reviewer"])
def test_someone_who_is_not_the_owner_is_refused_with_a_flash(browser_as, asset_in, actors, who):
    asset = asset_in("draft")

    page = browser_as(who).form(
        invite_url(asset), {"email": "rep@example.com", "role": "author"}, follow_redirects=True
    )

    assert flashes(page.text, "error") == ["Only the owner or an admin invites collaborators."]
    db.session.expire_all()
    assert asset.collaborator_role(actors["rep"]) is None


def test_someone_who_cannot_see_the_asset_gets_a_404_when_inviting(browser_as, asset_in, actors):
    asset = asset_in("draft")

    response = browser_as("leader").form(
        invite_url(asset), {"email": "leader@example.com", "role": "reviewer"}
    )

    assert response.status_code == 404
    db.session.expire_all()
    assert asset.collaborator_role(actors["leader"]) is None


def test_an_invited_rep_opens_the_draft_and_an_uninvited_one_cannot(browser_as, asset_in, app):
    asset = asset_in("draft")
    rep = browser_as("rep")
    assert rep.get(f"/assets/{asset.id}").status_code == 404

    browser_as("owner").form(invite_url(asset), {"email": "rep@example.com", "role": "author"})
    page = rep.get(f"/assets/{asset.id}")

    assert page.status_code == 200
    assert "Riley Rep Co-author · sales" in people_section(page.text)
    assert action_buttons(page.text) == ["submit"]


def test_the_owner_removes_a_collaborator_through_the_page(browser_as, asset_in, actors):
    asset = asset_in("draft")
    sales = actors["sales_reviewer"]

    page = browser_as("owner").form(
        f"/assets/{asset.id}/collaborators/{sales.id}/remove", follow_redirects=True
    )

    assert flashes(page.text, "success") == [
        "Removed from the asset. Their revisions and comments stay."
    ]
    db.session.expire_all()
    assert asset.collaborator_role(sales) is None
    assert browser_as("sales_reviewer").get(f"/assets/{asset.id}").status_code == 404


def test_removing_needs_the_owner(browser_as, asset_in, actors):
    asset = asset_in("draft")
    sales = actors["sales_reviewer"]

    page = browser_as("marketing_reviewer").form(
        f"/assets/{asset.id}/collaborators/{sales.id}/remove", follow_redirects=True
    )

    assert flashes(page.text, "error") == ["Only the owner or an admin removes collaborators."]
    db.session.expire_all()
    assert asset.collaborator_role(sales) == "reviewer"
