"""The OpenAPI description of /api/v1/reports/{slug}, registered with portal.kernel.openapi."""

from portal.kernel.openapi import PAGING, error_responses, json_response, query_param, ref, register
from portal.reports.registry import REPORTS

SCHEMAS = {
    "Report": {
        "type": "object",
        "required": ["report", "period", "items", "page", "per_page", "total"],
        "properties": {
            "report": {"type": "string"},
            "list": {
                "type": ["string", "null"],
                "description": "The table, for reports with several",
            },
            "period": {
                "type": "object",
                "properties": {
                    "from": {"type": "string", "format": "date"},
                    "to": {"type": "string", "format": "date"},
                    "time_zone": {"type": "string"},
                },
            },
            "filters": {"type": "object", "additionalProperties": {"type": "string"}},
            "sort": {
                "type": "object",
                "properties": {
                    "key": {"type": "string"},
                    "dir": {"type": "string", "enum": ["asc", "desc"]},
                },
            },
            "items": {
                "type": "array",
                "description": "The rows of the page, one key per column; money in the "
                "portal's currency, shares as fractions, intervals as [low, high]",
                "items": {"type": "object"},
            },
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    },
}


def _paths() -> dict:
    return {
        "/api/v1/reports/{slug}": {
            "parameters": [
                {
                    "name": "slug",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": sorted(REPORTS)},
                }
            ],
            "get": {
                "summary": "The rows of a report, as its page shows them (leaders, marketers, "
                "admins)",
                "parameters": [
                    query_param("from", "First day, YYYY-MM-DD (default: 90 days ago)"),
                    query_param("to", "Last day, YYYY-MM-DD, included (default: today)"),
                    query_param("stage", "Buyer-stage slug"),
                    query_param("content_type", "Content-type slug"),
                    query_param("owner", "Email of the assets' owner"),
                    query_param("team", "sales or marketing"),
                    query_param("list", "Which table, for reports with several"),
                    query_param("sort", "Column key to sort by"),
                    query_param("dir", "asc or desc"),
                    *PAGING,
                ],
                "responses": {
                    "200": json_response(ref("Report"), "A page of rows"),
                    **error_responses(401, 403, 404, 422),
                },
            },
        },
    }


def register_openapi() -> None:
    """Called once every report module has registered, so the slugs are all listed."""
    register(_paths(), SCHEMAS)
