"""Document sets the Whoosh backend computes from the index: which documents carry each
facet value, and which are live and not expired.

They are kept by what a segment holds (``segment_key``: its id and deletions), not per
searcher, so every thread's searcher of the same segments shares one copy, and a publish
(a new small segment) computes only that segment's sets. Filters are intersections of
these sets per search; a filter combination is not kept (there may be many, each as large
as the index).
"""

from collections import Counter
from collections.abc import Callable, Hashable
from datetime import date
from functools import partial
from typing import Any

from whoosh.query import Term
from whoosh.searching import Searcher

from search.backend import FACETS, SearchRequest
from search.whoosh_index import segment_key
from search.whoosh_query import readable
from search.whoosh_readers import SharedValues, searcher_key

# Values kept per segment (its facet sets and readable documents, a few per segment) and
# per searcher (the same, merged over its segments: only the latest few generations are
# searched, and at 50,000 assets one merged set of readable documents is ~3 MB).
SEGMENT_VALUES = 64
SEARCHER_VALUES = 4


class DocumentSets:
    """The sets of one index, for every thread (see the module's docstring). Sets handed
    out may be kept ones: read them, never change them."""

    def __init__(self) -> None:
        self._segment_values = SharedValues(SEGMENT_VALUES)
        self._searcher_values = SharedValues(SEARCHER_VALUES)

    def allowed(self, searcher, request: SearchRequest) -> set[int] | None:
        """The documents ``request``'s facet filters and "live only" let through (None:
        all of them); a reader's own drafts are the backend's to add."""
        sets = []
        if request.live_only:
            sets.append(self._readable(searcher, (request.today or date.today()).toordinal()))
        for name, slug in sorted((k, v) for k, v in request.filters.items() if v):
            sets.append(self._facet_docs(searcher, name, slug))
        if not sets:
            return None
        sets.sort(key=len)
        allowed = sets[0]
        for docs in sets[1:]:
            allowed = allowed & docs  # a new set: the kept ones are shared
        return allowed  # may be a kept set: read it, never change it

    def _per_segment(self, searcher, name: Hashable, compute: Callable) -> list[tuple[Any, int]]:
        """(``compute(segment reader)``, document offset) for each segment of
        ``searcher``, computed once per segment content (``segment_key``) for every
        thread."""
        found = []
        for leaf, offset in searcher.reader().leaf_readers():
            key = segment_key(leaf)
            if key is None:
                found.append((compute(leaf), offset))
            else:
                value = self._segment_values.get((name, key), partial(compute, leaf))
                found.append((value, offset))
        return found

    def _readable(self, searcher, today: int) -> set[int]:
        """The live documents not expired by ``today`` (a day ordinal)."""
        query = readable(today)

        def compute():
            per_segment = self._per_segment(
                searcher, ("readable", today), lambda leaf: _leaf_docs(leaf, query)
            )
            return merged(per_segment)

        return self._searcher_values.get(("readable", today, searcher_key(searcher)), compute)

    def _facet_values(self, searcher) -> list[dict[str, dict[str, set[int]]]]:
        """For each segment, facet → value → the documents carrying it (index
        numbering), so counting a search's facets is a few set intersections done in C
        rather than a Python walk over every match."""

        def compute():
            return [
                {name: {slug: shifted(docs, offset) for slug, docs in by_slug.items()}
                 for name, by_slug in values.items()}
                for values, offset in self._per_segment(searcher, "facets", _leaf_facets)
            ]  # fmt: skip

        return self._searcher_values.get(("facets", searcher_key(searcher)), compute)

    def _facet_docs(self, searcher, name: str, slug: str) -> set[int]:
        """The documents whose facet ``name`` has the value ``slug``."""
        if name not in FACETS:  # like a Whoosh term on a field that is no facet
            return set(searcher.docs_for_query(Term(name, slug)))
        per_segment = self._facet_values(searcher)
        return merged([(values[name].get(slug, set()), 0) for values in per_segment])

    def facet_counts(self, searcher, found: set[int]) -> dict[str, list[tuple[str, int]]]:
        """facet → (value, how many of ``found`` carry it), most first, values A–Z."""
        per_segment = self._facet_values(searcher)
        counts = {}
        for name in FACETS:
            tally: Counter[str] = Counter()
            for values in per_segment:
                for slug, docs in values[name].items():
                    if count := len(docs & found):
                        tally[slug] += count
            counts[name] = sorted(tally.items(), key=lambda pair: (-pair[1], pair[0]))
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


def merged(per_segment: list[tuple[set[int], int]]) -> set[int]:
    """One set of index document numbers from per-segment sets and their offsets: the
    one non-empty set itself when there is only one in index numbering (no copy)."""
    sets = [shifted(docs, offset) for docs, offset in per_segment if docs]
    if len(sets) == 1:
        return sets[0]
    found: set[int] = set()
    for docs in sets:
        found |= docs
    return found
