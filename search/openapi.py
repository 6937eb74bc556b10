"""The OpenAPI description of GET /api/v1/search."""

from portal.kernel.openapi import SLUGS, error_responses, json_response, query_param, ref, register

SCHEMAS = {
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
                        "stages": SLUGS,
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
}

PATHS = {
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
}

register(PATHS, SCHEMAS)
