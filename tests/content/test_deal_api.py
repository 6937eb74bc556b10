"""The deals API: reps keep their deals, leaders read them, a CRM upserts them by its id."""

import pytest
from sqlalchemy import func, select

from content.deals.models import Deal
from content.usage import events as usage
from content.usage.models import UsageEvent
from portal.kernel.extensions import db
from tests.factories import make_asset, make_user, token_headers
from tests.portal.helpers import schema_problems

NOT_REPS = ("leader", "admin", "marketer")
NEW_DEAL = {
    "name": "Acme renewal",
    "account": "Acme",
    "amount": 12500.5,
    "stage": "decision",
    "close_date": "2030-06-30",
}
SYNCED = NEW_DEAL | {"owner": "rep@example.com"}  # as an admin's CRM sync sends it


@pytest.fixture
def api(client, users):
    """``api(who, method, path, body)`` calls the API with the token of ``who``: a role
    of the ``users`` fixture or a user."""
    headers = {}

    def call(who, method: str, path: str, body=None):
        user = users[who] if isinstance(who, str) else who
        if user.id not in headers:
            headers[user.id] = token_headers(user)
        return client.open(path, method=method, headers=headers[user.id], json=body)

    return call


def _count(model=Deal) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _create(api, who="rep", **changes) -> dict:
    response = api(who, "POST", "/api/v1/deals", NEW_DEAL | changes)
    assert response.status_code == 201, response.json
    return response.json


def test_a_token_is_required(client):
    assert client.get("/api/v1/deals").status_code == 401


def test_a_rep_creates_a_deal(api, users):
    response = api("rep", "POST", "/api/v1/deals", NEW_DEAL | {"external_id": "OPP-1"})
    body = response.json

    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"/api/v1/deals/{body['id']}")
    assert schema_problems(body, {"$ref": "#/components/schemas/Deal"}) == []
    assert {key: body[key] for key in ("amount", "currency", "stage", "status", "external_id")} == {
        "amount": 12500.5,
        "currency": "USD",
        "stage": "decision",
        "status": "open",
        "external_id": "OPP-1",
    }
    assert body["owner"]["email"] == "rep@example.com"
    assert body["attached"] == []
    assert body["url"].endswith(f"/deals/{body['id']}")


def test_only_reps_create_deals(api):
    refused = {role: api(role, "POST", "/api/v1/deals", NEW_DEAL).status_code for role in NOT_REPS}

    assert refused == {"leader": 403, "admin": 403, "marketer": 403}
    assert _count() == 0


BAD_DEALS = {
    "wrong types": ({"name": 5, "account": ["Acme"], "stage": 3}, {"name", "account", "stage"}),
    "unreadable": (
        {"amount": "about 5k", "stage": "closing", "status": "pending"},
        {"amount", "stage", "status"},
    ),
    "out of range": (
        {"amount": -1, "close_date": "next week", "external_id": "x" * 101},
        {"amount", "close_date", "external_id"},
    ),
    "unknown fields": ({"owner": "rep@example.com", "id": 3}, {"owner", "id"}),
}


def test_bad_deals_are_422_naming_every_field_and_change_nothing(api):
    named = {}
    for case, (body, _fields) in BAD_DEALS.items():
        response = api("rep", "POST", "/api/v1/deals", NEW_DEAL | body)
        named[case] = (response.status_code, set(response.json["error"]["fields"]))

    assert named == {case: (422, fields) for case, (_body, fields) in BAD_DEALS.items()}
    assert _count() == 0


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def test_the_list_shows_what_each_person_may_see_filtered(api):
    acme = _create(api)
    hooli = _create(api, name="Hooli pilot", account="Hooli", status="won", stage="onboarding")
    sam = make_user("rep", "sam@example.com", "Sam Second")
    initech = _create(api, sam, name="Initech", account="Initech")

    page = api("rep", "GET", "/api/v1/deals?per_page=1&page=2")
    listed = {
        "rep": _ids(api("rep", "GET", "/api/v1/deals")),
        "rep open": _ids(api("rep", "GET", "/api/v1/deals?status=open")),
        "rep onboarding": _ids(api("rep", "GET", "/api/v1/deals?stage=onboarding")),
        "leader": _ids(api("leader", "GET", "/api/v1/deals?sort=name")),
        "leader sam": _ids(api("leader", "GET", "/api/v1/deals?owner=SAM@example.com")),
        "admin hoo": _ids(api("admin", "GET", "/api/v1/deals?q=hoo")),
    }

    assert listed == {
        "rep": [acme["id"], hooli["id"]],
        "rep open": [acme["id"]],
        "rep onboarding": [hooli["id"]],
        "leader": [acme["id"], hooli["id"], initech["id"]],
        "leader sam": [initech["id"]],
        "admin hoo": [hooli["id"]],
    }
    assert schema_problems(page.json, {"$ref": "#/components/schemas/DealList"}) == []
    assert (page.json["total"], page.json["page"], page.json["per_page"]) == (2, 2, 1)


