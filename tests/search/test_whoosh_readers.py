"""The Whoosh backend after a commit: unchanged segments are not reopened, and old
versions of documents are found through the process's searcher when it is current."""

import threading

from whoosh import scoring

from search.backend import SearchRequest
from search.query import parse_query
from search.whoosh_backend import WhooshBackend
from search.whoosh_index import LONG_FIELD_B, WEIGHTING, WhooshWriter
from search.whoosh_query import text_query
from tests.search.helpers import document, find, put

THREADS = 4


def ids(result) -> list[int]:
    return sorted(hit.asset_id for hit in result.hits)


def leaves(backend: WhooshBackend) -> list:
    with backend._searching() as pooled:
        return [leaf for leaf, _offset in pooled.searcher.reader().leaf_readers()]


def test_a_commit_reuses_the_readers_of_the_segments_it_did_not_change(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    put(backend, document(1, "Pricing guide"), document(2, "Security whitepaper"))
    before = leaves(backend)

    put(backend, document(3, "Pricing sheet"))

    after = leaves(backend)
    assert before[0] in after, "the first segment's reader is shared"
    assert len(after) == 2
    assert ids(find(backend, "pricing")) == [1, 3]
    assert find(backend, "pricing").facets["stages"] == [("awareness", 2)]


def test_an_edited_document_replaces_its_old_version_in_a_reused_segment(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    put(backend, document(1, "Pricing guide"), document(2, "Security whitepaper"))
    find(backend, "pricing")  # the searcher the next writer uses

    put(backend, document(1, "Renewal guide"))

    assert ids(find(backend, "pricing")) == []
    assert ids(find(backend, "renewal")) == [1]
    assert sorted(backend.indexed()) == [1, 2]
    put(backend, document(2, "Renewal whitepaper"))
    assert ids(find(backend, "renewal")) == [1, 2]
    assert find(backend, "renewal").total == 2


def test_a_searcher_of_other_segments_is_not_used_to_find_old_versions(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    put(backend, document(1, "Pricing guide"))
    with backend._searching() as pooled:
        stale = pooled.searcher
    put(backend, document(2, "Security whitepaper"))

    writer = backend._index().writer()
    try:
        assert WhooshWriter(writer, searcher=stale)._searcher is None
        with backend._searching() as pooled:
            assert WhooshWriter(writer, searcher=pooled.searcher)._searcher is not None
    finally:
        writer.cancel()


def test_scores_with_cached_field_lengths_equal_whoosh_bm25f(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    put(backend, document(1, "Pricing guide", "Pricing by seat, pricing by plan."))
    put(backend, document(2, "Pricing", "A long note " * 30 + "on pricing."))
    store = backend._index()
    plain = scoring.BM25F(body_B=LONG_FIELD_B, file_text_B=LONG_FIELD_B)
    request = SearchRequest(parsed=parse_query("pricing"))

    with store.searcher(weighting=plain) as a, store.searcher(weighting=WEIGHTING) as b:
        query = text_query(request, a.reader())
        expected = a.search(query).top_n
        assert b.search(query).top_n == expected
        assert len(expected) == 2


def test_a_generation_removed_while_it_is_opened_is_replaced_by_the_newer_one(
    tmp_path, monkeypatch
):
    """Another process's commit deletes the files of the generation it replaces; one
    that does so between finding the latest generation and reading its table of
    contents made opening a searcher fail. Here the first read meets that missing file."""
    backend = WhooshBackend(tmp_path / "index")
    put(backend, document(1, "Pricing guide"))
    find(backend, "pricing")
    other = WhooshBackend(tmp_path / "index")  # a second process on the same index
    put(other, document(2, "Pricing sheet"))

    index = backend._index()
    real = type(index)._read_toc
    calls = []

    def vanished_once(self):
        calls.append(1)
        if len(calls) == 1:
            raise FileNotFoundError("_MAIN_1.toc")
        return real(self)

    monkeypatch.setattr(type(index), "_read_toc", vanished_once)
    assert ids(find(backend, "pricing")) == [1, 2]
    assert len(calls) == 2


def test_threads_searching_at_once_never_hold_the_same_segment_reader(tmp_path, monkeypatch):
    """Whoosh readers seek and then read a file position they share: two threads must
    never read through one at the same time. Each search here holds its searcher a while,
    so searches overlap, and every reader in use is checked against the others'."""
    backend = WhooshBackend(tmp_path / "index")
    put(backend, document(1, "Pricing guide"), document(2, "Pricing sheet"))
    put(backend, document(3, "Pricing playbook"))
    in_use: dict[int, int] = {}  # id of a reader in use -> the thread using it
    shared: list[tuple[int, int]] = []
    guard = threading.Lock()
    overlapping = threading.Barrier(THREADS, timeout=10)
    search = backend._search

    def holding(pooled, request):
        searcher = pooled.searcher
        readers = [id(leaf) for leaf, _offset in searcher.reader().leaf_readers()]
        me = threading.get_ident()
        with guard:
            shared.extend((reader, in_use[reader]) for reader in readers if reader in in_use)
            in_use.update(dict.fromkeys(readers, me))
        try:
            overlapping.wait()  # every thread holds its searcher now
            return search(pooled, request)
        finally:
            with guard:
                for reader in readers:
                    in_use.pop(reader, None)

    monkeypatch.setattr(backend, "_search", holding)
    found: list[list[int]] = []
    threads = [
        threading.Thread(target=lambda: found.append(ids(find(backend, "pricing"))))
        for _ in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert shared == []
    assert found == [[1, 2, 3]] * THREADS
    # Each searcher went back to the pool: a later search reuses one, opening nothing.
    assert len(backend._idle) == THREADS
