"""The JSON API for assets: shapes, filters, pagination and every refusal."""

import pytest
from sqlalchemy import func, select

from content.library.models import Asset, AssetRevision
from portal.kernel.extensions import db
from tests.factories import make_asset, token_headers
from workflows.review.machine import transition

NEW_ASSET = {
    "title": "Security FAQ",
    "summary": "Answers for IT reviews.",
    "body": "## SSO\n\nWe support SAML.",
    "stages": ["consideration", "decision"],
    "personas": ["cio"],
    "industries": ["healthcare"],
    "content_type": "whitepaper",
    "tags": ["security"],
}


@pytest.fixture
def api(client, users):
    """``api(role)`` returns a function that sends a request with that role's token."""

    def as_role(role: str):
        headers = token_headers(users[role])

        def send(method: str, url: str, **kwargs):
            return client.open(url, method=method, headers=headers, **kwargs)

        return send

    return as_role


def _counts() -> tuple[int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(Asset.id))),
        db.session.scalar(select(func.count(AssetRevision.id))),
    )


# ---- reading -------------------------------------------------------------------------------


def test_asset_reads_in_the_documented_shape(api, marketer):
    asset = make_asset(
        marketer,
        "CFO one-pager",
        summary="For finance.",
        body="**Save** money.",
        stages=("decision", "awareness"),
        personas=("cfo",),
        tags=("roi",),
        content_type="one-pager",
    )

    body = api("rep")("GET", f"/api/v1/assets/{asset.id}").json

    assert body["id"] == asset.id
    assert (body["title"], body["summary"], body["body"]) == (
        "CFO one-pager",
        "For finance.",
        "**Save** money.",
    )
    assert body["status"] == "published"
    assert body["stages"] == ["awareness", "decision"]
    assert (body["personas"], body["industries"], body["tags"]) == (["cfo"], [], ["roi"])
    assert body["content_type"] == "one-pager"
    assert body["owner"] == {
        "id": marketer.id,
        "name": "Morgan Marketer",
        "email": "marketer@example.com",
    }
    assert (body["live_revision"], body["latest_revision"]) == (1, 1)
    assert body["rating"] == {"average": None, "count": 0}
    assert body["url"].endswith(f"/assets/{asset.id}")
    assert body["created_at"].endswith("+00:00")
    assert body["published_at"].endswith("+00:00")


def test_list_reads_as_items_page_per_page_total(api, marketer):
    for n in range(7):
        make_asset(marketer, f"Asset {n}")
    send = api("rep")

    default = send("GET", "/api/v1/assets").json
    chosen = send("GET", "/api/v1/assets?page=3&per_page=3").json

    assert set(default) == {"items", "page", "per_page", "total"}
    assert (default["page"], default["per_page"], default["total"]) == (1, 5, 7)
    assert len(default["items"]) == 5
    assert (chosen["page"], chosen["per_page"], len(chosen["items"])) == (3, 3, 1)


def test_list_filters_by_slug(api, marketer):
    make_asset(marketer, "Decision deck", stages=("decision",), personas=("cfo",))
    make_asset(
        marketer,
        "Battlecard",
        content_type="battlecard",
        industries=("retail",),
        tags=("competitive",),
    )
    send = api("rep")
    expected = {
        "stage=decision": ["Decision deck"],
        "persona=cfo": ["Decision deck"],
        "content_type=battlecard": ["Battlecard"],
        "industry=retail&tag=competitive": ["Battlecard"],
        "stage=decision&persona=cio": [],
    }

    found = {
        query: [item["title"] for item in send("GET", f"/api/v1/assets?{query}").json["items"]]
        for query in expected
    }

    assert found == expected


def test_reps_list_only_published_assets_and_authors_list_all(api, marketer):
    make_asset(marketer, "Live")
    make_asset(marketer, "Draft", publish=False)
    as_rep, as_author = api("rep"), api("marketer")

    for_rep = as_rep("GET", "/api/v1/assets").json
    for_author = as_author("GET", "/api/v1/assets?sort=title").json
    published = as_author("GET", "/api/v1/assets?status=published").json

    assert ([i["title"] for i in for_rep["items"]], for_rep["total"]) == (["Live"], 1)
    assert [i["title"] for i in for_author["items"]] == ["Draft", "Live"]
    assert [i["title"] for i in published["items"]] == ["Live"]


