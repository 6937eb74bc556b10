"""Opening a Whoosh searcher after the index changed, reusing what did not change.

Publishing an asset adds a small segment to the index; the large segment of the last
rebuild stays as it was. Whoosh's own ``Searcher.refresh()`` means to reuse the readers
of unchanged segments, but in Whoosh 2.7.4 it looks them up by segment id in a table
keyed by generation, so it never finds one and reopens every segment: at 50,000 assets
that was most of the time between a publish and the asset being searchable (see
bench/README.md). Here a segment reader is reused when the new generation holds the same
segment with the same deletions (deletions only ever grow within a segment), and so are
the document sets computed from it (``LeafCache``).
"""

import copy
import weakref
from collections.abc import Callable
from typing import Any

from whoosh.reading import MultiReader, SegmentReader
from whoosh.searching import Searcher

from search.whoosh_index import WEIGHTING, segment_key

# How often opening a searcher starts again when a commit elsewhere removed the files of
# the generation it was reading.
OPEN_ATTEMPTS = 5


def open_searcher(store, previous: Searcher | None) -> Searcher:
    """A searcher of ``store``'s latest generation that shares ``previous``'s readers of
    the segments that have not changed.

    Another process may commit between finding the latest generation and opening its
    files, and its commit deletes the files of the generation it replaced; then this
    starts again with the newer generation, as Whoosh's own ``Index.reader`` does.

    The readers it no longer needs are not closed here: another thread may be searching
    with ``previous`` right now (the indexer thread opens a searcher after each commit).
    They close when the last search holding them lets go of them."""
    old = {}
    if previous is not None:
        for leaf, _offset in previous.reader().leaf_readers():
            key = segment_key(leaf)
            if key is not None:
                old[key] = leaf
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return _open_latest(store, dict(old))
        except FileNotFoundError:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _open_latest(store, old: dict) -> Searcher:
    toc = store._read_toc()  # the generation's segments (no public accessor in Whoosh)
    if not toc.segments or not old:
        return store.searcher(weighting=WEIGHTING)
    readers = []
    for segment in toc.segments:
        reused = old.pop((segment.segment_id(), segment.deleted_count()), None)
        readers.append(
            reused or SegmentReader(store.storage, toc.schema, segment, generation=toc.generation)
        )
    # A MultiReader even over one segment: it carries the new generation, which a
    # reused segment reader does not, and up_to_date() compares generations.
    reader = MultiReader(readers, generation=toc.generation)
    return Searcher(reader, fromindex=store, weighting=WEIGHTING)


class LeafCache:
    """Values computed per segment reader (e.g. the documents of each facet value), kept
    while the searcher's readers include that segment reader."""

    def __init__(self) -> None:
        # Weak references: a cache must not keep a replaced segment's files open.
        self._values: dict[int, tuple[weakref.ref, Any]] = {}

    def per_leaf(self, searcher: Searcher, compute: Callable[[Any], Any]) -> list[tuple[Any, int]]:
        """(value, document offset) for each segment of ``searcher``, computing only the
        segments not seen before."""
        kept: dict[int, tuple[weakref.ref, Any]] = {}
        found = []
        for leaf, offset in searcher.reader().leaf_readers():
            cached = self._values.get(id(leaf))
            if cached is None or cached[0]() is not leaf:
                cached = (weakref.ref(leaf), compute(leaf))
            kept[id(leaf)] = cached
            found.append((cached[1], offset))
        self._values = kept
        return found


class _NoDeletions:
    """A segment's per-document reader that reports no deleted documents."""

    def __init__(self, perdoc) -> None:
        self._perdoc = perdoc

    def __getattr__(self, name: str):
        return getattr(self._perdoc, name)

    def deleted_docs(self):
        return ()

    def has_deletions(self) -> bool:
        return False

    def is_deleted(self, _docnum: int) -> bool:
        return False


def scoring_searcher(searcher: Searcher) -> Searcher:
    """A searcher over the same segments that does not hide deleted documents, for
    searches filtered to a set of live document numbers (``search(filter=found)``, where
    ``found`` comes from ``searcher`` and holds no deleted document).

    Once a segment has a deletion (editing an asset deletes its old version), Whoosh
    wraps every posting list of that segment in a matcher that skips deleted documents,
    one Python call per posting and step: a sixth of a broad search at 50,000 assets
    with three deletions in the large segment. Scores do not depend on deletions (BM25
    reads document frequencies and lengths that include them), so the results are the
    same."""
    leaves = searcher.reader().leaf_readers()
    if not any(leaf.has_deletions() for leaf, _offset in leaves):
        return searcher
    readers = []
    for leaf, _offset in leaves:
        if leaf.has_deletions() and isinstance(leaf, SegmentReader):
            leaf = copy.copy(leaf)
            leaf._perdoc = _NoDeletions(leaf._perdoc)
        readers.append(leaf)
    reader = MultiReader(readers, generation=searcher.reader().generation())
    return Searcher(reader, weighting=WEIGHTING, closereader=False)
