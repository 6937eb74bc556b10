"""The embedded search backend: a Whoosh index in the instance folder.

Facts this design respects (measured on this machine): a second process opening a
writer gets LockError at once, so `writer()` asks with timeout 0 and returns None;
opening a searcher is expensive on a large index, so each process keeps one searcher
and replaces it only when the index changed; storing character positions makes
highlighting far cheaper.
"""

import logging
import os
import threading
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from whoosh import highlight, index
from whoosh.index import LockError
from whoosh.query import And, Or, Term
from whoosh.searching import Results, Searcher

from search.backend import (
    FACETS,
    FEW_RESULTS,
    PARTIAL_BELOW,
    SearchRequest,
    SearchResult,
    should_match,
)
from search.whoosh_index import SCHEMA, WhooshWriter, from_epoch, schema_outdated
from search.whoosh_query import (
    excluded_query,
    facet_clauses,
    matching,
    proximity_stems,
    query_parts,
    reader_filter,
    without_excluded,
)
from search.whoosh_ranking import hit_of, ranked_positions, scored_by_relevance
from search.whoosh_readers import LeafCache, open_searcher, scoring_searcher
from search.whoosh_scoring import matched_terms, scored_terms, scores, top
from search.whoosh_spelling import suggestion

log = logging.getLogger(__name__)
CREATE_ATTEMPTS = 3
FILTER_CACHE_SIZE = 256  # filter combinations kept per searcher
CANDIDATES = 300  # relevance window re-ranked by quality; deeper pages fall back to text order
# Titles are short: show them whole, not as a fragment around the match.


