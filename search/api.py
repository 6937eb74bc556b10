"""JSON search: GET /api/v1/search."""

from flask import Blueprint, request

from portal.kernel.models import User
from portal.kernel.schemas import operation
from search import service
from search.schemas import SearchHit, SearchQuery, SearchResults

bp = Blueprint("search_api", __name__)


@bp.get("/search")
@operation(
    'Search the assets visible to you (words, +word, "phrases", -word, prefix*)',
    answer="The best hits and the total",
)
def search(query: SearchQuery, user: User) -> SearchResults:
    found = service.search(
        user,
        query.q or "",
        service.read_filters(request.args),
        include_all=query.all == "1",
        sort=query.sort or "relevance",
        per_page=query.limit or 20,
        as_typed=query.as_typed == "1",
    )
    return SearchResults(
        items=[SearchHit.shown(hit) for hit in found.result.hits],
        total=found.result.total,
        suggestion=found.result.suggestion,
        query=found.query,
        corrected_from=found.corrected_from,
        notes=found.parsed.notes,
    )
