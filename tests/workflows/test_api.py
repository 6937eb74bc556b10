"""The JSON face of the review workflow: POST /api/v1/assets/{id}/transitions and
POST /api/v1/assets/{id}/collaborators call the same services as the pages."""

import pytest

from portal.kernel.extensions import db
from tests.factories import make_asset, token_headers
from tests.portal.helpers import schema_problems
from tests.workflows.helpers import (
    MAY,
    REFUSED,
    acting,
    allowed_from,
    approval_count,
    event_count,
    stored_status,
)
from workflows.review.machine import transition


def url(asset_id) -> str:
    return f"/api/v1/assets/{asset_id}/transitions"


def invite_url(asset_id) -> str:
    return f"/api/v1/assets/{asset_id}/collaborators"


@pytest.fixture
def api_as(app, actors):
    """``api_as("owner")`` returns (client, headers) with a bearer token for that actor."""

    def build(who: str):
        return app.test_client(), token_headers(actors[who])

    return build


# ---- transitions --------------------------------------------------------------------------


def test_submit_returns_the_new_state_the_event_and_who_must_sign_off(api_as, asset_in, actors):
    asset = asset_in("draft")
    client, headers = api_as("owner")

    response = client.post(
        url(asset.id), json={"action": "submit", "comment": "Ready for review"}, headers=headers
    )

    assert response.status_code == 200, response.json
    body = response.json
    assert schema_problems(body, {"$ref": "#/components/schemas/ReviewedAsset"}) == []
    assert (body["id"], body["status"]) == (asset.id, "in_review")
    assert body["allowed_actions"] == []  # the owner waits for the reviewers
    assert (body["live_revision"], body["latest_revision"]) == (None, 1)
    event = body["event"]
    assert (event["action"], event["from"], event["to"]) == ("submit", "draft", "in_review")
    assert event["comment"] == "Ready for review"
    assert event["at"].endswith("+00:00")
    review = body["review"]
    assert (review["policy"], review["missing_sides"]) == ("dual", ["sales", "marketing"])
    people = [
        (c["user"]["email"], c["role"], c["side"], c["approved_latest"])
        for c in review["collaborators"]
    ]
    assert people == [
        (actors["sales_reviewer"].email, "reviewer", "sales", False),
        (actors["marketing_reviewer"].email, "reviewer", "marketing", False),
    ]
    assert stored_status(asset.id) == "in_review"
    assert event_count(asset.id) == 1


def test_approvals_through_the_api_report_the_sign_off_so_far(api_as, asset_in, actors):
    asset = asset_in("in_review")
    sales_client, sales_headers = api_as("sales_reviewer")
    marketing_client, marketing_headers = api_as("marketing_reviewer")

    first = sales_client.post(url(asset.id), json={"action": "approve"}, headers=sales_headers)
    second = marketing_client.post(
        url(asset.id), json={"action": "approve"}, headers=marketing_headers
    )

    assert first.status_code == second.status_code == 200
    assert (first.json["status"], first.json["event"]["to"]) == ("in_review", "in_review")
    assert first.json["review"]["missing_sides"] == ["marketing"]
    assert first.json["allowed_actions"] == ["request_changes"]
    assert [c["approved_latest"] for c in first.json["review"]["collaborators"]] == [True, False]
    assert (second.json["status"], second.json["event"]["to"]) == ("approved", "approved")
    assert second.json["review"]["missing_sides"] == []
    assert stored_status(asset.id) == "approved"
    assert approval_count(asset.id) == 2


