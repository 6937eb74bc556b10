"""The embedded search backend: a Whoosh index in the instance folder.

Facts this design respects (measured on this machine): a second process opening a
writer gets LockError at once, so `writer()` asks with timeout 0 and returns None;
opening a searcher is expensive on a large index, so each process keeps its searchers
and replaces one only when the index changed; storing character positions makes
highlighting far cheaper.

Whoosh's readers are not safe to use from two threads at once (a stored-field or posting
read seeks and then reads a file position they share: under threaded web workers that
was an UnpicklingError now and then). So searchers are kept in a pool: a search takes
one that no other thread holds (or opens one) and puts it back when done, so there are
never more searchers than searches at once. What is computed from the index (facet
value sets, the readable documents) is not kept per searcher but by what the segments
hold (search.whoosh_sets), so every searcher of the same segments shares one copy, and
the index's files are read in place through one memory map per file per process
(search.whoosh_files) rather than copied into each searcher.
"""

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import partial
from pathlib import Path

from whoosh import highlight, index
from whoosh.index import LockError
from whoosh.query import And, Or, Term
from whoosh.searching import Results, Searcher

from search.backend import FEW_RESULTS, PARTIAL_BELOW, SearchRequest, SearchResult, should_match
from search.whoosh_files import MappedStorage
from search.whoosh_index import SCHEMA, WhooshWriter, from_epoch, schema_outdated
from search.whoosh_query import (
    excluded_query,
    facet_clauses,
    matching,
    proximity_stems,
    query_parts,
    without_excluded,
)
from search.whoosh_ranking import hit_of, ranked_positions, scored_by_relevance
from search.whoosh_readers import open_searcher, scoring_searcher
from search.whoosh_scoring import matched_terms, scored_terms, scores, top
from search.whoosh_sets import DocumentSets
from search.whoosh_spelling import suggestion

log = logging.getLogger(__name__)
CREATE_ATTEMPTS = 3
CANDIDATES = 300  # relevance window re-ranked by quality; deeper pages fall back to text order


class WhooshBackend:
    name = "whoosh"
    # One writer at a time (the index's lock file): it needs no lock per asset.
    parallel = False

    def __init__(self, path: str | Path, rebuild_memory_mb: int = 512):
        self.path = Path(path)
        self.rebuild_memory_mb = rebuild_memory_mb
        self._files = MappedStorage(str(self.path))
        # Searchers no search holds right now, the most recently used last; appended and
        # popped without a lock (each is atomic), so a searcher is held by one thread.
        self._idle: list[_Pooled] = []
        # Bumped when the index is replaced by an empty one: a searcher from before then is
        # not put back (a new index may start again at the same generation).
        self._epoch = 0
        self._sets = DocumentSets()
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
        # A searcher of its own is taken before the create lock, as searches take them.
        # If another process commits before this writer opens, WhooshWriter sees that the
        # segments differ and lets Whoosh find old versions itself.
        pooled = None if bulk else self._checkout()
        handed = False  # to the writer, which gives it back when it is done
        try:
            with self._create_lock:
                store = self._index()
                # A rebuild sorts its postings in memory as far as it may: past the limit
                # Whoosh spills sorted runs to disk (one pickle per posting) and merges
                # them at the commit, which is slow (see bench/README.md).
                limit = {"limitmb": self.rebuild_memory_mb} if bulk else {}
                try:
                    writer = store.writer(timeout=0, **limit)
                except LockError:
                    return None
                # Read under the writer's lock, so no other writer can add documents
                # meanwhile. An index without segments is empty; counting its documents
                # would open a reader of every segment (half a second at 50,000 assets)
                # on every drain.
                empty = store.is_empty()
                if empty or pooled is None:
                    return WhooshWriter(writer, fresh=empty)
                made = WhooshWriter(
                    writer, searcher=pooled.searcher, release=partial(self._checkin, pooled)
                )
                handed = True
                return made
        finally:
            if pooled is not None and not handed:
                self._checkin(pooled)

    def clear(self) -> None:
        """Replace the index with an empty one (the caller holds no writer)."""
        with self._create_lock:
            self.path.mkdir(parents=True, exist_ok=True)
            index.create_in(str(self.path), SCHEMA)
            self._epoch += 1
            self._idle = []

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

    def _checkout(self) -> "_Pooled":
        """A current searcher that no other thread holds: an idle one (brought up to date
        if the index changed, keeping the readers of unchanged segments) or a new one."""
        try:
            pooled = self._idle.pop()
        except IndexError:
            pooled = None
        if pooled is not None and pooled.epoch == self._epoch and pooled.searcher.up_to_date():
            return pooled
        epoch = self._epoch
        previous = pooled.searcher if pooled is not None and pooled.epoch == epoch else None
        with self._create_lock:
            searcher = open_searcher(self._index(), previous, self._files)
        return _Pooled(searcher, epoch)

    def _checkin(self, pooled: "_Pooled") -> None:
        if pooled.epoch == self._epoch:
            self._idle.append(pooled)

    @contextmanager
    def _searching(self) -> Iterator["_Pooled"]:
        """A searcher held by this thread alone until the block ends."""
        pooled = self._checkout()
        try:
            yield pooled
        finally:
            self._checkin(pooled)

    def indexed(self) -> dict[int, datetime]:
        with self._searching() as pooled:
            return {
                int(fields["asset_id"]): from_epoch(fields["updated_at"])
                for fields in pooled.searcher.all_stored_fields()
            }

    def search(self, request: SearchRequest) -> SearchResult:
        with self._searching() as pooled:
            return self._search(pooled, request)

    def _search(self, pooled: "_Pooled", request: SearchRequest) -> SearchResult:
        searcher = pooled.searcher
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
                facets=self._sets.facet_counts(searcher, found),
                suggestion=suggestion(searcher, request, allowed),
            )
        # The hits are drawn from ``found`` itself, not from Whoosh's own evaluation of
        # the query: its AndNot matcher lets some excluded documents through, and the list
        # must never show what the count (and the exclusion) removed.
        terms = None if sort else scored_terms(query)
        if terms is None:
            results = pooled.scoring().search(
                query,
                filter=found,
                limit=window,
                sortedby="published_at" if sort else None,
                reverse=sort,
                terms=request.highlight,
            )
        else:  # a query of terms only: scored from the posting blocks (whoosh_scoring)
            scoring = pooled.scoring()
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
            facets=self._sets.facet_counts(searcher, found),
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

        The part shared by every reader (facet filters, live and not expired) is made of
        sets kept per segment: "live only" alone lets nearly every document through, and
        building that set twice per search was a fifth of a search's time. A reader's
        own drafts (assets they were invited to) are added to it per search.
        """
        shared = self._sets.allowed(searcher, request)
        if not request.live_only or request.user_id is None or shared is None:
            return shared
        user = str(request.user_id)
        if ("collaborators", user) not in searcher.reader():
            return shared
        mine = And([Term("collaborators", user), *facet_clauses(request)])
        theirs = set(searcher.docs_for_query(mine))
        return shared | theirs if theirs - shared else shared


class _Pooled:
    """A searcher that one search at a time holds, and what is made from its readers."""

    __slots__ = ("_scoring", "epoch", "searcher")

    def __init__(self, searcher: Searcher, epoch: int) -> None:
        self.searcher = searcher
        self.epoch = epoch
        self._scoring: Searcher | None = None

    def scoring(self) -> Searcher:
        """The searcher that scores this searcher's filtered matches (scoring_searcher),
        made once."""
        if self._scoring is None:
            self._scoring = scoring_searcher(self.searcher)
        return self._scoring
