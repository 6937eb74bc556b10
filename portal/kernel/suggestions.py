"""What the search box suggests as people type.

Features that have something worth suggesting (asset titles, glossary terms) register a
source in their ``feature.register``; the search feature's JSON route asks every source.
The registry lives in the kernel because the sources belong to features that may not
import one another (search and the glossary).
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from portal.kernel.models import User

MIN_CHARS = 2  # fewer letters match too much to help
TEXT_MAX = 100
PER_SOURCE = 4
LIMIT = 8


@dataclass(frozen=True)
class Suggestion:
    label: str
    url: str
    kind: str  # shown beside the label: "Asset", "Glossary"


Source = Callable[[User, str, int], list[Suggestion]]


def register_source(app: Flask, source: Source) -> None:
    """Add ``source(user, text, limit)`` to what the search box suggests."""
    app.extensions.setdefault("search_suggestions", []).append(source)


def like_words(text: str) -> tuple[str, str]:
    """LIKE patterns (escaped with a backslash) for a text that starts with ``text`` or
    has a word that does."""
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%", f"% {escaped}%"


def suggest(user: User, text: str) -> list[Suggestion]:
    """Up to ``LIMIT`` suggestions for ``text`` (whitespace folded), each source's best
    first, or none for fewer than ``MIN_CHARS`` letters."""
    text = " ".join(text.split())[:TEXT_MAX]
    if len(text) < MIN_CHARS:
        return []
    found: list[Suggestion] = []
    for source in current_app.extensions.get("search_suggestions", []):
        found += source(user, text, PER_SOURCE)
    return found[:LIMIT]
