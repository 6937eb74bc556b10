"""The OpenAPI description of the library's API: assets, read and written."""

from content.library.models import ASSET_STATUSES
from portal.kernel.openapi import (
    PAGING,
    SLUGS,
    error_responses,
    id_param,
    json_response,
    page_of,
    query_param,
    ref,
    register,
)

_ASSET_ID = id_param("asset_id")

_ASSET_FIELDS = {
    "title": {"type": "string", "maxLength": 200},
    "summary": {"type": "string", "maxLength": 1000},
    "body": {"type": "string"},
    "content_type": {"type": ["string", "null"]},
    "stages": SLUGS,
    "personas": SLUGS,
    "industries": SLUGS,
    "tags": SLUGS,
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
    "Asset": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "body": {"type": "string", "description": "Markdown"},
            "status": {"type": "string", "enum": list(ASSET_STATUSES)},
            "stages": SLUGS,
            "personas": SLUGS,
            "industries": SLUGS,
            "content_type": {"type": ["string", "null"]},
            "tags": SLUGS,
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
    "AssetList": page_of("Asset"),
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
}

register(PATHS, SCHEMAS)
