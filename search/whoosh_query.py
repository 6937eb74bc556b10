"""Whoosh queries for a search request: the text typed, and what the reader may see."""

import re

from whoosh.query import And, AndNot, Not, NumericRange, Or, Phrase, Prefix, Term

from search.backend import SearchRequest, compound_splits
from search.whoosh_index import SCHEMA, TEXT_FIELDS
from search.whoosh_scoring import term_docs


def analyse(word: str) -> list[str]:
    return [token.text for token in SCHEMA["body"].analyzer(word, mode="query")]


def _any_field(make) -> Or:
    return Or([make(name) for name in TEXT_FIELDS])


def word_query(reader, word: str, synonyms: list[str] | None = None):
    """One typed word over every text field, or None for a stop word. A hyphenated word
    also matches its joined spelling, a long word the index can read as two known words
    also matches them side by side (ghost-writing ~ ghostwriting), and each synonym
    matches as a phrase."""
    pieces = re.split(r"[- ]", word)
    stems = [s for piece in pieces for s in analyse(piece)]
    if not stems:
        return None
    spellings = [stems]
    if len(pieces) > 1:
        spellings.append(analyse("".join(pieces)))
    else:
        spellings += [
            analyse(left) + analyse(right)
            for left, right in compound_splits(word, lambda part: _known(reader, part))
        ]
    spellings += [
        [s for piece in re.split(r"[- ]", synonym) for s in analyse(piece)]
        for synonym in synonyms or ()
    ]
    alternatives = []
    for spelling in spellings:
        if len(spelling) > 1:
            alternatives += [Phrase(f, spelling) for f in TEXT_FIELDS]
        elif spelling:
            alternatives += [Term(f, spelling[0]) for f in TEXT_FIELDS]
    return Or(alternatives)


def _known(reader, word: str) -> bool:
    stems = analyse(word)
    return len(stems) == 1 and any((f, stems[0]) in reader for f in TEXT_FIELDS)


def query_parts(request: SearchRequest, reader) -> tuple[list[tuple[str, object]], list]:
    """The optional words (word, query) and the parts that must match: +words, phrases
    and prefixes. Stop words analyse to nothing and are skipped."""
    parsed = request.parsed
    synonyms = parsed.synonyms
    optional = [
        (word, q) for word in parsed.words if (q := word_query(reader, word, synonyms.get(word)))
    ]
    mandatory = [
        q for word in parsed.required if (q := word_query(reader, word, synonyms.get(word)))
    ]
    for phrase in parsed.phrases:
        stems = [s for word in phrase for s in analyse(word)]
        if len(stems) > 1:
            mandatory.append(_any_field(lambda f, s=stems: Phrase(f, s)))
        elif stems:
            mandatory.append(_any_field(lambda f, s=stems[0]: Term(f, s)))
    for prefix in parsed.prefixes:
        # The index holds stems, and a stem may be shorter than the typed prefix
        # (negotiation → negoti): also try the prefix with its last letters dropped.
        forms = {prefix, *analyse(prefix)}
        forms |= {prefix[:-cut] for cut in (1, 2) if len(prefix) - cut >= 4}
        mandatory.append(Or([Prefix(f, form) for f in TEXT_FIELDS for form in forms]))
    return optional, mandatory


def proximity_stems(request: SearchRequest) -> list[str]:
    """The stem of each typed word (optional or +required) in typed order, for proximity
    (search.proximity); a hyphenated word is placed by its first stem."""
    parsed = request.parsed
    stems = [
        analyse(piece) for word in parsed.words + parsed.required for piece in word.split("-")[:1]
    ]
    return [found[0] for found in stems if found]


def text_query(request: SearchRequest, reader):
    """Every word, phrase and prefix typed, minus the excluded ones (None: nothing to
    search for, e.g. only stop words)."""
    optional, mandatory = query_parts(request, reader)
    return without_excluded(request, [q for _word, q in optional] + mandatory)


def without_excluded(request: SearchRequest, parts: list):
    """All of ``parts`` minus the excluded words and phrases (None when no parts)."""
    if not parts:
        return None
    query = And(parts) if len(parts) > 1 else parts[0]
    excluded = _excluded(request)
    if excluded:
        query = AndNot(query, Or(excluded))
    return query


def excluded_query(request: SearchRequest):
    """The excluded words and phrases as one query (None: nothing excluded)."""
    excluded = _excluded(request)
    return Or(excluded) if excluded else None


def _excluded(request: SearchRequest) -> list:
    parsed = request.parsed
    excluded = [
        Term(f, stem) for word in parsed.excluded for stem in analyse(word)
        for f in TEXT_FIELDS
    ]  # fmt: skip
    for phrase in parsed.excluded_phrases:
        stems = [s for word in phrase for s in analyse(word)]
        if len(stems) > 1:
            excluded += [Phrase(f, stems) for f in TEXT_FIELDS]
        elif stems:
            excluded += [Term(f, stems[0]) for f in TEXT_FIELDS]
    return excluded


def facet_clauses(request: SearchRequest) -> list:
    return [Term(name, slug) for name, slug in request.filters.items() if slug]


def readable(today: int):
    """Live documents not past their expiry date on ``today`` (a day ordinal)."""
    return And([Term("live", True), Not(NumericRange("expires", 1, today - 1))])


def matching(searcher, query, memo: dict | None = None) -> set[int]:
    """Every document ``query`` matches, by set algebra over posting lists where the query
    is made of terms (Whoosh's matchers step through a union one document at a time in
    Python, which dominated broad searches); phrases and prefixes go through Whoosh.
    ``memo``, when given, keeps the posting lists and phrase documents read, for scoring."""
    if isinstance(query, Term):
        return term_docs(searcher.reader(), query.fieldname, query.text, memo)
    if isinstance(query, Or):
        found: set[int] = set()
        for part in query.subqueries:
            found |= matching(searcher, part, memo)
        return found
    if isinstance(query, And):
        parts = iter(query.subqueries)
        found = matching(searcher, next(parts), memo)
        for part in parts:
            if not found:
                break
            found &= matching(searcher, part, memo)
        return found
    if isinstance(query, AndNot):
        return matching(searcher, query.a, memo) - matching(searcher, query.b)
    docs = set(searcher.docs_for_query(query))
    if memo is not None and isinstance(query, Phrase):
        memo[query] = docs
    return docs
