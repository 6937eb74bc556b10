"""The OpenAPI 3 description of /api/v1, kept beside the routes it documents.

A test compares it with the app's URL map, so an undocumented endpoint fails the suite.
Packages whose routes live elsewhere add their part with :func:`register`. Status enums
come from the models the state machines move, so the document lists every state they
can produce.
"""

from content.models import ASSET_STATUSES
from portal.pagination import MAX_PAGE, MAX_PER_PAGE
from workflows.requests import REQUEST_STATUSES
from workflows.requests import STATUS_VIEWS as REQUEST_VIEWS


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


_ASSET_ID = id_param("asset_id")
_SLUGS = {"type": "array", "items": {"type": "string"}}
_FLAG = {"type": "string", "enum": ["0", "1", "false", "true"]}
# Every list endpoint pages the same way (portal.api.page_body); empty means the default.
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
    """The schema of one page of ``item`` objects, as portal.api.page_body writes it."""
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


_ASSET_FIELDS = {
    "title": {"type": "string", "maxLength": 200},
    "summary": {"type": "string", "maxLength": 1000},
    "body": {"type": "string"},
    "content_type": {"type": ["string", "null"]},
    "stages": _SLUGS,
    "personas": _SLUGS,
    "industries": _SLUGS,
    "tags": _SLUGS,
    "review_by": {"type": ["string", "null"], "format": "date"},
    "expires_on": {"type": ["string", "null"], "format": "date"},
    "note": {"type": "string", "maxLength": 300},
}

SCHEMAS = {
    "Review": {
        "type": "object",
        "properties": {
            "policy": {"type": "string", "enum": ["dual", "single"]},
            "missing_sides": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Teams whose approval of the latest revision is still needed",
            },
            "collaborators": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "user": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer"},
                                "name": {"type": "string"},
                                "email": {"type": "string"},
                            },
                        },
                        "role": {"type": "string", "enum": ["author", "reviewer"]},
                        "side": {"type": "string", "enum": ["sales", "marketing"]},
                        "approved_latest": {"type": "boolean"},
                    },
                },
            },
        },
    },
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
    "Asset": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "body": {"type": "string", "description": "Markdown"},
            "status": {"type": "string", "enum": list(ASSET_STATUSES)},
            "stages": _SLUGS,
            "personas": _SLUGS,
            "industries": _SLUGS,
            "content_type": {"type": ["string", "null"]},
            "tags": _SLUGS,
            "owner": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "email": {"type": "string"},
                },
            },
            "live_revision": {"type": ["integer", "null"]},
            "latest_revision": {"type": ["integer", "null"]},
            "file": {"type": ["object", "null"]},
            "review_by": {"type": ["string", "null"], "format": "date"},
            "expires_on": {"type": ["string", "null"], "format": "date"},
            "rating": {"type": "object"},
            "url": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "published_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "AssetInput": {"type": "object", "properties": _ASSET_FIELDS, "additionalProperties": False},
    "SearchResults": {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "stages": _SLUGS,
                        "content_type": {"type": ["string", "null"]},
                        "snippet": {"type": "string", "description": "HTML with <mark>"},
                        "score": {"type": "number"},
                        "stale": {"type": "boolean"},
                    },
                },
            },
            "total": {"type": "integer"},
            "suggestion": {"type": ["string", "null"]},
            "notes": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Notification": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string"},
            "label": {"type": "string"},
            "text": {"type": "string", "maxLength": 300, "description": "Plain text"},
            "link": {"type": "string", "description": "Path on this site"},
            "actor": {
                "type": ["object", "null"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
            "created_at": {"type": "string", "format": "date-time"},
            "read_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "NotificationList": page_of(
        "Notification",
        unread={"type": "integer", "description": "All your unread notifications"},
    ),
    "AssetList": page_of("Asset"),
    "ContentRequest": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "need": {"type": "string", "maxLength": 2000},
            "stage": {"type": ["string", "null"], "description": "Stage slug"},
            "persona": {"type": ["string", "null"], "description": "Persona slug"},
            "deal_context": {"type": "string", "maxLength": 1000},
            "due_on": {"type": ["string", "null"], "format": "date"},
            "overdue": {"type": "boolean"},
            "status": {"type": "string", "enum": list(REQUEST_STATUSES)},
            "decline_reason": {"type": ["string", "null"]},
            "requester": {"type": "object"},
            "handled_by": {"type": ["object", "null"]},
            "asset_id": {
                "type": ["integer", "null"],
                "description": "The draft started for the request, when visible to you",
            },
            "url": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "ContentRequestList": page_of("ContentRequest"),
}

