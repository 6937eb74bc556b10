"""JSON search: GET /api/v1/search."""

from flask import Blueprint, jsonify, request

from portal.kernel.api import api_user, token_required
from portal.kernel.ids import text_int
from search import service

bp = Blueprint("search_api", __name__)
MAX_LIMIT = 100


@bp.get("/search")
@token_required
def search():
    limit = text_int(request.args.get("limit"), "limit", high=MAX_LIMIT, default=20)
    found = service.search(
        api_user(),
        request.args.get("q", ""),
        service.read_filters(request.args),
        include_all=request.args.get("all") == "1",
        sort=request.args.get("sort", "relevance"),
        per_page=limit,
    )
    return jsonify(
        {
            "items": [
                {
                    "id": hit.asset_id,
                    "title": hit.title.striptags(),
                    "stages": hit.stages,
                    "content_type": hit.content_type,
                    "snippet": str(hit.snippet),
                    "score": hit.score,
                    "stale": hit.stale,
                }
                for hit in found.result.hits
            ],
            "total": found.result.total,
            "suggestion": found.result.suggestion,
            "notes": found.parsed.notes,
        }
    )