@pytest.mark.parametrize(
    ("state", "action", "to_state", "next_actions"),
    [
        ("draft", "submit", "in_review", []),
        ("in_review", "approve", "approved", []),
        ("in_review", "request_changes", "changes_requested", []),
        ("changes_requested", "submit", "in_review", []),
        ("approved", "publish", "published", ["archive"]),
        ("published", "archive", "archived", ["restore"]),
        ("archived", "restore", "draft", ["submit"]),
    ],
)
def test_every_transition_works_through_the_api(
    api_as, asset_in, actors, state, action, to_state, next_actions
):
    asset = asset_in(state)
    who = MAY[action][-1]  # the admin, or the marketing reviewer for review actions
    if action == "approve":
        transition(asset, actors["sales_reviewer"], "approve")
        db.session.commit()
    client, headers = api_as(who)

    response = client.post(
        url(asset.id), json={"action": action, "comment": "Via the API"}, headers=headers
    )

    assert response.status_code == 200, response.json
    assert response.json["status"] == to_state
    assert response.json["event"]["comment"] == "Via the API"
    assert response.json["allowed_actions"] == next_actions
    assert stored_status(asset.id) == to_state


# An empty action never reaches the state machine: it is a 422 (see the input tests).
@pytest.mark.parametrize(("state", "action"), [pair for pair in REFUSED if pair[1]])
def test_every_refused_transition_is_a_409_naming_the_allowed_actions(
    api_as, asset_in, state, action
):
    asset = asset_in(state)
    client, headers = api_as(acting(state))
    before = (event_count(asset.id), approval_count(asset.id))

    response = client.post(
        url(asset.id), json={"action": action, "comment": "Anyway"}, headers=headers
    )

    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "conflict"
    assert error["allowed_actions"] == allowed_from(state)
    assert error["message"].startswith("You cannot ")
    assert error["message"].endswith(f"Allowed now: {', '.join(allowed_from(state))}.")
    assert stored_status(asset.id) == state
    assert (event_count(asset.id), approval_count(asset.id)) == before


@pytest.mark.parametrize(
    ("state", "who", "action", "message"),
    [
        ("published", "rep", "archive", "Your role does not allow you to archive this asset."),
        ("published", "leader", "archive", "Your role does not allow you to archive this asset."),
        ("approved", "other_marketer", "publish", "Your role does not allow you to publish"),
        ("draft", "sales_reviewer", "submit", "Your role does not allow you to submit"),
        ("approved", "marketing_reviewer", "publish", "Your role does not allow you to publish"),
        ("in_review", "owner", "approve", "Only the asset's invited reviewers may approve it."),
        ("in_review", "admin", "request_changes", "Only the asset's invited reviewers may"),
        ("in_review", "other_marketer", "approve", "Only the asset's invited reviewers may"),
    ],
)
def test_someone_who_may_see_but_not_act_gets_a_409_with_no_allowed_actions(
    api_as, asset_in, state, who, action, message
):
    asset = asset_in(state)
    client, headers = api_as(who)
    before = (event_count(asset.id), approval_count(asset.id))

    response = client.post(
        url(asset.id), json={"action": action, "comment": "Please"}, headers=headers
    )

    assert response.status_code == 409
    assert response.json["error"]["allowed_actions"] == []
    assert response.json["error"]["message"].startswith(message)
    assert stored_status(asset.id) == state
    assert (event_count(asset.id), approval_count(asset.id)) == before


def test_approving_twice_through_the_api_is_a_409(api_as, asset_in):
    asset = asset_in("in_review")
    client, headers = api_as("sales_reviewer")
    assert (
        client.post(url(asset.id), json={"action": "approve"}, headers=headers).status_code == 200
    )

    response = client.post(url(asset.id), json={"action": "approve"}, headers=headers)

    assert response.status_code == 409
    assert response.json["error"]["message"] == (
        "You have already approved this revision. Allowed now: request_changes."
    )
    assert response.json["error"]["allowed_actions"] == ["request_changes"]
    assert approval_count(asset.id) == 1


def test_submit_without_reviewers_is_a_409_naming_the_missing_teams(api_as, actors):
    asset = make_asset(actors["owner"], "Pricing FAQ", publish=False)
    client, headers = api_as("owner")

    response = client.post(url(asset.id), json={"action": "submit"}, headers=headers)

    assert response.status_code == 409
    assert response.json["error"]["message"] == (
        "Invite a sales and a marketing reviewer before submitting (dual sign-off). "
        "Allowed now: none."
    )
    assert stored_status(asset.id) == "draft"


