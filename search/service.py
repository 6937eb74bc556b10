"""Searching the library as a given user: visibility, filters, misses."""

import logging
from dataclasses import dataclass, field, replace

from sqlalchemy import select

from content.library.models import ContentType, Industry, Persona, Stage, Tag, TaxonomyTerm
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.permissions import can
from portal.kernel.synonyms import synonym_groups
from search.backend import SearchBackend, SearchRequest, SearchResult
from search.indexing import get_backend
from search.models import SearchMiss
from search.query import ParsedQuery, parse_query
from search.recheck import keep_visible
from search.synonyms import expand

log = logging.getLogger(__name__)
FILTERS: dict[str, tuple[str, type[TaxonomyTerm]]] = {
    "stages": ("stage", Stage),
    "personas": ("persona", Persona),
    "industries": ("industry", Industry),
    "content_type": ("content_type", ContentType),
    "tags": ("tag", Tag),
}
SORTS = ("relevance", "newest")


@dataclass
class SearchPage:
    """What the search page and the API show."""

    query: str
    parsed: ParsedQuery
    result: SearchResult
    page: int
    per_page: int
    filters: dict[str, str] = field(default_factory=dict)
    include_all: bool = False
    sort: str = "relevance"
    # The query as typed, when the results shown are those of its correction (``query``).
    corrected_from: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.result.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def term_names() -> dict[str, dict[str, str]]:
    """Display names of every facet value (index field → slug → name)."""
    return {
        index_field: dict(db.session.execute(select(model.slug, model.name)).all())
        for index_field, (_arg, model) in FILTERS.items()
    }


def read_filters(args) -> dict[str, str]:
    """Facet filters from query arguments (index field → slug); unknown slugs are refused."""
    chosen, errors = {}, {}
    for index_field, (arg, model) in FILTERS.items():
        slug = (args.get(arg) or "").strip()[:60]
        if not slug:
            continue
        if db.session.scalar(select(model.id).where(model.slug == slug)) is None:
            errors[arg] = f"There is no {arg.replace('_', ' ')} called “{slug}”."
        else:
            chosen[index_field] = slug
    if errors:
        raise ValidationFailed("Some filters were not understood.", errors)
    return chosen


def search(
    user: User,
    raw_query: str,
    filters: dict[str, str],
    *,
    include_all: bool = False,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    highlight: bool = True,
    as_typed: bool = False,
) -> SearchPage:
    """Search what ``user`` may see. Readers only ever get live assets; authors may ask
    for drafts and archived assets too. The page of hits is checked against the
    database before it is returned (the index may lag it). A search that finds nothing
    is recorded.

    When the backend respells a query that found few results and the respelt query finds
    more, its results are shown instead (``corrected_from`` holds what was typed) unless
    ``as_typed``; a respelling that finds nothing is never offered."""
    if sort not in SORTS:
        raise ValidationFailed("Sort by relevance or newest.", {"sort": "Unknown sort."})
    groups = synonym_groups()
    parsed = expand(parse_query(raw_query), groups)
    include_all = include_all and can(user, "view_drafts")
    request = SearchRequest(
        parsed=parsed,
        filters=filters,
        live_only=not include_all,
        user_id=user.id,
        sort=sort,
        page=page,
        per_page=per_page,
        highlight=highlight,
    )
    request, result, correction = corrected_search(get_backend(), request, groups, as_typed)
    result = keep_visible(user, result, include_all)
    parsed = request.parsed
    shown, corrected_from = (correction, raw_query) if correction else (raw_query or "", None)
    if result.total == 0 and not parsed.empty:
        _record_miss(user, parsed, filters)
    return SearchPage(
        shown, parsed, result, page, per_page, filters, include_all, sort, corrected_from
    )


def corrected_search(
    backend: SearchBackend, request: SearchRequest, groups: list[list[str]], as_typed: bool
) -> tuple[SearchRequest, SearchResult, str | None]:
    """Run ``request``; when the backend respells a query with few results and the respelt
    query finds more, run that instead (unless ``as_typed``). Returns the request whose
    results these are, the results, and the respelt query when it was used. A respelling
    that finds nothing is dropped from the result."""
    result = backend.search(request)
    if not result.suggestion:
        return request, result, None
    respelt = replace(request, parsed=expand(parse_query(result.suggestion), groups))
    better = backend.search(respelt)
    if better.total == 0:
        result.suggestion = None
    elif better.total > result.total and not as_typed:
        correction, better.suggestion = result.suggestion, None
        return respelt, better, correction
    return request, result, None


def _record_miss(user: User, parsed: ParsedQuery, filters: dict[str, str]) -> None:
    # Recording must never break the search itself.
    try:
        db.session.add(
            SearchMiss(
                query=parsed.text()[:300],
                stage_slug=filters.get("stages", ""),
                persona_slug=filters.get("personas", ""),
                role=user.role,
                user_id=user.id,
            )
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("Could not record a search that found nothing")
