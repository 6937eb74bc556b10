"""The contract every search backend honours, and the ranking both of them share.

Ranking (documented in the README): a backend finds the best text matches, then each
candidate's relevance is multiplied by a quality factor and a freshness factor:

    score = relevance × (1 + 0.25 × quality) × (0.7 if past its review date else 1)
    quality = ½ × rating part + ½ × usage part, each between 0 and 1 (content.usage.signals)

So among equally relevant assets the better rated and more used come first, a single
five-star rating cannot outrank a strong text match, and stale content sinks.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from markupsafe import Markup

from content.usage.signals import quality
from search.query import ParsedQuery

FACETS = ("stages", "personas", "industries", "content_type", "tags")
QUALITY_WEIGHT = 0.25
STALE_FACTOR = 0.7


@dataclass
class SearchDocument:
    """What the index holds for one asset: the text readers see and its facets."""

    asset_id: int
    title: str
    summary: str
    body: str
    file_text: str
    stages: list[str]
    personas: list[str]
    industries: list[str]
    content_type: str | None
    tags: list[str]
    status: str
    live: bool
    owner_id: int
    published_at: datetime | None
    updated_at: datetime
    review_by: date | None
    rating_average: float | None = None
    rating_count: int = 0
    usage_count: int = 0
    # Readers stop finding a live asset after this day.
    expires_on: date | None = None
    # Users invited to the asset: they find it while it is a draft, as they see it.
    collaborator_ids: list[int] = field(default_factory=list)

    @property
    def quality(self) -> float:
        return quality(self.rating_average, self.rating_count, self.usage_count)


def blended_score(relevance: float, quality_score: float, stale: bool) -> float:
    """Relevance adjusted for quality and freshness."""
    return relevance * (1 + QUALITY_WEIGHT * quality_score) * (STALE_FACTOR if stale else 1.0)


@dataclass
class SearchRequest:
    """A parsed query plus who is asking and which slice of the library to search."""

    parsed: ParsedQuery
    filters: dict[str, str] = field(default_factory=dict)
    live_only: bool = True
    # With live_only, also what this user collaborates on (drafts included).
    user_id: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    highlight: bool = True
    today: date | None = None


@dataclass
class Hit:
    asset_id: int
    title: Markup
    snippet: Markup
    score: float
    stages: list[str]
    content_type: str | None
    stale: bool
    live: bool
    status: str


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None = None


class IndexWriter(Protocol):
    def upsert(self, document: SearchDocument) -> None: ...
    def delete(self, asset_id: int) -> None: ...
    def commit(self) -> None: ...
    def cancel(self) -> None: ...


class SearchBackend(Protocol):
    """One interface, two implementations (Whoosh files and PostgreSQL full text)."""

    name: str

    def writer(self, bulk: bool = False) -> IndexWriter | None:
        """A writer, or None at once when another process holds the index; ``bulk`` when
        it will be handed the whole corpus (a rebuild)."""

    def search(self, request: SearchRequest) -> SearchResult: ...

    def indexed(self) -> dict[int, datetime]:
        """asset id → the updated_at the index holds, for `search check`."""

    def clear(self) -> None:
        """Empty the index (before a rebuild)."""
