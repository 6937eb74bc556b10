"""BM25F scores of a search's matches, computed from the posting blocks directly.

Whoosh scores a query by stepping a tree of matchers (a union per word over the text
fields, an intersection of the words) one document at a time, several Python calls per
posting and step: at 50,000 assets that was most of a broad search. When a query is made
of terms and phrases (anything but a prefix), a document's score is the sum, over the
query's terms it contains, of that term's BM25F score; a phrase (a compound's split, a
synonym) adds its words' scores where it matches, as Whoosh scores it. This module
computes that block by block from the same ids, weights and lengths, with the same
formula and statistics (``whoosh.scoring.bm25``, the searcher's idf and average field
lengths). Sums may differ from Whoosh's in the last bits (Whoosh adds in the order of its
matcher tree), so documents with equal scores may swap places. And Whoosh's optimised
top-N search under-scores some documents (see bench/README.md), which here get their
full score.
"""

import heapq

from whoosh.query import And, AndNot, Or, Phrase, Term
from whoosh.scoring import bm25

from search.whoosh_index import WEIGHTING


def scored_terms(query) -> list | None:
    """What scores in ``query``, once per occurrence: (field, text) for a term, and
    (phrase query, [(field, text) of its words]) for a phrase, which Whoosh scores as the
    sum of its words' scores where the phrase matches. None when the query holds anything
    else (Whoosh scores it then)."""
    if isinstance(query, AndNot):  # the excluded part does not score
        return scored_terms(query.a)
    if isinstance(query, And | Or):
        if query.boost != 1.0:
            return None
        parts: list = []
        for part in query.subqueries:
            found = scored_terms(part)
            if found is None:
                return None
            parts += found
        return parts
    if isinstance(query, Term) and query.boost == 1.0:
        return [(query.fieldname, query.text)]
    if isinstance(query, Phrase) and query.boost == 1.0 and query.slop == 1:
        return [(query, [(query.fieldname, word) for word in query.words])]
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


def scores(searcher, parts: list, found: set[int]) -> dict[int, float]:
    """docnum → BM25F score of ``parts`` (scored_terms), for the documents of ``found``
    only, which holds no deleted document (``searcher`` may be a scoring_searcher)."""
    terms = [part for part in parts if isinstance(part[0], str)]
    total = _term_scores(searcher, terms, found)
    for phrase, words in (part for part in parts if not isinstance(part[0], str)):
        docs = set(searcher.docs_for_query(phrase)) & found
        for docnum, score in _term_scores(searcher, words, docs).items():
            total[docnum] = total.get(docnum, 0.0) + score
    return total


def _term_scores(searcher, terms: list[tuple[str, str]], found: set[int]) -> dict[int, float]:
    total: dict[int, float] = {}
    get = total.get
    if not found:
        return total
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


def matched_terms(searcher, parts: list, docnums: list[int]):
    """Which of ``terms`` each of ``docnums`` holds, as Whoosh's TermsCollector records
    them (docnum → [(field, bytes)], (field, bytes) → docnums), for its highlighter."""
    docterms: dict[int, list[tuple[str, bytes]]] = {docnum: [] for docnum in docnums}
    termdocs: dict[tuple[str, bytes], list[int]] = {}
    wanted = sorted(set(docnums))
    reader = searcher.reader()
    terms = [part for part in parts if isinstance(part[0], str)]
    terms += [word for part in parts if not isinstance(part[0], str) for word in part[1]]
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
