"""The OpenAPI description of /api/v1/requests."""

from portal.kernel.openapi import (
    FLAG,
    PAGING,
    error_responses,
    id_param,
    json_response,
    page_of,
    query_param,
    ref,
    register,
)
from workflows.requests.models import REQUEST_STATUSES
from workflows.requests.services import STATUS_VIEWS as REQUEST_VIEWS

SCHEMAS = {
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
    "/api/v1/requests": {
        "get": {
            "summary": "Content requests you may see (your own; all for marketers and leaders)",
            "parameters": [
                query_param(
                    "status", "A status, or all", {"type": "string", "enum": list(REQUEST_VIEWS)}
                ),
                query_param("stage", "Stage slug"),
                query_param("overdue", "1 for requests past their due date only", FLAG),
                query_param("mine", "1 for requests you made only", FLAG),
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
}

register(PATHS, SCHEMAS)
