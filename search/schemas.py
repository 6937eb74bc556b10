"""The API's schemas for search: the query string and the hits."""

from typing import Annotated, Literal

from pydantic import Field

from portal.kernel.schemas import Output, Query, QueryNumber, Slug
from search import service
from search.backend import Hit

LIMIT_MAX = 100


class SearchQuery(Query):
    q: str | None = Field(None, description="The query, up to 300 characters")
    stage: Slug | None = Field(None, description="Stage slug")
    persona: Slug | None = Field(None, description="Persona slug")
    industry: Slug | None = Field(None, description="Industry slug")
    content_type: Slug | None = Field(None, description="Content type slug")
    tag: Slug | None = Field(None, description="Tag slug")
    sort: Literal[service.SORTS] | None = Field(  # type: ignore[valid-type]
        None, description="relevance (default) or newest"
    )
    all: str | None = Field(
        None, description="1 to include drafts and archived assets (authors only)"
    )
    limit: Annotated[
        int | None,
        Field(ge=1, le=LIMIT_MAX, description="Hits to return (default 20)"),
        QueryNumber,
    ] = None
    as_typed: str | None = Field(None, description="1 to search the query as typed, uncorrected")


class SearchHit(Output):
    id: int
    title: str
    stages: list[str]
    content_type: str | None
    summary: str = Field(description="The asset's summary, HTML with <mark>")
    snippet: str = Field(
        description="The best matching passage of the body or file, HTML with <mark>"
    )
    score: float
    stale: bool
    missing: list[str] = Field(description="Query words this hit lacks (a partial match)")

    @classmethod
    def shown(cls, hit: Hit) -> "SearchHit":
        return cls.read(
            hit,
            id=hit.asset_id,
            title=hit.title.striptags(),
            summary=str(hit.summary),
            snippet=str(hit.snippet),
        )


class SearchResults(Output):
    items: list[SearchHit]
    total: int
    suggestion: str | None = Field(description="A respelt query that finds results (did you mean)")
    query: str = Field(description="The query whose results these are")
    corrected_from: str | None = Field(
        description="The query as typed, when it found few results and these are its correction's"
    )
    notes: list[str]
