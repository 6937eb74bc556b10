"""The OpenAPI 3 description of /api/v1, kept beside the routes it documents.

A test compares it with the app's URL map, so an undocumented endpoint fails the suite.
Each feature describes its own routes in its ``openapi`` module and adds them with
:func:`register`; this module holds what they share. Status enums come from the models the
state machines move, so the document lists every state they can produce.
"""

from portal.kernel.pagination import MAX_PAGE, MAX_PER_PAGE


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_responses(*statuses: int) -> dict:
    """The error answers of an operation; every operation may answer 400, since any
    request with NUL characters in its query or body is refused before it reaches one."""
    text = {
        400: "Malformed request: not a JSON object, or NUL characters",
        401: "Missing or invalid token",
        403: "Not allowed for this role",
        404: "Not found or not visible to you",
        409: "Conflicts with the current state; names the allowed actions",
        422: "Invalid fields",
    }
    return {str(s): json_response(ref("Error"), text[s]) for s in sorted({400, *statuses})}


def query_param(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def id_param(name: str) -> dict:
    """A database id in the path, bounded as the app's ``id`` converter bounds it."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 2147483647},
    }


SLUGS = {"type": "array", "items": {"type": "string"}}
FLAG = {"type": "string", "enum": ["0", "1", "false", "true"]}
# Every list endpoint pages the same way (portal.kernel.api.page_body); empty means the default.
PAGING = [
    {
        **query_param(name, text, {"type": "integer", "minimum": 1, "maximum": top}),
        "allowEmptyValue": True,
    }
    for name, text, top in (
        ("page", "Page number", MAX_PAGE),
        ("per_page", "Items per page", MAX_PER_PAGE),
    )
]


def page_of(item: str, **extra: dict) -> dict:
    """The schema of one page of ``item`` objects, as portal.kernel.api.page_body writes it."""
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": ref(item)},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            **extra,
        },
    }


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    "allowed_actions": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
    },
}

PATHS = {
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [],
            "responses": {
                "200": {"description": "OpenAPI 3.1 document"},
                **error_responses(),
            },
        },
    },
}


# One rule for every list, so a client never has to tell "none for you" from "forbidden".
LIST_RULE = (
    "Lists answer 200 with the items you may open, which may be none; they never answer "
    "403 or 404 because of who you are, and `total` counts only those items. One item you "
    "may not open is 404, like one that does not exist; 403 refuses an action your role "
    "may not take on something you can open."
)


def register(paths: dict, schemas: dict) -> None:
    """Add a package's paths and schemas to the document."""
    PATHS.update(paths)
    SCHEMAS.update(schemas)


def openapi_document() -> dict:
    """The OpenAPI 3.1 document served at /api/v1/openapi.json."""
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
            "schemas": SCHEMAS,
        },
        "paths": PATHS,
    }