@pytest.mark.parametrize(
    ("state", "who", "payload", "field"),
    [
        ("draft", "owner", {}, "action"),
        ("draft", "owner", {"action": ""}, "action"),
        ("draft", "owner", {"action": None}, "action"),
        ("draft", "owner", {"action": 3}, "action"),
        ("draft", "owner", {"comment": "no action given"}, "action"),
        ("draft", "owner", {"action": "submit", "comment": 42}, "comment"),
        ("draft", "owner", {"action": "submit", "comment": "z" * 2001}, "comment"),
        ("in_review", "sales_reviewer", {"action": "request_changes"}, "comment"),
        ("in_review", "sales_reviewer", {"action": "request_changes", "comment": " "}, "comment"),
    ],
)
def test_missing_or_malformed_input_is_a_422(api_as, asset_in, state, who, payload, field):
    asset = asset_in(state)
    client, headers = api_as(who)
    before = event_count(asset.id)

    response = client.post(url(asset.id), json=payload, headers=headers)

    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"]
    assert stored_status(asset.id) == state
    assert event_count(asset.id) == before


@pytest.mark.parametrize("who", ["rep", "leader"])
@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("draft", "submit"),
        ("in_review", "approve"),
        ("approved", "publish"),
        ("archived", "restore"),
    ],
)
def test_a_reader_acting_on_an_asset_they_cannot_see_gets_a_404(
    api_as, asset_in, who, state, action
):
    asset = asset_in(state)
    client, headers = api_as(who)

    response = client.post(url(asset.id), json={"action": action}, headers=headers)

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert stored_status(asset.id) == state


@pytest.mark.parametrize("asset_id", ["999999", "2147483648", "0", "-1", "abc"])
def test_unknown_or_out_of_range_ids_are_404(api_as, asset_id):
    client, headers = api_as("admin")

    response = client.post(url(asset_id), json={"action": "submit"}, headers=headers)

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_without_a_token_the_answer_is_401(app, asset_in):
    asset = asset_in("draft")

    response = app.test_client().post(url(asset.id), json={"action": "submit"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert stored_status(asset.id) == "draft"


@pytest.mark.parametrize(
    "kwargs", [{"data": "action=submit"}, {"data": "[1, 2]", "content_type": "application/json"}]
)
def test_a_body_that_is_not_a_json_object_is_a_400(api_as, asset_in, kwargs):
    asset = asset_in("draft")
    client, headers = api_as("owner")

    response = client.post(url(asset.id), headers=headers, **kwargs)

    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert stored_status(asset.id) == "draft"


# ---- collaborators ------------------------------------------------------------------------


@pytest.fixture
def draft(actors):
    """A draft owned by the marketer with nobody invited yet."""
    return make_asset(actors["owner"], "Migration guide", publish=False)


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_inviting_returns_201_with_the_collaborators_and_the_missing_sides(
    api_as, actors, draft, who
):
    client, headers = api_as(who)
    sales = actors["sales_reviewer"]

    response = client.post(
        invite_url(draft.id),
        json={"email": sales.email.upper(), "role": "reviewer"},
        headers=headers,
    )

    assert response.status_code == 201, response.json
    body = response.json
    assert (body["policy"], body["missing_sides"]) == ("dual", ["sales", "marketing"])
    assert body["collaborators"] == [
        {
            "user": {"id": sales.id, "name": sales.name, "email": sales.email},
            "role": "reviewer",
            "side": "sales",
            "approved_latest": False,
        }
    ]
    assert draft.collaborator_role(sales) == "reviewer"


def test_inviting_again_through_the_api_changes_the_role(api_as, actors, draft):
    client, headers = api_as("owner")
    rep = actors["rep"]
    client.post(invite_url(draft.id), json={"email": rep.email, "role": "author"}, headers=headers)

    response = client.post(
        invite_url(draft.id), json={"email": rep.email, "role": "reviewer"}, headers=headers
    )

    assert response.status_code == 201
    assert [(c["user"]["email"], c["role"]) for c in response.json["collaborators"]] == [
        (rep.email, "reviewer")
    ]


def test_inviting_again_with_the_same_role_is_a_409(api_as, actors, draft):
    client, headers = api_as("owner")
    payload = {"email": actors["rep"].email, "role": "author"}
    client.post(invite_url(draft.id), json=payload, headers=headers)

    response = client.post(invite_url(draft.id), json=payload, headers=headers)

    assert response.status_code == 409
    assert response.json["error"]["message"] == "Riley Rep is already a co-author."


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"email", "role"}),
        ({"email": "rep@example.com"}, {"role"}),
        ({"email": 7, "role": "author"}, {"email"}),
        ({"email": "rep@example.com", "role": ["author"]}, {"role"}),
        ({"email": "nobody@example.com", "role": "author"}, {"email"}),
        ({"email": "rep@example.com", "role": "owner"}, {"role"}),
        ({"email": "marketer@example.com", "role": "reviewer"}, {"email"}),
    ],
)
def test_a_bad_invitation_is_a_422_naming_the_fields(api_as, draft, payload, fields):
    client, headers = api_as("owner")

    response = client.post(invite_url(draft.id), json=payload, headers=headers)

    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"
    assert set(response.json["error"]["fields"]) == fields
    assert draft.collaborators == []


