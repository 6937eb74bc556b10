"""The OpenAPI description of /api/v1/deals, registered with portal.kernel.openapi."""

from content.deals.models import DEAL_STATUSES
from content.deals.queries import SORTS, STATUS_VIEWS
from content.deals.services import ACCOUNT_MAX, EXTERNAL_ID_MAX, NAME_MAX
from content.usage.events import NOTE_MAX
from content.usage.models import EVIDENCE
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

_DATE = {"type": ["string", "null"], "format": "date"}
_TIME = {"type": "string", "format": "date-time"}
_AMOUNT = {
    "type": ["number", "string", "null"],
    "description": 'In the portal\'s currency, to the cent: 12500.5 or "12,500.50"',
}
_FIELDS = {
    "name": {"type": "string", "maxLength": NAME_MAX},
    "account": {"type": "string", "maxLength": ACCOUNT_MAX},
    "amount": _AMOUNT,
    "stage": {"type": "string", "description": "Buyer stage slug, e.g. decision"},
    "status": {"type": "string", "enum": list(DEAL_STATUSES)},
    "close_date": _DATE,
}

SCHEMAS = {
    "Deal": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "external_id": {"type": ["string", "null"], "description": "The CRM's id"},
            "name": {"type": "string"},
            "account": {"type": "string"},
            "amount": {"type": ["number", "null"], "description": "In `currency`"},
            "currency": {"type": "string", "description": "ISO 4217 code (TANDEM_CURRENCY)"},
            "stage": {"type": ["string", "null"], "description": "Buyer stage slug"},
            "status": {"type": "string", "enum": list(DEAL_STATUSES)},
            "close_date": _DATE,
            "owner": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "email": {"type": "string"},
                },
            },
            "attached": {
                "type": "array",
                "description": "Content used in the deal, newest first",
                "items": {
                    "type": "object",
                    "properties": {
                        "asset_id": {"type": "integer"},
                        "title": {"type": "string"},
                        "evidence": {"type": "string", "enum": list(EVIDENCE)},
                        "note": {"type": "string", "maxLength": NOTE_MAX},
                        "attached_at": _TIME,
                    },
                },
            },
            "url": {"type": "string", "description": "The deal's page"},
            "created_at": _TIME,
            "updated_at": _TIME,
        },
    },
    "DealList": page_of("Deal"),
    "DealSync": {
        "allOf": [
            ref("Deal"),
            {
                "type": "object",
                "properties": {
                    "result": {"type": "string", "enum": ["created", "updated", "unchanged"]}
                },
            },
        ]
    },
}


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_EXTERNAL_ID = {
    "name": "external_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": EXTERNAL_ID_MAX},
}

PATHS = {
    "/api/v1/deals": {
        "get": {
            "summary": "Deals you may see (a rep's own; every deal for leaders and admins)",
            "parameters": [
                query_param(
                    "status", "open, won, lost or all (default all)", {"enum": list(STATUS_VIEWS)}
                ),
                query_param("stage", "Buyer stage slug"),
                query_param("owner", "The owner's email (leaders and admins)"),
                query_param("q", "Words in the deal's name or account"),
                query_param(
                    "sort",
                    "close_date (soonest first, the default), amount (largest first), updated "
                    "(last changed first) or name",
                    {"enum": list(SORTS)},
                ),
                *PAGING,
            ],
            "responses": {
                "200": json_response(ref("DealList"), "A page of deals"),
                **error_responses(401, 422),
            },
        },
        "post": {
            "summary": "Add a deal of your own (reps)",
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["name", "account", "stage"],
                    "additionalProperties": False,
                    "properties": {
                        **_FIELDS,
                        "external_id": {"type": "string", "maxLength": EXTERNAL_ID_MAX},
                    },
                }
            ),
            "responses": {
                "201": json_response(ref("Deal"), "The new deal"),
                **error_responses(400, 401, 403, 409, 422),
            },
        },
    },
    "/api/v1/deals/{deal_id}": {
        "parameters": [id_param("deal_id")],
        "get": {
            "summary": "Read one deal with the content used in it",
            "responses": {
                "200": json_response(ref("Deal"), "The deal"),
                **error_responses(401, 404),
            },
        },
        "patch": {
            "summary": "Change your deal; fields left out keep their values (the owner only)",
            "requestBody": _body(
                {"type": "object", "properties": _FIELDS, "additionalProperties": False}
            ),
            "responses": {
                "200": json_response(ref("Deal"), "The deal as saved"),
                **error_responses(400, 401, 403, 404, 422),
            },
        },
    },
    "/api/v1/deals/external/{external_id}": {
        "parameters": [_EXTERNAL_ID],
        "put": {
            "summary": (
                "Create or update the deal with this CRM id (idempotent). Fields left out "
                "keep their values. Reps sync their own deals; admins sync anyone's, name the "
                "owner by email (required for a new deal) and may send asset_ids: published "
                "assets the CRM says were used, recorded as imported usage (never removed)"
            ),
            "requestBody": _body(
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        **_FIELDS,
                        "owner": {"type": "string", "format": "email"},
                        "asset_ids": {
                            "type": "array",
                            "items": {"type": "integer"},
                            "maxItems": 100,
                        },
                    },
                }
            ),
            "responses": {
                "200": json_response(ref("DealSync"), "Updated, or unchanged: see result"),
                "201": json_response(ref("DealSync"), "Created"),
                **error_responses(400, 401, 403, 404, 422),
            },
        },
    },
}

register(PATHS, SCHEMAS)
