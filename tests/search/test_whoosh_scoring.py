"""BM25F from the posting blocks (search.whoosh_scoring) against Whoosh's own scores."""

from whoosh.query import Phrase

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


def test_queries_with_phrases_are_left_to_whoosh():
    assert scored_terms(Phrase("body", ["go", "live"])) is None