def test_draft_or_unknown_asset_is_a_json_404_for_a_rep(api, marketer):
    asset = make_asset(marketer, "Secret", publish=False)
    send = api("rep")

    for asset_id in (asset.id, 424242, "99999999999999999999"):
        response = send("GET", f"/api/v1/assets/{asset_id}")

        assert response.status_code == 404, asset_id
        assert response.json["error"]["code"] == "not_found"
        assert "Secret" not in response.text


def test_rep_reads_the_live_revision_while_the_author_reads_the_latest(api, marketer):
    asset = make_asset(marketer, "Guide", body="Live words.")
    api("marketer")("PATCH", f"/api/v1/assets/{asset.id}", json={"base_revision": 1, "body": "New"})

    as_rep = api("rep")("GET", f"/api/v1/assets/{asset.id}").json
    as_author = api("marketer")("GET", f"/api/v1/assets/{asset.id}").json

    assert (as_rep["body"], as_author["body"]) == ("Live words.", "New")
    assert (as_rep["live_revision"], as_rep["latest_revision"]) == (1, 2)


def test_bad_list_arguments_are_422_naming_the_field(api):
    send = api("rep")
    cases = {
        "stage=nirvana": "stage",
        "persona=astronaut": "persona",
        "content_type=poem": "content_type",
        "page=abc": "page",
        "per_page=1000": "per_page",
        "status=draft": "status",
    }

    for query, field in cases.items():
        response = send("GET", f"/api/v1/assets?{query}")

        assert response.status_code == 422, query
        assert field in response.json["error"]["fields"], query


def test_requests_without_a_valid_token_are_401(client):
    for headers in (
        {},
        {"Authorization": "Bearer tdm_not-a-real-token"},
        {"Authorization": "Basic x"},
    ):
        response = client.get("/api/v1/assets", headers=headers)

        assert response.status_code == 401, headers
        assert response.json["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_signed_in_browser_session_is_not_an_api_token(client_as):
    assert client_as("marketer").get("/api/v1/assets").status_code == 401


# ---- creating ------------------------------------------------------------------------------


def test_marketer_creates_a_draft(api, marketer):
    response = api("marketer")("POST", "/api/v1/assets", json=NEW_ASSET)

    body = response.json
    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"/api/v1/assets/{body['id']}")
    assert (body["status"], body["live_revision"], body["latest_revision"]) == ("draft", None, 1)
    assert body["stages"] == ["consideration", "decision"]
    assert body["owner"]["email"] == "marketer@example.com"
    asset = db.session.get(Asset, body["id"])
    assert asset.latest_revision.body == "## SSO\n\nWe support SAML."
    assert asset.content_type.slug == "whitepaper"


def test_rep_cannot_create(api):
    response = api("rep")("POST", "/api/v1/assets", json=NEW_ASSET)

    assert response.status_code == 403
    assert _counts() == (0, 0)


def test_bad_input_is_422_with_fields_and_creates_nothing(api):
    send = api("marketer")
    cases = [
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"title": 42}, "title"),
        ({"stages": ["nirvana"]}, "stages"),
        ({"stages": "decision"}, "stages"),
        ({"stages": []}, "stages"),
        ({"personas": ["astronaut"]}, "personas"),
        ({"content_type": "poem"}, "content_type"),
        ({"body": ""}, "body"),
        ({"review_by": "next tuesday"}, "review_by"),
        ({"colour": "blue"}, "colour"),
    ]

    for changes, field in cases:
        response = send("POST", "/api/v1/assets", json={**NEW_ASSET, **changes})

        assert response.status_code == 422, changes
        assert response.json["error"]["code"] == "validation_failed"
        assert field in response.json["error"]["fields"], changes
    assert _counts() == (0, 0)