def test_bad_list_requests_are_refused(api):
    owner_filter = api("rep", "GET", "/api/v1/deals?owner=sam@example.com")
    status = api("leader", "GET", "/api/v1/deals?status=closed&per_page=500")

    assert owner_filter.status_code == 422
    assert list(owner_filter.json["error"]["fields"]) == ["owner"]
    assert status.status_code == 422
    assert api("marketer", "GET", "/api/v1/deals").json["items"] == []


def test_a_deal_is_404_to_those_who_may_not_know_it(api, users):
    deal = _create(api)
    path = f"/api/v1/deals/{deal['id']}"
    other_rep = make_user("rep")

    assert api("leader", "GET", path).json["name"] == "Acme renewal"
    assert [api(who, "GET", path).status_code for who in (other_rep, "marketer")] == [404, 404]
    assert api(other_rep, "PATCH", path, {"name": "Mine now"}).status_code == 404
    assert api("rep", "GET", "/api/v1/deals/99999999999").status_code == 404
    assert api("rep", "PATCH", "/api/v1/deals/99999999999", {}).status_code == 404


def test_the_owner_patches_only_the_fields_sent(api):
    deal = _create(api)
    path = f"/api/v1/deals/{deal['id']}"

    response = api("rep", "PATCH", path, {"amount": "$9,000", "status": "won"})

    assert response.status_code == 200
    assert {
        key: response.json[key] for key in ("name", "amount", "status", "stage", "close_date")
    } == {
        "name": "Acme renewal",
        "amount": 9000,
        "status": "won",
        "stage": "decision",
        "close_date": "2030-06-30",
    }


REFUSED_PATCHES = {
    "by a leader": ("leader", {"name": "Leader's idea"}, 403),
    "by an admin": ("admin", {"name": "Admin's idea"}, 403),
    "bad values": ("rep", {"name": " ", "amount": 1.005}, 422),
    "the CRM id": ("rep", {"external_id": "OPP-9"}, 422),
    "no stage": ("rep", {"stage": None}, 422),
    "not an object": ("rep", ["not", "an", "object"], 400),
}


def test_refused_patches_change_nothing(api):
    deal = _create(api)
    path = f"/api/v1/deals/{deal['id']}"

    statuses = {
        case: api(who, "PATCH", path, body).status_code
        for case, (who, body, _status) in REFUSED_PATCHES.items()
    }

    assert statuses == {case: status for case, (_who, _body, status) in REFUSED_PATCHES.items()}
    assert api("rep", "GET", path).json == deal


# ---- the CRM upsert ----------------------------------------------------------------------


def test_putting_the_same_deal_twice_creates_it_once_and_then_changes_nothing(api):
    path = "/api/v1/deals/external/OPP-77"

    created = api("rep", "PUT", path, NEW_DEAL)
    again = api("rep", "PUT", path, NEW_DEAL)
    partial = api("rep", "PUT", path, {"status": "lost"})

    assert (created.status_code, created.json["result"]) == (201, "created")
    assert created.headers["Location"].endswith(f"/api/v1/deals/{created.json['id']}")
    assert (again.status_code, again.json["result"]) == (200, "unchanged")
    assert {**again.json, "result": "created"} == created.json  # updated_at too
    assert (partial.status_code, partial.json["result"]) == (200, "updated")
    assert (partial.json["status"], partial.json["amount"]) == ("lost", 12500.5)
    assert schema_problems(partial.json, {"$ref": "#/components/schemas/DealSync"}) == []
    assert _count() == 1


