"""BM25F scores of a search's matches, computed from the posting blocks directly.

Whoosh scores a query by stepping a tree of matchers (a union per word over the text
fields, an intersection of the words) one document at a time, several Python calls per
posting and step: at 50,000 assets that was most of a broad search. When a query is
made of terms only (the usual case: no phrase, prefix or synonym), a document's score
is the sum, over the query's terms it contains, of that term's BM25F score, which this
module computes block by block from the same ids, weights and lengths, with the same
formula and statistics (``whoosh.scoring.bm25``, the searcher's idf and average field
lengths). Sums may differ from Whoosh's in the last bits (Whoosh adds in the order of its
matcher tree), so documents with equal scores may swap places; nothing else changes.
"""

import heapq

from whoosh.query import And, AndNot, Or, Term
from whoosh.scoring import bm25

from search.whoosh_index import WEIGHTING


def scored_terms(query) -> list[tuple[str, str]] | None:
    """The (field, text) of every term that scores in ``query``, once per occurrence; None
    when the query holds anything but terms (Whoosh scores it then)."""
    if isinstance(query, AndNot):  # the excluded part does not score
        return scored_terms(query.a)
    if isinstance(query, And | Or):
        if query.boost != 1.0:
            return None
        terms: list[tuple[str, str]] = []
        for part in query.subqueries:
            found = scored_terms(part)
            if found is None:
                return None
            terms += found
        return terms
    if isinstance(query, Term) and query.boost == 1.0:
        return [(query.fieldname, query.text)]
    return None


def _postings(matcher):
    """(ids, weights) of each block of a posting list."""
    if not hasattr(matcher, "_next_block"):  # not an on-disk posting list
        while matcher.is_active():
            yield [matcher.id()], [matcher.weight()]
            matcher.next()
        return
    while matcher.is_active():
        matcher.id()  # loads the block's ids
        matcher.weight()  # and its weights
        yield matcher._ids, matcher._weights
        matcher._next_block()


def scores(searcher, terms: list[tuple[str, str]], found: set[int]) -> dict[int, float]:
    """docnum → BM25F score, for the documents of ``found`` only. ``searcher`` must not
    hide deleted documents from its posting lists in a way that changes numbering (see
    whoosh_readers.scoring_searcher); ``found`` holds no deleted document."""
    total: dict[int, float] = {}
    get = total.get
    for leaf, offset in searcher.reader().leaf_readers():
        for fieldname, text in terms:
            if (fieldname, text) not in leaf:
                continue
            idf = searcher.idf(fieldname, text)
            avgfl = searcher.avg_field_length(fieldname) or 1
            b = WEIGHTING._field_B.get(fieldname, WEIGHTING.B)
            k1 = WEIGHTING.K1
            lengths = WEIGHTING.field_lengths(leaf, fieldname)
            for ids, weights in _postings(leaf.postings(fieldname, text)):
                for docnum, weight in zip(ids, weights, strict=True):
                    key = docnum + offset
                    if key in found:
                        total[key] = get(key, 0.0) + bm25(
                            idf, weight, lengths[docnum], avgfl, b, k1
                        )
    return total


def top(scored: dict[int, float], limit: int) -> list[tuple[float, int]]:
    """The ``limit`` best (score, docnum), best first, equal scores by document number
    (as Whoosh's collector orders them)."""
    best = heapq.nsmallest(limit, scored.items(), key=lambda item: (-item[1], item[0]))
    return [(score, docnum) for docnum, score in best]


def matched_terms(searcher, terms: list[tuple[str, str]], docnums: list[int]):
    """Which of ``terms`` each of ``docnums`` holds, as Whoosh's TermsCollector records
    them (docnum → [(field, bytes)], (field, bytes) → docnums), for its highlighter."""
    docterms: dict[int, list[tuple[str, bytes]]] = {docnum: [] for docnum in docnums}
    termdocs: dict[tuple[str, bytes], list[int]] = {}
    wanted = sorted(set(docnums))
    reader = searcher.reader()
    for fieldname, text in dict.fromkeys(terms):
        if (fieldname, text) not in reader:
            continue
        term = (fieldname, searcher.schema[fieldname].to_bytes(text))
        postings = reader.postings(fieldname, text)
        for docnum in wanted:
            if postings.is_active() and postings.id() < docnum:
                postings.skip_to(docnum)
            if not postings.is_active():
                break
            if postings.id() == docnum:
                docterms[docnum].append(term)
                termdocs.setdefault(term, []).append(docnum)
    return docterms, termdocs
