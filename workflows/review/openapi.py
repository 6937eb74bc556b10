"""The OpenAPI description of review: an asset's transitions and collaborators."""

from portal.kernel.openapi import error_responses, id_param, json_response, ref, register

_ASSET_ID = id_param("asset_id")

SCHEMAS: dict = {
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
}

PATHS = {
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
}

register(PATHS, SCHEMAS)
