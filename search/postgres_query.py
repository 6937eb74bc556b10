"""The PostgreSQL backend's tsquery for a search, and the escaping its highlights need."""

import re
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, Text, func, literal
from sqlalchemy.dialects.postgresql import TSQUERY

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


def tsquery(parsed: ParsedQuery):
    """The query as a tsquery expression; every part of the text is a bound parameter."""
    terms = [f'"{word}"' for word in parsed.words]
    terms += [f'"{" ".join(phrase)}"' for phrase in parsed.phrases]
    terms += [f'-"{word}"' for word in parsed.excluded]
    terms += [f'-"{" ".join(phrase)}"' for phrase in parsed.excluded_phrases]
    query: ColumnElement[Any] = func.websearch_to_tsquery("english", literal(" ".join(terms), Text))
    for prefix in parsed.prefixes:
        query = query.op("&&", return_type=TSQUERY)(_prefix_query(prefix))
    return query


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
