"""The OpenAPI 3.1 description of /api/v1, generated from the app's routes and the schemas
each endpoint declares with ``portal.kernel.schemas.operation``.

Nothing here describes an endpoint by hand: the paths and their parameters come from the
URL map, the bodies, answers and query strings from the pydantic models, and the status
enums from the models the state machines move. An API view without a declaration stops
the application from starting (:func:`check_declared`).
"""

import re

from flask import Blueprint, Flask, current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from portal.kernel.ids import ID_MAX
from portal.kernel.schemas import Error, Operation, operation

# The converter of each path parameter, as the document describes it.
_CONVERTERS = {
    "id": {"type": "integer", "format": "int32", "minimum": 1, "maximum": ID_MAX},
    "int": {"type": "integer", "minimum": 0},
}
_PARAMETER = re.compile(r"<(?:([^:<>()]+)(?:\([^)]*\))?:)?([^<>]+)>")
_ERRORS = {
    400: "Malformed request: not a JSON object, or NUL characters",
    401: "Missing or invalid token",
    403: "Not allowed for this role",
    404: "Not found or not visible to you",
    409: "Conflicts with the current state; names the allowed actions",
    422: "Invalid fields",
}
_METHODS = ("get", "put", "post", "patch", "delete")

# One rule for every list, so a client never has to tell "none for you" from "forbidden".
LIST_RULE = (
    "Lists answer 200 with the items you may open, which may be none; they never answer "
    "403 or 404 because of who you are, and `total` counts only those items. One item you "
    "may not open is 404, like one that does not exist; 403 refuses an action your role "
    "may not take on something you can open."
)

bp = Blueprint("document", __name__)


@bp.get("/openapi.json")
@operation("This document", answer="OpenAPI 3.1 document", public=True)
def openapi():
    return jsonify(openapi_document())


def declared_operations(app: Flask):
    """(rule, method, Operation) for every /api/v1 route."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        declared = getattr(app.view_functions[rule.endpoint], "operation", None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method.lower(), declared


def check_declared(app: Flask) -> None:
    """Refuse to build an application that serves an API route nobody described."""
    missing = sorted({rule.endpoint for rule, _, found in declared_operations(app) if not found})
    if missing:
        raise RuntimeError(f"API views without an @operation declaration: {missing}")


def openapi_document(app: Flask | None = None) -> dict:
    """The OpenAPI 3.1 document served at /api/v1/openapi.json (built once per app)."""
    app = app or current_app
    if "openapi" not in app.extensions:
        app.extensions["openapi"] = _document(app)
    return app.extensions["openapi"]


def _document(app: Flask) -> dict:
    operations = list(declared_operations(app))
    refs, schemas = _components(declared for _, _, declared in operations)
    paths: dict[str, dict] = {}
    for rule, method, declared in operations:
        path = _PARAMETER.sub(r"{\2}", rule.rule)
        parameters = _path_parameters(rule.rule, declared)
        item = paths.setdefault(path, {"parameters": parameters})
        item[method] = _operation(declared, refs, names_an_object=bool(parameters))
    for item in paths.values():
        if not item["parameters"]:
            del item["parameters"]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tandem API",
            "version": "1",
            "description": "Token auth: `Authorization: Bearer <token>`; create tokens on the "
            "profile page or with `flask --app portal create-token EMAIL`. " + LIST_RULE,
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
        "paths": dict(sorted(paths.items())),
    }


def _components(declarations) -> tuple[dict, dict]:
    """Every model the operations name, as JSON schemas under #/components/schemas."""
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(Error, "serialization"): None}
    for declared in declarations:
        if declared.body is not None:
            wanted[(declared.body, "validation")] = None
        for model, _ in declared.responses.values():
            if model is not None:
                wanted[(model, "serialization")] = None
    refs, document = models_json_schema(list(wanted), ref_template="#/components/schemas/{model}")
    return refs, dict(sorted(document.get("$defs", {}).items()))


def _path_parameters(rule: str, declared: Operation) -> list[dict]:
    parameters = []
    for converter, name in _PARAMETER.findall(rule):
        schema = declared.path.get(name) or _CONVERTERS.get(converter, {"type": "string"})
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _operation(declared: Operation, refs: dict, names_an_object: bool) -> dict:
    """The operation's entry; one whose path names an object answers 404 when it does not
    exist or you may not see it."""
    found: dict = {"summary": declared.summary}
    if declared.description:
        found["description"] = declared.description
    if declared.public:
        found["security"] = []
    if declared.query is not None:
        found["parameters"] = _query_parameters(declared.query)
    if declared.body is not None:
        schema = refs[(declared.body, "validation")]
        found["requestBody"] = {"required": True, "content": _json(schema)}
    responses: dict[str, dict] = {}
    for status, (model, text) in sorted(declared.responses.items()):
        responses[str(status)] = {"description": text}
        if model is not None:
            responses[str(status)]["content"] = _json(refs[(model, "serialization")])
    for status in sorted({*declared.errors, *((404,) if names_an_object else ())}):
        schema = refs[(Error, "serialization")]
        responses[str(status)] = {"description": _ERRORS[status], "content": _json(schema)}
    found["responses"] = responses
    return found


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _query_parameters(model) -> list[dict]:
    """A query model's fields as query parameters; an empty value means absent."""
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", []))
    parameters = []
    for name, field in schema.get("properties", {}).items():
        field = _without_null(field)
        field.pop("title", None)
        field.pop("default", None)
        parameter = {
            "name": name,
            "in": "query",
            "required": name in required,
            "allowEmptyValue": True,
            "schema": field,
        }
        if "description" in field:
            parameter["description"] = field.pop("description")
        parameters.append(parameter)
    return parameters


def _without_null(field: dict) -> dict:
    """A query argument is text or absent, never null: drop the null branch pydantic
    writes for an optional field."""
    options = [option for option in field.get("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        rest = {key: value for key, value in field.items() if key != "anyOf"}
        return {**rest, **options[0]}
    return dict(field)
