"""The OpenAPI document describes exactly the routes the app serves under /api/v1."""

import re

import pytest

from tests.factories import make_asset, token_headers
from tests.portal.helpers import schema_problems
from workflows.posts.machine import POST_TRANSITIONS
from workflows.requests.services import REQUEST_TRANSITIONS
from workflows.review.machine import ASSET_TRANSITIONS

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")  # no token needed
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.json


def served_operations(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) for every /api/v1 route in the URL map."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operations.add((path, method.lower()))
    return operations


def documented_operations(document) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def test_document_is_openapi_3_with_info_and_bearer_auth(document):
    assert re.fullmatch(r"3\.\d+\.\d+", document["openapi"])
    assert document["info"]["title"]
    assert document["info"]["version"]
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert document["paths"]


def test_every_api_route_is_documented(app, document):
    missing = served_operations(app) - documented_operations(document)

    assert missing == set()


def test_every_documented_operation_exists(app, document):
    phantom = documented_operations(document) - served_operations(app)

    assert phantom == set()


def test_operations_have_responses_and_declare_their_path_parameters(document):
    for path, item in document["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        shared = item.get("parameters", [])
        for method in set(item) & HTTP_METHODS:
            operation = item[method]
            assert operation["responses"], f"{method.upper()} {path} has no responses"
            params = shared + operation.get("parameters", [])
            declared = {p["name"] for p in params if p["in"] == "path"}
            assert declared == names, f"{method.upper()} {path} path parameters"


def test_every_schema_reference_resolves(document):
    text = str(document)
    names = set(re.findall(r"#/components/schemas/(\w+)", text))

    assert names
    assert names <= set(document["components"]["schemas"])


def test_an_asset_from_the_api_matches_the_documented_schema(client, users):
    asset = make_asset(users["marketer"])
    headers = token_headers(users["rep"])

    one = client.get(f"/api/v1/assets/{asset.id}", headers=headers).json
    page = client.get("/api/v1/assets", headers=headers).json

    assert schema_problems(one, {"$ref": "#/components/schemas/Asset"}) == []
    assert schema_problems(page, {"$ref": "#/components/schemas/AssetList"}) == []
    assert [item["id"] for item in page["items"]] == [asset.id]


@pytest.mark.parametrize(
    ("schema", "transitions"),
    [
        ("Asset", ASSET_TRANSITIONS),
        ("Post", POST_TRANSITIONS),
        ("ContentRequest", REQUEST_TRANSITIONS),
    ],
)
def test_status_enums_list_exactly_the_states_of_their_machine(document, schema, transitions):
    """A client validating responses against the document accepts every state the
    machine can reach, and the document lists no state the machine never produces."""
    states = {state for state, _action in transitions} | set(transitions.values())

    enum = document["components"]["schemas"][schema]["properties"]["status"]["enum"]

    assert sorted(enum) == sorted(states)
