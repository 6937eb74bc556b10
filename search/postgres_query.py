"""The PostgreSQL backend's tsquery for a search, and the escaping its highlights need."""

import re
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, Text, func, literal
from sqlalchemy.dialects.postgresql import TSQUERY

from search.backend import compound_splits, two_parts
from search.query import ParsedQuery


def escaped(column):
    """The column as ``markupsafe.escape`` renders it. ts_headline does not escape, so it
    is given escaped text and can only add its own <mark> tags."""
    for char, entity in (
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ('"', "&#34;"),
        ("'", "&#39;"),
    ):
        column = func.replace(column, char, entity)
    return column


_STRAY_TAG = re.compile(r"<(?!/?mark>)|(?<!<mark)(?<!</mark)>")


def marked(fragment: str) -> Markup:
    # Defence in depth: whatever ts_headline does, only <mark> and </mark> survive as tags.
    return Markup(_STRAY_TAG.sub(lambda m: "&lt;" if m.group() == "<" else "&gt;", fragment))  # noqa: S704


def split_candidates(parsed: ParsedQuery) -> list[str]:
    """Every part a long typed word could split into (see compound_splits); the backend
    asks the index which of them it knows."""
    return sorted(
        {
            part
            for word in parsed.words + parsed.required
            for pair in two_parts(word)
            for part in pair
        }
    )


def word_query(word: str, known: set[str], synonyms: list[str] | None = None):
    """One typed word as a tsquery: a hyphenated word also matches its joined spelling,
    a long word the index can read as two known words matches them side by side, and
    each synonym matches as a phrase."""
    pieces = re.split(r"[- ]", word)
    query: ColumnElement[Any] = func.phraseto_tsquery("english", literal(" ".join(pieces), Text))
    if len(pieces) > 1:
        alternatives = ["".join(pieces)]
    else:
        splits = compound_splits(word, known.__contains__)
        alternatives = [f"{left} {right}" for left, right in splits]
    alternatives += [" ".join(re.split(r"[- ]", synonym)) for synonym in synonyms or ()]
    for alternative in alternatives:
        query = query.op("||", return_type=TSQUERY)(
            func.phraseto_tsquery("english", literal(alternative, Text))
        )
    return query


def query_parts(parsed: ParsedQuery, known: set[str]) -> tuple[list, list, list]:
    """(optional words as (word, tsquery)), the tsqueries that must match (+words, phrases,
    prefixes) and the excluded ones; every part of the text is a bound parameter."""
    synonyms = parsed.synonyms
    optional = [(word, word_query(word, known, synonyms.get(word))) for word in parsed.words]
    mandatory = [word_query(word, known, synonyms.get(word)) for word in parsed.required]
    mandatory += [
        func.phraseto_tsquery("english", literal(" ".join(phrase), Text))
        for phrase in parsed.phrases
    ]
    mandatory += [_prefix_query(prefix) for prefix in parsed.prefixes]
    excluded = [func.phraseto_tsquery("english", literal(word, Text)) for word in parsed.excluded]
    excluded += [
        func.phraseto_tsquery("english", literal(" ".join(phrase), Text))
        for phrase in parsed.excluded_phrases
    ]
    return optional, mandatory, excluded


def both(texts: list[str]) -> str:
    """Rendered tsqueries that must all match, as tsquery text."""
    return " & ".join(f"( {text} )" for text in texts)


def either(texts: list[str]) -> str:
    """Rendered tsqueries any of which may match, as tsquery text."""
    return " | ".join(f"( {text} )" for text in texts)


def _prefix_query(prefix: str):
    # The index holds English stems, which may be shorter than the typed prefix
    # (negotia* → negoti) or drop stop words: as in the Whoosh backend, also try the
    # prefix unstemmed and with its last letters dropped.
    query: ColumnElement[Any] = func.to_tsquery("english", literal(prefix, Text) + ":*")
    forms = [prefix] + [prefix[:-cut] for cut in (1, 2) if len(prefix) - cut >= 4]
    for form in forms:
        query = query.op("||", return_type=TSQUERY)(
            func.to_tsquery("simple", literal(form, Text) + ":*")
        )
    return query
