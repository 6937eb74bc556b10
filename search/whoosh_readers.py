"""Opening a Whoosh searcher after the index changed, reusing what did not change.

Publishing an asset adds a small segment to the index; the large segment of the last
rebuild stays as it was. Whoosh's own ``Searcher.refresh()`` means to reuse the readers
of unchanged segments, but in Whoosh 2.7.4 it looks them up by segment id in a table
keyed by generation, so it never finds one and reopens every segment: at 50,000 assets
that was most of the time between a publish and the asset being searchable (see
bench/README.md). Here a segment reader is reused when the new generation holds the same
segment with the same deletions (deletions only ever grow within a segment), and so are
the document sets computed from it (``SharedValues``, keyed by what a segment holds, so
that every thread's searcher of the same segments shares them).
"""

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from whoosh.reading import MultiReader, SegmentReader
from whoosh.searching import Searcher

from search.whoosh_files import MappedStorage
from search.whoosh_index import WEIGHTING, segment_key

# How often opening a searcher starts again when a commit elsewhere removed the files of
# the generation it was reading.
OPEN_ATTEMPTS = 5


def open_searcher(store, previous: Searcher | None, storage: MappedStorage) -> Searcher:
    """A searcher of ``store``'s latest generation that shares ``previous``'s readers of
    the segments that have not changed; new segment readers read ``storage`` (the
    index's files mapped once per process, search.whoosh_files).

    Another process may commit between finding the latest generation and opening its
    files, and its commit deletes the files of the generation it replaced; then this
    starts again with the newer generation, as Whoosh's own ``Index.reader`` does.

    ``previous`` must be the caller's own: its readers move to the new searcher, and a
    reader is never used by two threads at once. The readers it no longer needs are not
    closed here; they close when the last reference to them goes."""
    old = {}
    if previous is not None:
        for leaf, _offset in previous.reader().leaf_readers():
            key = segment_key(leaf)
            if key is not None:
                old[key] = leaf
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return _open_latest(store, dict(old), storage)
        except FileNotFoundError:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _open_latest(store, old: dict, storage: MappedStorage) -> Searcher:
    toc = store._read_toc()  # the generation's segments (no public accessor in Whoosh)
    if not toc.segments:
        return store.searcher(weighting=WEIGHTING)
    readers = []
    for segment in toc.segments:
        reused = old.pop((segment.segment_id(), segment.deleted_count()), None)
        readers.append(
            reused or SegmentReader(storage, toc.schema, segment, generation=toc.generation)
        )
    reader = readers[0]
    if len(readers) > 1 or reader.generation() != toc.generation:
        # A MultiReader even over one reused segment: it carries the new generation,
        # which the reused reader does not, and up_to_date() compares generations.
        reader = MultiReader(readers, generation=toc.generation)
    return Searcher(reader, fromindex=store, weighting=WEIGHTING)


def searcher_key(searcher: Searcher) -> tuple:
    """What a searcher reads, as ``segment_key`` of each segment in order: two searchers
    with the same key number the same documents the same way."""
    return tuple(segment_key(leaf) for leaf, _offset in searcher.reader().leaf_readers())


class SharedValues:
    """Values computed from the index once per key (e.g. a segment's ``segment_key``) and
    shared by every thread: the first thread to ask computes it, others asking for the
    same key meanwhile wait for that result rather than compute it again. The ``keep``
    most recently used keys are kept. Values are shared: read them, never change them."""

    def __init__(self, keep: int) -> None:
        self._keep = keep
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value of ``key``, computed by ``compute()`` if nobody has yet."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            pending = self._pending.setdefault(key, threading.Lock())
        with pending:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = compute()
            with self._lock:
                self._values[key] = value
                self._pending.pop(key, None)
                while len(self._values) > self._keep:
                    self._values.popitem(last=False)
        return value


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