PATHS = {
    "/api/v1/assets": {
        "get": {
            "summary": "List assets visible to you",
            "parameters": [
                query_param("stage", "Stage slug"),
                query_param("persona", "Persona slug"),
                query_param("industry", "Industry slug"),
                query_param("content_type", "Content type slug"),
                query_param("tag", "Tag slug"),
                query_param("status", "live (published), draft, archived or all (authors only)"),
                query_param("sort", "newest or title"),
                *PAGING,
            ],
            "responses": {
                "200": json_response(ref("AssetList"), "A page of assets"),
                **error_responses(401, 422),
            },
        },
        "post": {
            "summary": "Create a draft asset (marketers)",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {**ref("AssetInput")}}},
            },
            "responses": {
                "201": json_response(ref("Asset"), "The new draft"),
                **error_responses(400, 401, 403, 422),
            },
        },
    },
    "/api/v1/assets/{asset_id}": {
        "parameters": [_ASSET_ID],
        "get": {
            "summary": "Read one asset",
            "responses": {
                "200": json_response(ref("Asset"), "The asset"),
                **error_responses(401, 404),
            },
        },
        "patch": {
            "summary": "Save a new revision; base_revision must be the latest revision number",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["base_revision"],
                            "additionalProperties": False,
                            "properties": {
                                **_ASSET_FIELDS,
                                "base_revision": {"type": "integer"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": json_response(ref("Asset"), "The asset with its new revision"),
                **error_responses(400, 401, 403, 404, 409, 422),
            },
        },
    },
    "/api/v1/assets/{asset_id}/transitions": {
        "parameters": [_ASSET_ID],
        "post": {
            "summary": (
                "Move the asset through its workflow (submit, approve, request_changes, "
                "publish, archive, restore); request_changes needs a comment"
            ),
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["action"],
                            "properties": {
                                "action": {"type": "string"},
                                "comment": {"type": "string", "maxLength": 2000},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": json_response(
                    {
                        "allOf": [
                            ref("Asset"),
                            {
                                "type": "object",
                                "properties": {
                                    "event": {
                                        "type": "object",
                                        "properties": {
                                            "action": {"type": "string"},
                                            "from": {"type": "string"},
                                            "to": {"type": "string"},
                                            "comment": {"type": "string"},
                                            "at": {"type": "string", "format": "date-time"},
                                        },
                                    },
                                    "allowed_actions": {
                                        "type": "array",
                                        "items": {"type": "string"},
                                    },
                                    "review": ref("Review"),
                                },
                            },
                        ]
                    },
                    "The asset after the transition, the event written and what is allowed now",
                ),
                **error_responses(400, 401, 404, 409, 422),
            },
        },
    },
    "/api/v1/assets/{asset_id}/collaborators": {
        "parameters": [_ASSET_ID],
        "post": {
            "summary": "Invite a co-author or reviewer (owner or admin); again to change the role",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["email", "role"],
                            "properties": {
                                "email": {"type": "string", "format": "email"},
                                "role": {"type": "string", "enum": ["author", "reviewer"]},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": json_response(ref("Review"), "The asset's collaborators and sign-off"),
                **error_responses(400, 401, 403, 404, 409, 422),
            },
        },
    },
    "/api/v1/search": {
        "get": {
            "summary": 'Search the assets visible to you (words, "phrases", -word, prefix*)',
            "parameters": [
                query_param("q", "The query, up to 300 characters"),
                query_param("stage", "Stage slug"),
                query_param("persona", "Persona slug"),
                query_param("industry", "Industry slug"),
                query_param("content_type", "Content type slug"),
                query_param("tag", "Tag slug"),
                query_param("sort", "relevance (default) or newest"),
                query_param("all", "1 to include drafts and archived assets (authors only)"),
                query_param(
                    "limit", "Hits to return", {"type": "integer", "minimum": 1, "maximum": 100}
                ),
            ],
            "responses": {
                "200": json_response(ref("SearchResults"), "The best hits and the total"),
                **error_responses(401, 422),
            },
        },
    },
    "/api/v1/notifications": {
        "get": {
            "summary": "Your notifications, newest first",
            "parameters": [
                query_param(
                    "unread",
                    "1 or true for unread notifications only",
                    _FLAG,
                ),
                *PAGING,
            ],
            "responses": {
                "200": json_response(ref("NotificationList"), "A page of notifications"),
                **error_responses(401, 422),
            },
        },
    },
    "/api/v1/notifications/read-all": {
        "post": {
            "summary": "Mark all your notifications read",
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "properties": {
                            "marked_read": {"type": "integer"},
                            "unread": {"type": "integer"},
                        },
                    },
                    "How many were marked read",
                ),
                **error_responses(401),
            },
        },
    },
    "/api/v1/requests": {
        "get": {
            "summary": "Content requests you may see (your own; all for marketers and leaders)",
            "parameters": [
                query_param(
                    "status", "A status, or all", {"type": "string", "enum": list(REQUEST_VIEWS)}
                ),
                query_param("stage", "Stage slug"),
                query_param("overdue", "1 for requests past their due date only", _FLAG),
                query_param("mine", "1 for requests you made only", _FLAG),
                *PAGING,
            ],
            "responses": {
                "200": json_response(
                    ref("ContentRequestList"), "A page of requests, open ones first"
                ),
                **error_responses(401, 422),
            },
        },
        "post": {
            "summary": "Ask marketing for content",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["need", "stage"],
                            "additionalProperties": False,
                            "properties": {
                                "need": {"type": "string", "maxLength": 2000},
                                "stage": {"type": "string", "description": "Stage slug"},
                                "persona": {"type": ["string", "null"]},
                                "deal_context": {"type": "string", "maxLength": 1000},
                                "due_on": {"type": ["string", "null"], "format": "date"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": json_response(ref("ContentRequest"), "The new request"),
                **error_responses(400, 401, 403, 422),
            },
        },
    },
    "/api/v1/requests/{request_id}": {
        "parameters": [id_param("request_id")],
        "get": {
            "summary": "Read one content request",
            "responses": {
                "200": json_response(ref("ContentRequest"), "The request"),
                **error_responses(401, 404),
            },
        },
    },
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