def test_a_rep_syncs_only_their_own_deals(api, users):
    api("rep", "PUT", "/api/v1/deals/external/OPP-1", NEW_DEAL)
    other_rep = make_user("rep")
    asset = make_asset(users["marketer"], stages=("decision",))

    taken = api(other_rep, "PUT", "/api/v1/deals/external/OPP-1", NEW_DEAL | {"name": "Mine"})
    with_assets = api("rep", "PUT", "/api/v1/deals/external/OPP-1", {"asset_ids": [asset.id]})
    leader = api("leader", "PUT", "/api/v1/deals/external/OPP-2", NEW_DEAL)

    assert (taken.status_code, with_assets.status_code, leader.status_code) == (404, 403, 403)
    assert db.session.scalar(select(Deal.name)) == "Acme renewal"
    assert _count(UsageEvent) == 0


def test_an_admin_syncs_a_deal_with_the_content_the_crm_says_was_used(api, users):
    deck = make_asset(users["marketer"], "Pricing deck", stages=("decision",))
    study = make_asset(users["marketer"], "Case study", stages=("decision",))
    body = SYNCED | {"asset_ids": [deck.id, study.id]}

    created = api("admin", "PUT", "/api/v1/deals/external/SF-001", body)
    again = api("admin", "PUT", "/api/v1/deals/external/SF-001", body)

    assert created.status_code == 201
    assert created.json["owner"]["email"] == "rep@example.com"
    assert sorted((a["title"], a["evidence"]) for a in created.json["attached"]) == [
        ("Case study", "imported"),
        ("Pricing deck", "imported"),
    ]
    assert (again.status_code, again.json["result"]) == (200, "unchanged")
    assert _count(UsageEvent) == 2


def test_new_content_on_an_unchanged_deal_is_an_update(api, users):
    deal = _create(api, external_id="SF-3")
    deck = make_asset(users["marketer"], "Pricing deck", stages=("decision",))
    usage.attach_to_deal(deck, users["rep"], db.session.get(Deal, deal["id"]))
    study = make_asset(users["marketer"], "Case study", stages=("decision",))

    response = api(
        "admin", "PUT", "/api/v1/deals/external/SF-3", {"asset_ids": [deck.id, study.id]}
    )

    assert response.json["result"] == "updated"
    assert sorted((a["title"], a["evidence"]) for a in response.json["attached"]) == [
        ("Case study", "imported"),
        ("Pricing deck", "self_reported"),  # the rep said so first; the record stays theirs
    ]


def test_content_that_cannot_be_imported_is_named_and_nothing_changes(api, users):
    live = make_asset(users["marketer"], stages=("decision",))
    draft = make_asset(users["marketer"], stages=("decision",), publish=False)
    body = SYNCED | {"asset_ids": [live.id, draft.id, 987654]}

    response = api("admin", "PUT", "/api/v1/deals/external/SF-2", body)

    assert response.status_code == 422
    assert response.json["error"]["fields"] == {
        "asset_ids": f"No published asset has the id {draft.id}, 987654."
    }
    assert (_count(), _count(UsageEvent)) == (0, 0)


BAD_SYNCS = {
    "a new deal without its owner": (NEW_DEAL, "owner"),
    "a marketer as the owner": (NEW_DEAL | {"owner": "marketer@example.com"}, "owner"),
    "asset ids as text": (SYNCED | {"asset_ids": "1,2"}, "asset_ids"),
    "asset ids as booleans": (SYNCED | {"asset_ids": [True]}, "asset_ids"),
    "an asset id out of range": (SYNCED | {"asset_ids": [10**20]}, "asset_ids"),
    "no name": (SYNCED | {"name": ""}, "name"),
    "an unknown field": (SYNCED | {"deal_id": 4}, "deal_id"),
}


def test_bad_syncs_are_422_naming_the_field(api):
    named = {}
    for case, (body, _field) in BAD_SYNCS.items():
        response = api("admin", "PUT", "/api/v1/deals/external/SF-9", body)
        named[case] = (response.status_code, list(response.json["error"]["fields"]))

    assert named == {case: (422, [field]) for case, (_body, field) in BAD_SYNCS.items()}
    assert _count() == 0


def test_an_overlong_crm_id_is_422(api):
    response = api("rep", "PUT", "/api/v1/deals/external/" + "x" * 101, NEW_DEAL)

    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["external_id"]
