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

from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, AndNot, Or, Phrase, Term

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


def _postings(matcher, weights: bool):
    """(ids, weights) of each block of a posting list; weights are decoded only when
    asked for (an empty list otherwise)."""
    if not hasattr(matcher, "_next_block"):  # not an on-disk posting list
        while matcher.is_active():
            yield [matcher.id()], [matcher.weight()] if weights else []
            matcher.next()
        return
    while matcher.is_active():
        matcher.id()  # loads the block's ids
        if weights:
            matcher.weight()  # and its weights
        yield matcher._ids, matcher._weights if weights else []
        matcher._next_block()


def _read_term(reader, fieldname: str, text: str, with_weights: bool = True) -> list:
    """Each segment's posting list of the term, decoded block by block: (segment reader,
    document offset, ids, weights (empty unless asked for), deleted ids)."""
    blocks = []
    for leaf, offset in reader.leaf_readers():
        if (fieldname, text) not in leaf:
            continue
        matcher = leaf.postings(fieldname, text)
        deleted: frozenset[int] = frozenset()
        if isinstance(matcher, FilterMatcher):  # the segment has deleted documents
            deleted, matcher = matcher._ids, matcher.child
        ids: list[int] = []
        weights: list[float] = []
        for block_ids, block_weights in _postings(matcher, with_weights):
            ids.extend(block_ids)
            weights.extend(block_weights)
        blocks.append((leaf, offset, ids, weights, deleted))
    return blocks


def _term_blocks(reader, fieldname: str, text: str, memo: dict | None) -> list:
    """_read_term, once per search when ``memo`` is given (finding the matches and
    scoring them read the same posting lists)."""
    if memo is None:
        return _read_term(reader, fieldname, text)
    blocks = memo.get((fieldname, text))
    if blocks is None:
        blocks = memo[(fieldname, text)] = _read_term(reader, fieldname, text)
    return blocks


def term_docs(reader, fieldname: str, text: str, memo: dict | None = None) -> set[int]:
    """Every live document holding the term, read a posting block at a time: stepping
    Whoosh's matcher one document at a time (``all_ids``) cost several Python calls per
    posting, most of finding a broad query's matches at 50,000 assets."""
    found: set[int] = set()
    if memo is None:  # read for the matches only: the weights are not decoded
        blocks = _read_term(reader, fieldname, text, with_weights=False)
    else:
        blocks = _term_blocks(reader, fieldname, text, memo)
    for _leaf, offset, ids, _weights, deleted in blocks:
        docs = set(ids) - deleted
        found |= {docnum + offset for docnum in docs} if offset else docs
    return found


def scores(searcher, parts: list, found: set[int], memo: dict | None = None) -> dict[int, float]:
    """docnum → BM25F score of ``parts`` (scored_terms), for the documents of ``found``
    only, which holds no deleted document (``searcher`` may be a scoring_searcher).
    ``memo`` holds what whoosh_query.matching read for the same search: the posting
    lists of its terms and the documents of its phrases (matching a phrase reads every
    position of its words), so that each is read once."""
    terms = [part for part in parts if isinstance(part[0], str)]
    total = _term_scores(searcher, terms, found, memo)
    for phrase, words in (part for part in parts if not isinstance(part[0], str)):
        matched = (memo or {}).get(phrase)
        if matched is None:
            matched = set(searcher.docs_for_query(phrase))
        docs = matched & found
        for docnum, score in _term_scores(searcher, words, docs, memo).items():
            total[docnum] = total.get(docnum, 0.0) + score
    return total


def _term_scores(searcher, terms: list, found: set[int], memo: dict | None) -> dict[int, float]:
    total: dict[int, float] = {}
    get = total.get
    if not found:
        return total
    reader = searcher.reader()
    for fieldname, text in terms:
        blocks = _term_blocks(reader, fieldname, text, memo)
        if not blocks:
            continue
        # bm25(idf, tf, fl, avgfl, B, K1) rearranged as scale * tf / (tf + base + slope * fl),
        # its constants worked out once per term rather than once per posting.
        idf = searcher.idf(fieldname, text)
        avgfl = searcher.avg_field_length(fieldname) or 1
        b = WEIGHTING._field_B.get(fieldname, WEIGHTING.B)
        k1 = WEIGHTING.K1
        scale, base, slope = idf * (k1 + 1), k1 * (1 - b), k1 * b / avgfl
        for leaf, offset, ids, weights, _deleted in blocks:
            lengths = WEIGHTING.field_lengths(leaf, fieldname)
            for docnum, tf in zip(ids, weights, strict=True):
                key = docnum + offset
                if key in found:
                    score = scale * tf / (tf + base + slope * lengths[docnum])
                    total[key] = get(key, 0.0) + score
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
