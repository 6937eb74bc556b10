"""The OpenAPI description of /api/v1/posts, registered with portal.kernel.openapi."""

from portal.kernel.openapi import (
    PAGING,
    error_responses,
    id_param,
    json_response,
    page_of,
    query_param,
    ref,
    register,
)
from workflows.posts.machine import POST_TRANSITIONS
from workflows.posts.models import CHANNELS, POST_STATUSES
from workflows.posts.queue import DUE_VIEWS, STATUS_VIEWS

_PERSON = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "email": {"type": "string"},
    },
}
_DATE = {"type": ["string", "null"], "format": "date"}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_ASSET_IDS = {"type": "array", "items": {"type": "integer"}, "maxItems": 10}
_DETAILS = {
    "channel": {"type": "string", "enum": list(CHANNELS)},
    "topic": {"type": "string", "maxLength": 120},
    "due_on": _DATE,
    "asset_ids": _ASSET_IDS,
}
_ACTIONS = sorted({action for _state, action in POST_TRANSITIONS})

SCHEMAS = {
    "Post": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "body": {"type": "string", "description": "Markdown"},
            "channel": {"type": "string", "enum": list(CHANNELS)},
            "topic": {"type": "string"},
            "status": {"type": "string", "enum": list(POST_STATUSES)},
            "rep": _PERSON,
            "ghostwriter": _PERSON,
            "due_on": _DATE,
            "overdue": {"type": "boolean"},
            "latest_revision": {"type": "integer"},
            "characters": {"type": "integer", "description": "Of the plain text sent"},
            "character_limit": {"type": ["integer", "null"]},
            "asset_ids": {"type": "array", "items": {"type": "integer"}},
            "published_url": {"type": ["string", "null"]},
            "decline_reason": {"type": ["string", "null"]},
            "rounds": {"type": "integer", "description": "Times sent to the rep"},
            "rep_edit_share": {"type": "number", "description": "Share of words the rep wrote"},
            "seconds_with_rep": {"type": "integer"},
            "first_sent_at": _TIME,
            "approved_at": _TIME,
            "published_at": _TIME,
            "allowed_actions": {"type": "array", "items": {"type": "string"}},
            "url": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "PostList": page_of("Post"),
}


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


PATHS = {
    "/api/v1/posts": {
        "get": {
            "summary": "Ghost-written posts you may see (a rep's own; a ghost-writer's own)",
            "parameters": [
                query_param(
                    "status",
                    "active (unfinished), one of the statuses, or all",
                    {"type": "string", "enum": list(STATUS_VIEWS)},
                ),
                query_param(
                    "due",
                    "soon (within 3 days) or overdue",
                    {"type": "string", "enum": list(DUE_VIEWS)},
                ),
                query_param("channel", "A channel", {"type": "string", "enum": list(CHANNELS)}),
                query_param("q", "Words in the title, text or topic"),
                *PAGING,
            ],
            "responses": {
                "200": json_response(ref("PostList"), "A page of posts, soonest due first"),
                **error_responses(401, 422),
            },
        },
        "post": {
            "summary": "Draft a post for a rep (marketers)",
            "requestBody": _body(
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["title", "body", "rep"],
                    "properties": {
                        "title": {"type": "string", "maxLength": 200},
                        "body": {"type": "string", "maxLength": 50000},
                        "rep": {"type": "string", "format": "email"},
                        **_DETAILS,
                    },
                }
            ),
            "responses": {
                "201": json_response(ref("Post"), "The new draft"),
                **error_responses(400, 401, 403, 422),
            },
        },
    },
    "/api/v1/posts/{post_id}": {
        "parameters": [id_param("post_id")],
        "get": {
            "summary": "Read one post",
            "responses": {
                "200": json_response(ref("Post"), "The post"),
                **error_responses(401, 404),
            },
        },
        "patch": {
            "summary": (
                "Save an edit on top of base_revision (the latest revision's number); "
                "channel, topic, due_on and asset_ids are the ghost-writer's"
            ),
            "requestBody": _body(
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["base_revision"],
                    "properties": {
                        "base_revision": {"type": "integer"},
                        "title": {"type": "string", "maxLength": 200},
                        "body": {"type": "string", "maxLength": 50000},
                        **_DETAILS,
                    },
                }
            ),
            "responses": {
                "200": json_response(ref("Post"), "The post with its new revision"),
                **error_responses(400, 401, 403, 404, 409, 422),
            },
        },
    },
    "/api/v1/posts/{post_id}/transitions": {
        "parameters": [id_param("post_id")],
        "post": {
            "summary": (
                "Move the post: send_to_rep, approve, request_changes (comment), "
                "decline (comment), mark_published (url)"
            ),
            "requestBody": _body(
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["action"],
                    "properties": {
                        "action": {"type": "string", "enum": _ACTIONS},
                        "comment": {"type": "string", "maxLength": 1000},
                        "url": {"type": "string", "format": "uri", "maxLength": 500},
                        "acknowledge_similar": {
                            "type": "boolean",
                            "description": "Send although another rep has a nearly identical post",
                        },
                    },
                }
            ),
            "responses": {
                "200": json_response(ref("Post"), "The post after the transition, with the event"),
                **error_responses(400, 401, 404, 409, 422),
            },
        },
    },
}

register(PATHS, SCHEMAS)