class WhooshBackend:
    name = "whoosh"
    # One writer at a time (the index's lock file): it needs no lock per asset.
    parallel = False

    def __init__(self, path: str | Path, rebuild_memory_mb: int = 512):
        self.path = Path(path)
        self.rebuild_memory_mb = rebuild_memory_mb
        self._searcher = None
        self._facet_cache: tuple[object, dict[str, dict[str, set[int]]]] | None = None
        self._filter_cache: tuple[object, dict] | None = None
        # The same, per segment: a publish adds a small segment, and the sets of the
        # segments that did not change are kept (search.whoosh_readers).
        self._facet_leaves = LeafCache()
        self._scoring_cache: tuple[object, object] | None = None
        self._filter_leaves: dict[tuple, LeafCache] = {}
        self._lock = threading.Lock()
        # Held while the index's files are replaced or opened (see _index).
        self._create_lock = threading.RLock()

    def _index(self):
        # Creating an index first deletes the folder's index files, so two threads (the
        # indexer replacing an outdated index, a search opening it) must not do it at
        # once; another process doing it makes a file vanish mid-read: try again.
        with self._create_lock:
            self.path.mkdir(parents=True, exist_ok=True)
            for _attempt in range(CREATE_ATTEMPTS):
                try:
                    if index.exists_in(str(self.path)):
                        return index.open_dir(str(self.path))
                    return index.create_in(str(self.path), SCHEMA)
                except LockError:  # another process is creating it right now
                    return index.open_dir(str(self.path))
                except FileNotFoundError:
                    time.sleep(0.05)
            return index.open_dir(str(self.path))

    def outdated(self) -> bool:
        """True when the index on disk was built with an older schema of this module;
        `search rebuild` then starts from an empty index."""
        with self._create_lock:
            if not index.exists_in(str(self.path)):
                return False
            return schema_outdated(index.open_dir(str(self.path)).schema)

    @staticmethod
    def lock_assets(session, asset_ids: list[int]) -> list[int]:
        """Every asset: whoever holds the one writer indexes them all."""
        return list(asset_ids)

    def writer(self, bulk: bool = False) -> WhooshWriter | None:
        # Taken before the create lock, as searches take them (_current_searcher). If
        # another process commits before this writer opens, WhooshWriter sees that the
        # segments differ and lets Whoosh find old versions itself.
        searcher = None if bulk else self._current_searcher()
        with self._create_lock:
            store = self._index()
            try:
                # A rebuild sorts its postings in memory as far as it may: past the limit
                # Whoosh spills sorted runs to disk (one pickle per posting) and merges
                # them at the commit, which is slow (see bench/README.md).
                limit = {"limitmb": self.rebuild_memory_mb} if bulk else {}
                writer = store.writer(timeout=0, **limit)
            except LockError:
                return None
            # Read under the writer's lock, so no other writer can add documents meanwhile.
            # An index without segments is empty; counting its documents would open a
            # reader of every segment (half a second at 50,000 assets) on every drain.
            if store.is_empty():
                return WhooshWriter(writer, fresh=True)
            return WhooshWriter(writer, searcher=searcher)

    def clear(self) -> None:
        """Replace the index with an empty one (the caller holds no writer)."""
        with self._create_lock:
            self.path.mkdir(parents=True, exist_ok=True)
            index.create_in(str(self.path), SCHEMA)
        with self._lock:
            self._searcher = None

    def readiness(self) -> str | None:
        """None when the index opens, or when there is none yet and its folder can hold
        the one the first search or write creates."""
        try:
            with self._create_lock:
                if index.exists_in(str(self.path)):
                    index.open_dir(str(self.path))
                    return None
                self.path.mkdir(parents=True, exist_ok=True)
                if os.access(self.path, os.W_OK):
                    return None
        except Exception as error:  # noqa: BLE001 - whatever stops it, the index is not ready
            log.warning("The Whoosh index at %s does not open: %s", self.path, error)
            return f"The Whoosh search index does not open ({type(error).__name__})."
        return "The Whoosh search index's folder cannot be written."

    def _scoring(self, searcher):
        """The searcher that scores ``searcher``'s filtered matches (scoring_searcher),
        made once per searcher."""
        cached = self._scoring_cache
        if cached is None or cached[0] is not searcher:
            cached = (searcher, scoring_searcher(searcher))
            self._scoring_cache = cached
        return cached[1]

    def _current_searcher(self):
        """The process's searcher, replaced by a new one when the index has changed."""
        with self._lock, self._create_lock:
            if self._searcher is None or not self._searcher.up_to_date():
                self._searcher = open_searcher(self._index(), self._searcher)
            return self._searcher

    def indexed(self) -> dict[int, datetime]:
        searcher = self._current_searcher()
        return {
            int(fields["asset_id"]): from_epoch(fields["updated_at"])
            for fields in searcher.all_stored_fields()
        }

    def search(self, request: SearchRequest) -> SearchResult:
        searcher = self._current_searcher()
        if schema_outdated(searcher.schema):
            log.warning("The search index uses an old schema: run `flask search rebuild`.")
            return SearchResult([], 0, {})
        optional, mandatory = query_parts(request, searcher.reader())
        query = without_excluded(request, [q for _word, q in optional] + mandatory)
        if query is None:
            return SearchResult([], 0, {})
        sort = request.sort == "newest"
        window = max(CANDIDATES, request.page * request.per_page)
        allowed = self._allowed(searcher, request)
        if allowed is not None and not allowed:  # Whoosh reads an empty filter as none
            return SearchResult([], 0, {})
        memo: dict = {}  # posting lists and phrase documents read once, for scoring too
        found = matching(searcher, query, memo)
        if allowed is not None:
            found &= allowed
        missing: dict[int, list[str]] = {}
        if request.partial and len(found) < PARTIAL_BELOW and len(optional) > 2:
            query, found, missing = self._partial(
                searcher, request, optional, mandatory, allowed, memo
            )
        if not found:  # Whoosh reads an empty filter as none
            return SearchResult(
                hits=[],
                total=0,
                facets=self._facet_counts(searcher, found),
                suggestion=suggestion(searcher, request, allowed),
            )
        # The hits are drawn from ``found`` itself, not from Whoosh's own evaluation of
        # the query: its AndNot matcher lets some excluded documents through, and the list
        # must never show what the count (and the exclusion) removed.
        terms = None if sort else scored_terms(query)
        if terms is None:
            results = self._scoring(searcher).search(
                query,
                filter=found,
                limit=window,
                sortedby="published_at" if sort else None,
                reverse=sort,
                terms=request.highlight,
            )
        else:  # a query of terms only: scored from the posting blocks (whoosh_scoring)
            scoring = self._scoring(searcher)
            results = Results(scoring, query, top(scores(scoring, terms, found, memo), window))
        results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
        results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        today = request.today or date.today()
        stems = proximity_stems(request)
        positions = ranked_positions(searcher, results, today, sort, missing, stems)
        start = (request.page - 1) * request.per_page
        shown = positions[start : start + request.per_page]
        if sort:
            shown = scored_by_relevance(searcher, query, results, shown, today, stems)
        page = [(results[position], score) for score, position in shown]
        # Whoosh's highlighter reads the characters of each matched word for every
        # document in results.top_n: the whole relevance window (300), decoding the
        # posting blocks around each, where only the shown hits are highlighted.
        results.top_n = [(score, hit.docnum) for hit, score in page]
        if terms is not None and request.highlight:
            results.docterms, results.termdocs = matched_terms(
                results.searcher, terms, [hit.docnum for hit, _score in page]
            )
        hits = [hit_of(hit, score, today, request.highlight, missing) for hit, score in page]
        total = len(found)
        return SearchResult(
            hits=hits,
            total=total,
            facets=self._facet_counts(searcher, found),
            # Few results: a respelt query may find more (the service decides).
            suggestion=suggestion(searcher, request, allowed) if total < FEW_RESULTS else None,
        )

    @staticmethod
    def _partial(searcher, request: SearchRequest, optional, mandatory, allowed, memo):
        """Documents with at least ``should_match`` of the optional words and all the
        mandatory parts: (a query scoring them by the words they have, the documents,
        docnum → the words each lacks)."""
        words = [(word, matching(searcher, q, memo)) for word, q in optional]
        counts: Counter[int] = Counter()
        for _word, docs in words:
            counts.update(docs)
        need = should_match(len(words))
        found = {docnum for docnum, count in counts.items() if count >= need}
        if mandatory:
            found &= matching(
                searcher, And(mandatory) if len(mandatory) > 1 else mandatory[0], memo
            )
        excluded = excluded_query(request)
        if excluded is not None:
            found -= matching(searcher, excluded)
        if allowed is not None:
            found &= allowed
        missing = {docnum: [word for word, docs in words if docnum not in docs] for docnum in found}
        # Or scores a document by every part it has: more words and better matches first.
        return Or([q for _word, q in optional] + mandatory), found, missing

    def _allowed(self, searcher, request: SearchRequest) -> set[int] | None:
        """The documents a request's filters let through (None: all of them).

        The part shared by every reader (facet filters, live and not expired) is kept per
        searcher: "live only" alone lets nearly every document through, and building
        that set twice per search was a fifth of a search's time. A reader's own drafts
        (assets they were invited to) are added to it per search.
        """
        shared = self._shared_allowed(searcher, request)
        if not request.live_only or request.user_id is None or shared is None:
            return shared
        user = str(request.user_id)
        if ("collaborators", user) not in searcher.reader():
            return shared
        mine = And([Term("collaborators", user), *facet_clauses(request)])
        theirs = set(searcher.docs_for_query(mine))
        return shared | theirs if theirs - shared else shared

    def _shared_allowed(self, searcher, request: SearchRequest) -> set[int] | None:
        today = (request.today or date.today()).toordinal() if request.live_only else None
        facets = tuple(sorted((k, v) for k, v in request.filters.items() if v))
        key = (request.live_only, today, facets)
        if key == (False, None, ()):
            return None
        cached = self._filter_cache
        if cached is None or cached[0] is not searcher:
            cached = (searcher, {})
            self._filter_cache = cached
        sets = cached[1]
        allowed = sets.get(key)  # one lookup: another thread may clear the dict meanwhile
        if allowed is None:
            query = reader_filter(request, for_user=False)
            leaves = self._filter_leaves.get(key)
            if leaves is None:
                if len(self._filter_leaves) >= FILTER_CACHE_SIZE:
                    self._filter_leaves.clear()
                leaves = self._filter_leaves.setdefault(key, LeafCache())
            allowed = merged(leaves.per_leaf(searcher, lambda leaf: _leaf_docs(leaf, query)))
            if len(sets) >= FILTER_CACHE_SIZE:
                sets.clear()
            sets[key] = allowed
        return allowed  # shared between searches: read it, never change it

    def _facet_values(self, searcher) -> dict[str, dict[str, set[int]]]:
        """facet → value → the documents carrying it, built once per searcher (the index
        does not change under a searcher), so counting a search's facets is a few set
        intersections done in C rather than a Python walk over every match."""
        cached = self._facet_cache
        if cached is not None and cached[0] is searcher:
            return cached[1]
        values: dict[str, dict[str, set[int]]] = {name: {} for name in FACETS}
        for leaf_values, offset in self._facet_leaves.per_leaf(searcher, _leaf_facets):
            for name, by_slug in leaf_values.items():
                for slug, docs in by_slug.items():
                    values[name][slug] = values[name].get(slug, set()) | shifted(docs, offset)
        self._facet_cache = (searcher, values)
        return values

    def _facet_counts(self, searcher, found: set[int]) -> dict[str, list[tuple[str, int]]]:
        counts = {}
        for name, by_value in self._facet_values(searcher).items():
            tally = [(slug, len(docs & found)) for slug, docs in by_value.items()]
            counts[name] = sorted(
                ((slug, n) for slug, n in tally if n), key=lambda pair: (-pair[1], pair[0])
            )
        return counts


def _leaf_facets(leaf) -> dict[str, dict[str, set[int]]]:
    """facet → value → the documents of one segment carrying it (segment numbering)."""
    return {
        name: {slug: set(leaf.postings(name, slug).all_ids()) for slug in leaf.field_terms(name)}
        for name in FACETS
    }


def _leaf_docs(leaf, query) -> set[int]:
    """The documents of one segment that ``query`` matches (segment numbering)."""
    return set(query.docs(Searcher(leaf, closereader=False)))


def shifted(docs: set[int], offset: int) -> set[int]:
    """A segment's document numbers as the whole index numbers them."""
    return docs if not offset else {docnum + offset for docnum in docs}


def merged(per_leaf: list[tuple[set[int], int]]) -> set[int]:
    """One set of index document numbers from per-segment sets and their offsets."""
    found: set[int] = set()
    for docs, offset in per_leaf:
        found |= shifted(docs, offset)
    return found
