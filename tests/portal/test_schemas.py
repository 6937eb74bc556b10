"""The API's schemas: one pydantic model per body, answer and query string, declared with
``@operation``, drives validation, the JSON written and the OpenAPI document."""

import pytest
from flask import Blueprint, Flask
from sqlalchemy import func, select

from content.library.models import Asset
from content.library.schemas import Asset as AssetAnswer
from content.library.schemas import AssetInput, AssetQuery, AssetRevisionInput
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.openapi import check_declared, openapi_document
from portal.kernel.schemas import Created, Output, Person, operation
from tests.factories import make_asset, token_headers
from tests.portal.helpers import schema_problems


@pytest.fixture
def marketer(users):
    return users["marketer"]


@pytest.fixture
def rep(users):
    return users["rep"]


def _assets() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Asset.id)))


def test_a_body_with_several_wrong_fields_names_every_one_and_saves_nothing(client, marketer):
    before = _assets()
    body = {"title": 5, "stages": "decision", "review_by": "next week", "colour": "red"}

    response = client.post("/api/v1/assets", json=body, headers=token_headers(marketer))

    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"] == {
        "title": "Must be a string.",
        "body": "Write a body or upload a file (or both).",
        "stages": "Must be a list.",
        "review_by": "Use the form YYYY-MM-DD.",
        "colour": "Unknown field.",
    }
    assert error["message"] == "Check these fields: title, body, stages, review_by, colour."
    assert _assets() == before


def test_one_wrong_field_is_the_message(client, marketer):
    response = client.post(
        "/api/v1/assets",
        json={"title": "x" * 201, "stages": ["decision"], "body": "Words."},
        headers=token_headers(marketer),
    )

    assert response.status_code == 422
    assert response.json["error"]["message"] == "At most 200 characters."
    assert response.json["error"]["fields"] == {"title": "At most 200 characters."}


@pytest.mark.parametrize("base_revision", ["1", True, 1.5, 0, 2**31, None])
def test_numbers_are_json_numbers_in_range_never_text_or_booleans(client, marketer, base_revision):
    asset = make_asset(marketer, "Pricing sheet", publish=False)

    response = client.patch(
        f"/api/v1/assets/{asset.id}",
        json={"title": "Renamed", "base_revision": base_revision},
        headers=token_headers(marketer),
    )

    assert response.status_code == 422
    assert response.json["error"]["fields"] == {
        "base_revision": "Must be an id from 1 to 2,147,483,647."
    }


def test_a_revision_without_its_base_is_refused_by_name(client, marketer):
    asset = make_asset(marketer, "Pricing sheet", publish=False)

    response = client.patch(
        f"/api/v1/assets/{asset.id}", json={"title": "Renamed"}, headers=token_headers(marketer)
    )

    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"base_revision": "Required."}


def test_the_token_is_checked_before_the_body(client):
    response = client.post("/api/v1/assets", json={"title": 5})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="tandem"'


def test_a_body_that_is_not_a_json_object_is_a_400(client, marketer):
    headers = token_headers(marketer)

    as_list = client.post("/api/v1/assets", json=["title"], headers=headers)
    as_form = client.post("/api/v1/assets", data={"title": "x"}, headers=headers)

    assert as_list.status_code == 400
    assert as_list.json["error"]["message"] == "The body must be a JSON object."
    assert as_form.status_code == 400
    assert "application/json" in as_form.json["error"]["message"]


def test_a_query_string_reads_empty_values_as_absent_and_refuses_bad_ones(client, rep):
    headers = token_headers(rep)

    blank = client.get("/api/v1/assets?page=&per_page=&stage=", headers=headers)
    zero = client.get("/api/v1/assets?page=0&per_page=500", headers=headers)

    assert blank.status_code == 200
    assert blank.json["page"] == 1
    assert zero.status_code == 422
    assert set(zero.json["error"]["fields"]) == {"page", "per_page"}


