"""The contract every search backend honours, and the ranking both of them share.

Ranking (documented in the README): a backend finds the best text matches, then each
candidate's relevance is multiplied by a quality factor and a freshness factor:

    score = relevance × (1 + 0.25 × quality) × (0.7 if past its review date else 1)
    quality = ½ × rating part + ½ × usage part, each between 0 and 1 (content.usage.signals)

So among equally relevant assets the better rated and more used come first, a single
five-star rating cannot outrank a strong text match, and stale content sinks.

Partial matching: documents with every word come first. When fewer than
``PARTIAL_BELOW`` documents have them all, documents with most of the words follow (at
least ``should_match(n)`` of the n words), more words first, then by score; each such hit
names the words it lacks. A +word, a quoted phrase and a prefix must always match.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from markupsafe import Markup

from content.usage.signals import quality
from search.query import ParsedQuery

_MARKED = re.compile(r"<mark[^>]*>(.*?)</mark>", re.S)
FACETS = ("stages", "personas", "industries", "content_type", "tags")
QUALITY_WEIGHT = 0.25
STALE_FACTOR = 0.7
# Fewer documents than this with every word: documents with most of them follow.
PARTIAL_BELOW = 5
# Fewer results than this: the backend also offers a respelt query (SearchResult.suggestion).
FEW_RESULTS = 3
# A typed word this long may be a compound of two indexed words, each at least MIN_PART long.
MIN_COMPOUND = 5
MIN_PART = 2


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


def should_match(count: int) -> int:
    """How many of ``count`` optional words a partial match needs: all of them up to
    two, then all but one up to four, then half (rounded up)."""
    if count <= 2:
        return count
    if count <= 4:
        return count - 1
    return -(-count // 2)


def compound_splits(word: str, known) -> list[tuple[str, str]]:
    """Ways to read an unhyphenated word as two words the index knows (ghostwriting →
    ghost writing), so it also finds the hyphenated or spaced spelling; ``known`` tells
    whether the index holds a word."""
    return [(left, right) for left, right in two_parts(word) if known(left) and known(right)][:2]


def two_parts(word: str) -> list[tuple[str, str]]:
    """Every split of an unhyphenated word of five letters or more into two parts of two
    letters or more: a compound may start or end with a two-letter word (golive → go
    live, signon → sign on); stop words never count as known, so "into" stays whole."""
    if "-" in word or " " in word or len(word) < MIN_COMPOUND:
        return []
    return [(word[:cut], word[cut:]) for cut in range(MIN_PART, len(word) - MIN_PART + 1)]


def marked_words(fragment: str) -> int:
    """How many different words a highlighted fragment marks: the snippet comes from the
    field whose best passage marks most (the body when they tie)."""
    return len({word.lower() for word in _MARKED.findall(fragment)})


def best_passage(fragments: list[str]) -> str:
    """The fragment marking most different words (the first of equals), or ""."""
    marked = [fragment for fragment in fragments if fragment and "<mark" in fragment]
    return max(marked, key=marked_words, default="")


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
    # False: every word must match (the behaviour before partial matching, for benches).
    partial: bool = True


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
    # The query's words this hit lacks (a partial match).
    missing: list[str] = field(default_factory=list)
    # The asset's summary, highlighted like the title; the snippet is the body's (or the
    # file text's) best passage.
    summary: Markup = field(default_factory=Markup)


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    # The query with unknown words respelt, when the results are few (or none).
    suggestion: str | None = None


class IndexWriter(Protocol):
    def upsert(self, document: SearchDocument) -> None: ...
    def delete(self, asset_id: int) -> None: ...
    def commit(self) -> None: ...
    def cancel(self) -> None: ...


class SearchBackend(Protocol):
    """One interface, two implementations (Whoosh files and PostgreSQL full text)."""

    name: str
    # True when several processes may index at once (each locks the assets it indexes).
    parallel: bool

    def lock_assets(self, session, asset_ids: list[int]) -> list[int]:
        """Lock ``asset_ids`` for indexing until ``session``'s transaction ends; those
        locked, in order (with one writer at a time, all of them)."""

    def writer(self, bulk: bool = False) -> IndexWriter | None:
        """A writer, or None at once when another process holds the index; ``bulk`` when
        it will be handed the whole corpus (a rebuild)."""

    def search(self, request: SearchRequest) -> SearchResult: ...

    def indexed(self) -> dict[int, datetime]:
        """asset id → the updated_at the index holds, for `search check`."""

    def clear(self) -> None:
        """Empty the index (before a rebuild)."""

    def outdated(self) -> bool:
        """True when the index has a layout this code can no longer read (after an
        upgrade): it must be rebuilt before it answers."""

    def readiness(self) -> str | None:
        """None when the index can answer searches, else why not in a sentence that names
        nothing secret (for the readiness probe)."""
