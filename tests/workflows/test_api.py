"""POST /api/v1/assets/{id}/transitions: the JSON face of the same state machine."""

import pytest

from tests.conftest import token_headers
from tests.workflows.conftest import event_count, stored_status


def url(asset_id) -> str:
    return f"/api/v1/assets/{asset_id}/transitions"


@pytest.fixture
def api_as(app, actors):
    """``api_as("owner")`` returns (client, headers) with a bearer token for that actor."""

    def build(who: str):
        return app.test_client(), token_headers(actors[who])

    return build


def test_publish_returns_the_new_state_and_what_may_happen_next(api_as, asset_in, actors):
    asset = asset_in("draft")
    client, headers = api_as("owner")

    response = client.post(
        url(asset.id), json={"action": "publish", "comment": "Approved by legal"}, headers=headers
    )

    assert response.status_code == 200, response.json
    body = response.json
    assert body["id"] == asset.id
    assert body["status"] == "published"
    assert body["allowed_actions"] == ["archive"]
    assert body["live_revision"] == body["latest_revision"] == 1
    assert body["published_at"] is not None
    assert body["event"]["action"] == "publish"
    assert (body["event"]["from"], body["event"]["to"]) == ("draft", "published")
    assert body["event"]["comment"] == "Approved by legal"
    assert body["event"]["at"].endswith("+00:00")
    assert stored_status(asset.id) == "published"
    assert event_count(asset.id) == 1


@pytest.mark.parametrize(
    ("state", "action", "to_state", "next_actions"),
    [
        ("published", "archive", "archived", ["restore"]),
        ("archived", "restore", "draft", ["publish"]),
    ],
)
def test_every_transition_works_through_the_api(
    api_as, asset_in, state, action, to_state, next_actions
):
    asset = asset_in(state)
    client, headers = api_as("admin")

    response = client.post(url(asset.id), json={"action": action}, headers=headers)

    assert response.status_code == 200, response.json
    assert response.json["status"] == to_state
    assert response.json["allowed_actions"] == next_actions
    assert response.json["event"]["comment"] == ""


@pytest.mark.parametrize(
    ("state", "action", "allowed"),
    [
        ("draft", "archive", ["publish"]),
        ("draft", "restore", ["publish"]),
        ("published", "publish", ["archive"]),
        ("archived", "archive", ["restore"]),
        ("draft", "self_destruct", ["publish"]),
    ],
)
def test_an_impossible_action_is_a_409_naming_the_allowed_actions(
    api_as, asset_in, state, action, allowed
):
    asset = asset_in(state)
    client, headers = api_as("owner")
    before = event_count(asset.id)

    response = client.post(url(asset.id), json={"action": action}, headers=headers)

    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "conflict"
    assert error["allowed_actions"] == allowed
    assert all(name in error["message"] for name in allowed)
    assert stored_status(asset.id) == state
    assert event_count(asset.id) == before


@pytest.mark.parametrize("who", ["rep", "leader", "other_marketer"])
def test_someone_who_may_read_but_not_act_gets_a_409_with_no_allowed_actions(api_as, asset_in, who):
    asset = asset_in("published")
    client, headers = api_as(who)

    response = client.post(url(asset.id), json={"action": "archive"}, headers=headers)

    assert response.status_code == 409
    assert response.json["error"]["allowed_actions"] == []
    assert response.json["error"]["message"].startswith("Your role does not allow you to archive")
    assert stored_status(asset.id) == "published"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "action"),
        ({"action": ""}, "action"),
        ({"action": None}, "action"),
        ({"action": 3}, "action"),
        ({"comment": "no action given"}, "action"),
        ({"action": "publish", "comment": 42}, "comment"),
        ({"action": "publish", "comment": "z" * 2001}, "comment"),
    ],
)
def test_missing_or_malformed_input_is_a_422(api_as, asset_in, payload, field):
    asset = asset_in("draft")
    client, headers = api_as("owner")

    response = client.post(url(asset.id), json=payload, headers=headers)

    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"]
    assert stored_status(asset.id) == "draft"
    assert event_count(asset.id) == 0


@pytest.mark.parametrize("who", ["rep", "leader"])
@pytest.mark.parametrize("state", ["draft", "archived"])
def test_a_reader_acting_on_an_asset_they_cannot_see_gets_a_404(api_as, asset_in, who, state):
    asset = asset_in(state)
    client, headers = api_as(who)
    action = "publish" if state == "draft" else "restore"

    response = client.post(url(asset.id), json={"action": action}, headers=headers)

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert stored_status(asset.id) == state


@pytest.mark.parametrize("asset_id", ["999999", "2147483648", "0", "-1", "abc"])
def test_unknown_or_out_of_range_ids_are_404(api_as, asset_id):
    client, headers = api_as("admin")

    response = client.post(url(asset_id), json={"action": "publish"}, headers=headers)

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_without_a_token_the_answer_is_401(app, asset_in):
    asset = asset_in("draft")

    response = app.test_client().post(url(asset.id), json={"action": "publish"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert stored_status(asset.id) == "draft"


@pytest.mark.parametrize(
    "kwargs", [{"data": "action=publish"}, {"data": "[1, 2]", "content_type": "application/json"}]
)
def test_a_body_that_is_not_a_json_object_is_a_400(api_as, asset_in, kwargs):
    asset = asset_in("draft")
    client, headers = api_as("owner")

    response = client.post(url(asset.id), headers=headers, **kwargs)

    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert stored_status(asset.id) == "draft"


def test_the_openapi_document_describes_the_endpoint(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]

    operation = paths["/api/v1/assets/{asset_id}/transitions"]["post"]
    assert {"200", "404", "409", "422"} <= set(operation["responses"])
