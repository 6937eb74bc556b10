"""The transition form on the asset page: buttons, flashes, redirects and refusals."""

import re

import pytest

from tests.conftest import login
from tests.workflows.conftest import event_count, stored_status
from workflows.machine import ASSET_TRANSITIONS
from workflows.views import DONE_MESSAGES


def transition_url(asset) -> str:
    return f"/assets/{asset.id}/transitions"


def action_buttons(html: str) -> list[str]:
    """The actions the page offers as transition buttons, in page order."""
    return re.findall(r'<button type="submit" name="action" value="([a-z_]*)"', html)


def flashes(html: str, category: str) -> list[str]:
    """Flashed messages of one category (the sign-in welcome is still pending in tests)."""
    found = re.findall(r'<p class="flash flash-(\w+)" role="\w+">([^<]*)</p>', html)
    return [message for kind, message in found if kind == category]


@pytest.mark.parametrize(
    ("state", "action", "to_state"),
    [(state, action, to) for (state, action), to in ASSET_TRANSITIONS.items()],
)
def test_posting_an_allowed_action_flashes_and_redirects_to_the_asset(
    client_as, asset_in, state, action, to_state
):
    asset = asset_in(state)
    client = client_as("marketer")

    response = client.form(transition_url(asset), {"action": action, "comment": "Ship it"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/assets/{asset.id}"
    page = client.get(response.headers["Location"])
    assert DONE_MESSAGES[action] in flashes(page.text, "success")
    assert flashes(page.text, "error") == []
    assert stored_status(asset.id) == to_state
    assert "Ship it" in page.text  # the history shows the comment


def test_an_impossible_action_flashes_the_error_and_changes_nothing(client_as, asset_in):
    asset = asset_in("draft")
    client = client_as("marketer")

    response = client.form(transition_url(asset), {"action": "archive"}, follow_redirects=True)

    assert response.request.path == f"/assets/{asset.id}"
    [message] = flashes(response.text, "error")
    assert message == "You cannot archive an asset that is draft. Allowed now: publish."
    assert stored_status(asset.id) == "draft"
    assert event_count(asset.id) == 0


def test_another_marketer_is_refused_with_an_error_flash(client_as, actors, asset_in, app):
    asset = asset_in("draft")
    client = login(app.test_client(), actors["other_marketer"])

    response = client.form(transition_url(asset), {"action": "publish"}, follow_redirects=True)

    [message] = flashes(response.text, "error")
    assert message == "Your role does not allow you to publish this asset. Allowed now: none."
    assert stored_status(asset.id) == "draft"
    assert event_count(asset.id) == 0


def test_a_rep_cannot_reach_a_draft_at_all(client_as, asset_in):
    asset = asset_in("draft")

    response = client_as("rep").form(transition_url(asset), {"action": "publish"})

    assert response.status_code == 404
    assert stored_status(asset.id) == "draft"


def test_a_post_without_csrf_token_is_refused(client_as, asset_in):
    asset = asset_in("draft")
    client = client_as("marketer")

    response = client.post(transition_url(asset), data={"action": "publish"})

    assert response.status_code == 400
    assert stored_status(asset.id) == "draft"
    assert event_count(asset.id) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, asset_in):
    asset = asset_in("draft")

    response = client.form(transition_url(asset), {"action": "publish"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert stored_status(asset.id) == "draft"


@pytest.mark.parametrize(
    ("state", "who", "buttons"),
    [
        ("draft", "owner", ["publish"]),
        ("draft", "admin", ["publish"]),
        ("draft", "other_marketer", []),
        ("published", "owner", ["archive"]),
        ("published", "admin", ["archive"]),
        ("published", "other_marketer", []),
        ("published", "rep", []),
        ("published", "leader", []),
        ("archived", "owner", ["restore"]),
        ("archived", "admin", ["restore"]),
        ("archived", "other_marketer", []),
    ],
)
def test_the_asset_page_shows_buttons_only_for_allowed_actions(
    app, actors, asset_in, state, who, buttons
):
    asset = asset_in(state)
    client = login(app.test_client(), actors[who])

    page = client.get(f"/assets/{asset.id}")

    assert page.status_code == 200
    assert action_buttons(page.text) == buttons
    for action, label in {"publish": "Publish", "archive": "Archive"}.items():
        shown = f">{label}</button>" in page.text
        assert shown == (action in buttons), (action, who, state)


@pytest.mark.parametrize("state", ["draft", "archived"])
@pytest.mark.parametrize("who", ["rep", "leader"])
def test_readers_do_not_see_drafts_or_archived_assets(app, actors, asset_in, who, state):
    asset = asset_in(state)
    client = login(app.test_client(), actors[who])

    assert client.get(f"/assets/{asset.id}").status_code == 404


def test_each_client_acts_as_its_own_user(client_as, asset_in):
    asset = asset_in("draft")
    marketer, rep = client_as("marketer"), client_as("rep")

    assert rep.form(transition_url(asset), {"action": "publish"}).status_code == 404
    assert marketer.form(transition_url(asset), {"action": "publish"}).status_code == 302
    assert stored_status(asset.id) == "published"
