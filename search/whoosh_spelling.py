""" "Did you mean" for the Whoosh backend: respelling words the index does not know."""

from search.backend import SearchRequest
from search.spelling import allowed_edits, damerau, one_edit
from search.whoosh_index import SCHEMA, SPELLING_FIELDS, TEXT_FIELDS
from search.whoosh_query import analyse
from search.whoosh_scoring import scores, term_docs, top


def suggestion(searcher, request: SearchRequest, allowed: set[int] | None) -> str | None:
    """A respelt query when some word is unknown to the index, e.g. pricng → pricing.
    ``allowed`` holds the documents the request may see (None: all of them).

    The index holds stems only (a separate list of whole words doubled indexing
    time), so the nearest stems are found first, then turned back into the word as
    written in a document the request may see that looks most like the one typed.
    """
    parsed = request.parsed
    changed, words = False, []
    correctors = [searcher.corrector(name) for name in SPELLING_FIELDS]
    for word in parsed.words:
        typed = word.lower()
        stems = analyse(typed)
        known = any(searcher.doc_frequency(f, s) for f in TEXT_FIELDS for s in stems)
        if known or not 3 <= len(word) <= 30:
            words.append(word)
            continue
        forms = set()
        for stem in _candidate_stems(searcher, correctors, typed, stems):
            forms |= _surface_forms(searcher, allowed, stem)
        # Fewest edits from what was typed first, then the shorter word, then A-Z.
        most = allowed_edits(typed)
        near = [(damerau(typed, form, most), len(form), form) for form in forms]
        best = min((n for n in near if n[0] <= most), default=(0, 0, None))[2]
        changed = changed or best is not None
        words.append(best or word)
    if not changed:
        return None
    return " ".join(words + parsed.others())


def _candidate_stems(searcher, correctors, typed: str, stems: list[str]) -> set[str]:
    """Stems in the index close to the word typed."""
    # prefix=1: assume the first letter is right, so only that part of the term
    # list is compared (a scan of every term is slow on a large index).
    candidates = {
        option
        for corrector in correctors
        for form in {typed, *stems}
        for option in corrector.suggest(form, limit=3, prefix=1)
    }
    # The corrector compares stems, which may be far from the word typed (renwal is three
    # edits from renew), and counts a swap of neighbouring letters as two: also stem every
    # spelling one edit from the word typed (a few hundred) and keep those the index holds.
    reader = searcher.reader()
    candidates |= {
        stem
        for spelling in one_edit(typed)
        for stem in analyse(spelling)
        if any((name, stem) in reader for name in SPELLING_FIELDS)
    }
    # Porter stems can be much shorter than the word (negotiation → negoti), too
    # far from a misspelling to be suggested above: try the typed word's prefixes.
    candidates |= {
        typed[:end]
        for end in range(4, len(typed))
        if any((name, typed[:end]) in reader for name in SPELLING_FIELDS)
    }
    return candidates


def _surface_forms(searcher, allowed: set[int] | None, stem: str) -> set[str]:
    """The words, as written, that analyse to ``stem`` in the few documents holding it
    best among those the request may see (``allowed``; none when it may see none)."""
    terms = [(name, stem) for name in TEXT_FIELDS]
    reader = searcher.reader()
    memo: dict = {}  # the posting lists read for the holders, read again to score them
    docs = set().union(*(term_docs(reader, name, text, memo) for name, text in terms))
    if allowed is not None:
        docs &= allowed
    # Scored from the posting blocks (a Whoosh search scored every holder of a common
    # stem one posting at a time: most of a misspelt query's time at 50,000 assets).
    analyzer = SCHEMA["body"].analyzer
    forms = set()
    for _score, docnum in top(scores(searcher, terms, docs, memo), 3):
        fields = searcher.stored_fields(docnum)
        for name in SPELLING_FIELDS:
            for token in analyzer(fields.get(name) or "", keeporiginal=True):
                if token.text == stem:
                    forms.add(token.original.lower())
    return forms
