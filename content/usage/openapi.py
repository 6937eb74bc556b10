"""The OpenAPI description of ratings, usage and share links, registered with
portal.kernel.openapi."""

from content.usage import events as usage
from content.usage import ratings, share_links
from content.usage.models import EVIDENCE, USAGE_KINDS
from portal.kernel.openapi import (
    PAGING,
    error_responses,
    id_param,
    json_response,
    page_of,
    ref,
    register,
)

_ASSET_ID = id_param("asset_id")
_TIME = {"type": "string", "format": "date-time"}
_MAYBE_TIME = {"type": ["string", "null"], "format": "date-time"}
_RATING_SUMMARY = {
    "type": "object",
    "properties": {
        "average": {"type": ["number", "null"], "description": "Null while unrated"},
        "count": {"type": "integer"},
    },
}

SCHEMAS = {
    "Rating": {
        "type": "object",
        "properties": {
            "stars": {
                "type": "integer",
                "minimum": ratings.STARS_MIN,
                "maximum": ratings.STARS_MAX,
            },
            "comment": {"type": "string", "maxLength": ratings.COMMENT_MAX},
            "created_at": _TIME,
            "updated_at": _TIME,
        },
    },
    "RatingComment": {
        "allOf": [
            ref("Rating"),
            {
                "type": "object",
                "properties": {
                    "by": {
                        "type": "object",
                        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                    }
                },
            },
        ]
    },
    "RatingCommentList": page_of("RatingComment"),
    "Ratings": {
        "type": "object",
        "properties": {
            "summary": {
                "allOf": [
                    _RATING_SUMMARY,
                    {
                        "type": "object",
                        "properties": {
                            "stars": {
                                "type": "object",
                                "description": "Ratings per number of stars, '5' to '1'",
                                "additionalProperties": {"type": "integer"},
                            }
                        },
                    },
                ]
            },
            "your_rating": {"oneOf": [ref("Rating"), {"type": "null"}]},
            "comments": {
                "oneOf": [ref("RatingCommentList"), {"type": "null"}],
                "description": "For the asset's authors, leaders and admins; null for others",
            },
        },
    },
    "UsageEvent": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "asset_id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(USAGE_KINDS)},
            "evidence": {"type": "string", "enum": list(EVIDENCE)},
            "deal_id": {"type": ["integer", "null"]},
            "note": {"type": "string"},
            "created_at": _TIME,
            "created": {"type": "boolean", "description": "False when it was recorded before"},
        },
    },
    "ShareLink": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "asset": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "title": {"type": "string"}},
            },
            "recipient": {"type": "string"},
            "deal": {
                "type": ["object", "null"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
            "state": {"type": "string", "enum": ["active", "expired", "revoked"]},
            "created_at": _TIME,
            "expires_at": _TIME,
            "revoked_at": _MAYBE_TIME,
            "opens": {"type": "integer", "description": "Buyer views"},
            "visitors": {"type": "integer", "description": "Distinct visitors among them"},
            "first_opened_at": _MAYBE_TIME,
            "last_opened_at": _MAYBE_TIME,
        },
    },
    "ShareLinkList": page_of("ShareLink"),
}


def _body(properties: dict, required: list[str] | None = None) -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return {"required": True, "content": {"application/json": {"schema": schema}}}


PATHS = {
    "/api/v1/assets/{asset_id}/ratings": {
        "parameters": [_ASSET_ID],
        "get": {
            "summary": "The asset's rating summary, your rating and (for its authors, "
            "leaders and admins) the comments, newest first",
            "parameters": PAGING,
            "responses": {
                "200": json_response(ref("Ratings"), "Ratings of the asset"),
                **error_responses(401, 404, 422),
            },
        },
        "post": {
            "summary": "Rate a published asset 1-5 stars (again to change your rating); "
            "authors do not rate their own assets",
            "requestBody": _body(
                {
                    "stars": {
                        "type": "integer",
                        "minimum": ratings.STARS_MIN,
                        "maximum": ratings.STARS_MAX,
                    },
                    "comment": {"type": ["string", "null"], "maxLength": ratings.COMMENT_MAX},
                },
                ["stars"],
            ),
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "properties": {"rating": ref("Rating"), "summary": _RATING_SUMMARY},
                    },
                    "Your rating and the asset's new average",
                ),
                **error_responses(400, 401, 403, 404, 422),
            },
        },
    },
    "/api/v1/assets/{asset_id}/usage": {
        "parameters": [_ASSET_ID],
        "post": {
            "summary": "Record that the asset was used in one of your deals (reps; "
            "self-reported). Views, downloads, shares and buyer views are recorded "
            "automatically",
            "requestBody": _body(
                {
                    "kind": {"type": "string", "enum": ["used_in_deal"]},
                    "deal_id": {"type": "integer", "minimum": 1},
                    "note": {"type": ["string", "null"], "maxLength": usage.NOTE_MAX},
                },
                ["kind", "deal_id"],
            ),
            "responses": {
                "201": json_response(ref("UsageEvent"), "Recorded"),
                "200": json_response(ref("UsageEvent"), "Recorded before; nothing changed"),
                **error_responses(400, 401, 403, 404, 409, 422),
            },
        },
    },
    "/api/v1/assets/{asset_id}/share-links": {
        "parameters": [_ASSET_ID],
        "post": {
            "summary": "Make a link that lets a buyer open the asset without signing in; "
            "the url is shown in this response only",
            "requestBody": _body(
                {
                    "deal_id": {"type": ["integer", "null"], "minimum": 1},
                    "expires_in_days": {
                        "type": ["integer", "null"],
                        "minimum": 1,
                        "maximum": share_links.MAX_DAYS,
                        "description": "Default TANDEM_SHARE_LINK_DAYS (30)",
                    },
                    "recipient": {
                        "type": ["string", "null"],
                        "maxLength": share_links.RECIPIENT_MAX,
                    },
                }
            ),
            "responses": {
                "201": json_response(
                    {
                        "allOf": [
                            ref("ShareLink"),
                            {
                                "type": "object",
                                "properties": {"url": {"type": "string", "format": "uri"}},
                            },
                        ]
                    },
                    "The new link with its address",
                ),
                **error_responses(400, 401, 404, 409, 422),
            },
        },
    },
    "/api/v1/share-links": {
        "get": {
            "summary": "The share links you made, newest first, with their opens",
            "parameters": PAGING,
            "responses": {
                "200": json_response(ref("ShareLinkList"), "A page of links"),
                **error_responses(401, 422),
            },
        },
    },
    "/api/v1/share-links/{link_id}/revoke": {
        "parameters": [id_param("link_id")],
        "post": {
            "summary": "Stop a link working now (its creator, the asset's owner or an admin)",
            "responses": {
                "200": json_response(
                    {
                        "allOf": [
                            ref("ShareLink"),
                            {
                                "type": "object",
                                "properties": {
                                    "revoked_now": {
                                        "type": "boolean",
                                        "description": "False when it was revoked already",
                                    }
                                },
                            },
                        ]
                    },
                    "The revoked link",
                ),
                **error_responses(401, 404),
            },
        },
    },
}

register(PATHS, SCHEMAS)
