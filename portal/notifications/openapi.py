"""The OpenAPI description of /api/v1/notifications."""

from portal.kernel.openapi import (
    FLAG,
    PAGING,
    error_responses,
    json_response,
    page_of,
    query_param,
    ref,
    register,
)

SCHEMAS = {
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
}

PATHS = {
    "/api/v1/notifications": {
        "get": {
            "summary": "Your notifications, newest first",
            "parameters": [
                query_param(
                    "unread",
                    "1 or true for unread notifications only",
                    FLAG,
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
}

register(PATHS, SCHEMAS)