def test_unknown_stage_slug_and_empty_title_are_explained(api):
    send = api("marketer")

    stage = send("POST", "/api/v1/assets", json={**NEW_ASSET, "stages": ["nirvana"]})
    title = send("POST", "/api/v1/assets", json={**NEW_ASSET, "title": " "})

    assert stage.json["error"]["fields"] == {"stages": "Unknown stages: nirvana."}
    assert title.json["error"]["fields"] == {"title": "Give the asset a title."}


def test_body_that_is_not_a_json_object_is_400(api):
    send = api("marketer")

    as_form = send("POST", "/api/v1/assets", data="title=x")
    as_list = send("POST", "/api/v1/assets", data="[1, 2]", content_type="application/json")

    assert (as_form.status_code, as_list.status_code) == (400, 400)
    assert as_form.json["error"]["message"] == (
        "Send a JSON object with Content-Type: application/json."
    )
    assert as_list.json["error"]["message"] == "The body must be a JSON object."
    assert _counts() == (0, 0)


# ---- revising ------------------------------------------------------------------------------


def test_patch_adds_a_revision_and_keeps_omitted_fields(api, marketer):
    asset = make_asset(marketer, "Guide", summary="Short.", body="Old.", personas=("cfo",))

    response = api("marketer")(
        "PATCH", f"/api/v1/assets/{asset.id}", json={"base_revision": 1, "body": "New."}
    )

    body = response.json
    assert response.status_code == 200
    assert (body["title"], body["summary"], body["body"]) == ("Guide", "Short.", "New.")
    assert (body["personas"], body["live_revision"], body["latest_revision"]) == (["cfo"], 1, 2)
    assert _counts() == (1, 2)


def test_patch_on_a_stale_revision_is_409_and_saves_nothing(api, marketer):
    asset = make_asset(marketer, "Guide")
    send = api("marketer")
    send("PATCH", f"/api/v1/assets/{asset.id}", json={"base_revision": 1, "body": "First."})

    response = send("PATCH", f"/api/v1/assets/{asset.id}", json={"base_revision": 1, "body": "X"})

    error = response.json["error"]
    assert response.status_code == 409
    assert error["code"] == "conflict"
    assert "base_revision" in error["fields"]
    assert _counts() == (1, 2)


def test_patch_without_a_numeric_base_revision_is_422(api, marketer):
    asset = make_asset(marketer, "Guide")
    send = api("marketer")

    for payload in ({"body": "No base."}, {"base_revision": "1"}, {"base_revision": True}):
        response = send("PATCH", f"/api/v1/assets/{asset.id}", json=payload)

        assert response.status_code == 422, payload
        assert "base_revision" in response.json["error"]["fields"]
    assert _counts() == (1, 1)


def test_patch_with_bad_input_is_422_and_saves_nothing(api, marketer):
    asset = make_asset(marketer, "Guide")
    send = api("marketer")

    for changes, field in (({"title": "  "}, "title"), ({"stages": ["nirvana"]}, "stages")):
        response = send("PATCH", f"/api/v1/assets/{asset.id}", json={"base_revision": 1, **changes})

        assert response.status_code == 422, changes
        assert field in response.json["error"]["fields"]
    assert _counts() == (1, 1)


def test_rep_cannot_patch_a_live_asset_nor_find_a_draft(api, marketer):
    live = make_asset(marketer, "Guide")
    draft = make_asset(marketer, "Secret", publish=False)
    send = api("rep")

    forbidden = send("PATCH", f"/api/v1/assets/{live.id}", json={"base_revision": 1})
    hidden = send("PATCH", f"/api/v1/assets/{draft.id}", json={"base_revision": 1})

    assert (forbidden.status_code, hidden.status_code) == (403, 404)
    assert _counts() == (2, 2)


def test_archived_asset_cannot_be_patched(api, marketer):
    asset = make_asset(marketer, "Guide")
    transition(asset, marketer, "archive")
    db.session.commit()

    response = api("marketer")(
        "PATCH", f"/api/v1/assets/{asset.id}", json={"base_revision": 1, "body": "Zombie"}
    )

    assert response.status_code == 403
    assert _counts() == (1, 1)