@pytest.mark.parametrize(
    ("state", "who"),
    [
        ("draft", "other_marketer"),
        ("draft", "sales_reviewer"),
        ("published", "rep"),
        ("published", "leader"),
        ("archived", "owner"),
    ],
)
def test_someone_who_may_see_but_not_manage_the_asset_gets_a_403(api_as, asset_in, state, who):
    asset = asset_in(state)
    client, headers = api_as(who)
    before = [c.user_id for c in asset.collaborators]

    response = client.post(
        invite_url(asset.id), json={"email": "rep@example.com", "role": "author"}, headers=headers
    )

    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    db.session.expire_all()
    assert [c.user_id for c in asset.collaborators] == before


@pytest.mark.parametrize("who", ["rep", "leader"])
def test_someone_who_cannot_see_the_asset_gets_a_404_when_inviting(api_as, draft, who):
    client, headers = api_as(who)

    response = client.post(
        invite_url(draft.id), json={"email": "rep@example.com", "role": "author"}, headers=headers
    )

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert draft.collaborators == []


def test_inviting_without_a_token_is_401(app, draft):
    response = app.test_client().post(
        invite_url(draft.id), json={"email": "rep@example.com", "role": "author"}
    )

    assert response.status_code == 401
    assert draft.collaborators == []


def test_an_invited_rep_reads_the_draft_through_the_api(api_as, actors, draft):
    owner_client, owner_headers = api_as("owner")
    rep_client, rep_headers = api_as("rep")
    assert rep_client.get(f"/api/v1/assets/{draft.id}", headers=rep_headers).status_code == 404

    owner_client.post(
        invite_url(draft.id),
        json={"email": "rep@example.com", "role": "author"},
        headers=owner_headers,
    )
    response = rep_client.get(f"/api/v1/assets/{draft.id}", headers=rep_headers)

    assert response.status_code == 200
    assert (response.json["status"], response.json["latest_revision"]) == ("draft", 1)


def test_the_openapi_document_describes_both_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]

    transitions = paths["/api/v1/assets/{asset_id}/transitions"]["post"]
    assert {"200", "404", "409", "422"} <= set(transitions["responses"])
    invite = paths["/api/v1/assets/{asset_id}/collaborators"]["post"]
    assert {"201", "403", "404", "409", "422"} <= set(invite["responses"])