def test_a_revision_keeps_the_fields_it_leaves_out(client, marketer):
    asset = make_asset(marketer, "Pricing sheet", summary="For finance.", publish=False)

    response = client.patch(
        f"/api/v1/assets/{asset.id}",
        json={"title": "Pricing sheet 2027", "base_revision": 1},
        headers=token_headers(marketer),
    )

    assert response.status_code == 200
    assert response.json["title"] == "Pricing sheet 2027"
    assert response.json["summary"] == "For finance."
    assert response.json["latest_revision"] == 2


def test_answers_are_what_the_document_describes(client, marketer):
    asset = make_asset(marketer, "Pricing sheet")
    headers = token_headers(marketer)

    one = client.get(f"/api/v1/assets/{asset.id}", headers=headers).json
    listed = client.get("/api/v1/assets", headers=headers).json

    assert schema_problems(one, {"$ref": "#/components/schemas/Asset"}) == []
    assert schema_problems(listed, {"$ref": "#/components/schemas/AssetList"}) == []
    assert one["created_at"] == asset.created_at.isoformat()


def test_the_document_is_generated_from_the_models(app):
    with app.app_context():
        schemas = openapi_document()["components"]["schemas"]
        operation_ = openapi_document()["paths"]["/api/v1/assets/{asset_id}"]["patch"]

    assert set(schemas["AssetInput"]["properties"]) == set(AssetInput.model_fields)
    assert schemas["AssetInput"]["additionalProperties"] is False
    assert set(schemas["AssetRevisionInput"]["required"]) == {"base_revision"}
    body = operation_["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/AssetRevisionInput"}
    assert set(operation_["responses"]) == {"200", "400", "401", "403", "404", "409", "422"}
    assert AssetRevisionInput.model_fields["base_revision"].is_required()


def test_an_api_route_without_a_declaration_stops_the_application():
    undeclared = Blueprint("undeclared", __name__, url_prefix="/api/v1")
    undeclared.add_url_rule("/secret", "secret", lambda: {})
    declared = Blueprint("declared", __name__, url_prefix="/api/v1")
    declared.add_url_rule("/public", "public", operation("Public", public=True)(lambda: {}))
    app = Flask(__name__)
    app.register_blueprint(undeclared)
    app.register_blueprint(declared)

    with pytest.raises(RuntimeError, match="undeclared.secret"):
        check_declared(app)


def test_a_declaration_reads_the_body_query_and_answer_from_the_view():
    def create(body: AssetInput, user: User) -> Created[AssetAnswer]:
        raise NotImplementedError

    def search(query: AssetQuery) -> AssetAnswer:
        raise NotImplementedError

    made = operation("Create", errors=(403,))(create).operation
    found = operation("Search")(search).operation

    assert (made.body, made.query) == (AssetInput, None)
    assert made.responses == {201: (AssetAnswer, "Create")}
    assert made.errors == (400, 401, 403, 422)
    assert (found.body, found.query) == (None, AssetQuery)
    assert found.responses == {200: (AssetAnswer, "Search")}


def test_a_body_that_is_not_an_input_model_stops_the_declaration():
    def create(body: dict):
        raise NotImplementedError

    with pytest.raises(TypeError, match="annotate 'body' with a subclass of Input"):
        operation("Create")(create)


def test_an_answer_reads_the_fields_it_is_not_given_from_the_object(users):
    class Signed(Output):
        id: int
        by: Person
        note: str

    answer = Signed.read(users["rep"], by=users["rep"], note="hello")

    assert answer.by == Person(id=users["rep"].id, name=users["rep"].name, email=users["rep"].email)
    assert answer.id == users["rep"].id
    with pytest.raises(TypeError, match="no fields"):
        Signed.read(users["rep"], colour="red")


@pytest.mark.parametrize("raw", ["%2B2", "2.0", "1_0", "-1"])
@pytest.mark.parametrize("url", ["/api/v1/assets", "/api/v1/deals", "/api/v1/search?q=x"])
def test_a_number_in_a_query_string_is_plain_digits_on_every_list(client, rep, raw, url):
    name = "limit" if "search" in url else "page"
    joiner = "&" if "?" in url else "?"

    response = client.get(f"{url}{joiner}{name}={raw}", headers=token_headers(rep))

    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {name}
