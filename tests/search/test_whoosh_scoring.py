"""BM25F from the posting blocks (search.whoosh_scoring) against Whoosh's own scores."""

from whoosh.query import Or, Prefix, Term

from search.backend import SearchRequest
from search.query import parse_query
from search.whoosh_backend import WhooshBackend
from search.whoosh_index import WEIGHTING
from search.whoosh_query import matching, text_query
from search.whoosh_scoring import scored_terms, scores, top
from tests.search.helpers import document, put


def test_scores_from_the_blocks_equal_whoosh_scores_of_each_document(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    put(backend, document(1, "Pricing guide", "Pricing by seat; the calculator."))
    put(backend, document(2, "ROI calculator", "Pricing " * 20), document(3, "Renewals"))
    with backend._index().searcher(weighting=WEIGHTING) as searcher:
        request = SearchRequest(parsed=parse_query("pricing calculator"))
        query = text_query(request, searcher.reader())
        found = matching(searcher, query)
        ours = scores(searcher, scored_terms(query), found)

        assert len(ours) == 2, "the two documents with both words (document numbers)"
        for docnum, score in ours.items():
            alone = searcher.search(query, filter={docnum}).top_n
            assert abs(alone[0][0] - score) < 1e-9
        assert [docnum for _score, docnum in top(ours, 1)] == [max(ours, key=ours.get)]


def test_a_phrase_scores_its_words_where_it_matches_as_whoosh_does(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    put(
        backend,
        document(1, "Implementation timeline", "Six weeks from signature to go-live."),
        document(2, "Launch plan", "Go to market with a live demo, then go live."),
        document(3, "Live demo", "Go further."),
    )
    with backend._index().searcher(weighting=WEIGHTING) as searcher:
        request = SearchRequest(parsed=parse_query("golive"))
        query = text_query(request, searcher.reader())
        ours = scores(searcher, scored_terms(query), matching(searcher, query))

        assert len(ours) == 2, "go and live apart are not a match"
        for docnum, score in ours.items():
            assert abs(searcher.search(query, filter={docnum}).top_n[0][0] - score) < 1e-9


def test_queries_with_a_prefix_are_left_to_whoosh():
    assert scored_terms(Prefix("body", "negoti")) is None
    assert scored_terms(Or([Term("body", "roi"), Prefix("body", "negoti")])) is None


def test_a_search_reads_each_posting_list_once_and_scores_the_same(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    put(backend, document(1, "Pricing guide", "Pricing by seat."), document(2, "Pricing FAQ"))
    put(backend, document(3, "Pricing calculator", "Pricing for renewals."))
    writer = backend.writer()
    writer.delete(2)  # a segment with a deleted document
    writer.commit()
    with backend._index().searcher(weighting=WEIGHTING) as searcher:
        request = SearchRequest(parsed=parse_query("pricing"))
        query = text_query(request, searcher.reader())
        memo: dict = {}
        found = matching(searcher, query, memo)
        read = set(memo)
        memoised = scores(searcher, scored_terms(query), found, memo)

        assert found == set(searcher.docs_for_query(query)), "deleted documents stay out"
        assert len(found) == 2
        assert set(memo) == read, "scoring read no posting list again"
        fresh = scores(searcher, scored_terms(query), found)
        assert memoised.keys() == fresh.keys()
        assert all(abs(memoised[doc] - fresh[doc]) < 1e-9 for doc in fresh)
