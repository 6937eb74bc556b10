""" "Did you mean" for the PostgreSQL backend: the close words a reader could find."""

import threading
import time

from sqlalchemy import Text, exists, func, literal, or_, select

from search.postgres_table import search_documents
from search.query import ParsedQuery
from search.spelling import closest

VOCABULARY_TTL = 60.0  # seconds a process reuses its "did you mean" vocabulary
VOCABULARY_SQL = "SELECT words FROM search_documents"


class Vocabulary:
    """The index's unstemmed words, kept by a process for ``VOCABULARY_TTL`` seconds."""

    def __init__(self):
        self._lock = threading.Lock()
        self._words: list[str] | None = None
        self._read_at = 0.0

    def forget(self) -> None:
        """Drop the cached words (after this process changed the index)."""
        with self._lock:
            self._words = None

    def words(self, connection) -> list[str]:
        with self._lock:
            if self._words is not None and time.monotonic() - self._read_at < VOCABULARY_TTL:
                return self._words
        stat = func.ts_stat(literal(VOCABULARY_SQL, Text)).table_valued("word")
        words = list(connection.scalars(select(stat.c.word)))
        with self._lock:
            self._words, self._read_at = words, time.monotonic()
        return words

    def suggestion(self, connection, parsed: ParsedQuery, filters: list) -> str | None:
        """A respelt query when some word is unknown to the index, e.g. pricng → pricing."""
        changed, words = False, []
        for word in parsed.words:
            if not 3 <= len(word) <= 30 or _known(connection, word):
                words.append(word)
                continue
            # The vocabulary holds drafts' words too: suggest only what this request can find.
            options = closest(word, self.words(connection))
            best = next((o for o in options if _findable(connection, o, filters)), None)
            changed = changed or best is not None
            words.append(best or word)
        if not changed:
            return None
        return " ".join(words + parsed.others())


def _known(connection, word: str) -> bool:
    # A word that analyses to nothing (a stop word) is never called misspelt.
    stems = func.plainto_tsquery("english", literal(word, Text))
    found = exists().where(search_documents.c.document.bool_op("@@")(stems))
    return bool(connection.scalar(select(or_(func.numnode(stems) == 0, found))))


def _findable(connection, word: str, filters: list) -> bool:
    """True when ``word`` occurs in a document this request may see."""
    stems = func.plainto_tsquery("english", literal(word, Text))
    found = exists().where(search_documents.c.document.bool_op("@@")(stems), *filters)
    return bool(connection.scalar(select(found)))
