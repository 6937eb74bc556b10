""" "Did you mean" for the PostgreSQL backend: the close words a reader could find."""

import threading
import time

from sqlalchemy import Text, exists, func, literal, or_, select

from search.postgres_table import search_documents
from search.query import ParsedQuery
from search.spelling import allowed_edits, closest

VOCABULARY_TTL = 60.0  # seconds a process reuses its "did you mean" vocabulary
VOCABULARY_SQL = "SELECT words FROM search_documents"


class Vocabulary:
    """The index's unstemmed words, kept by a process for ``VOCABULARY_TTL`` seconds."""

    def __init__(self):
        self._lock = threading.Lock()
        self._words: list[tuple[str, int]] | None = None
        self._read_at = 0.0

    def forget(self) -> None:
        """Drop the cached words (after this process changed the index)."""
        with self._lock:
            self._words = None

    def words(self, connection) -> list[tuple[str, int]]:
        """Each word with its letters (see ``letters``)."""
        with self._lock:
            if self._words is not None and time.monotonic() - self._read_at < VOCABULARY_TTL:
                return self._words
        stat = func.ts_stat(literal(VOCABULARY_SQL, Text)).table_valued("word")
        words = [(word, letters(word)) for word in connection.scalars(select(stat.c.word))]
        with self._lock:
            self._words, self._read_at = words, time.monotonic()
        return words

    def near(self, connection, word: str) -> list[str]:
        """The words that may be within ``allowed_edits`` of ``word``: an edit brings in
        at most one letter and takes away at most one, so a word with more letters
        ``word`` lacks (or lacking more of its letters) is further. Measuring the edit
        distance to every word of a large vocabulary took longer than the search."""
        most, typed = allowed_edits(word), letters(word)
        return [
            other
            for other, has in self.words(connection)
            if abs(len(other) - len(word)) <= most
            and (has & ~typed).bit_count() <= most
            and (typed & ~has).bit_count() <= most
        ]

    def suggestion(self, connection, parsed: ParsedQuery, filters: list) -> str | None:
        """A respelt query when some word is unknown to the index, e.g. pricng → pricing."""
        changed, words = False, []
        for word in parsed.words:
            if not 3 <= len(word) <= 30 or _known(connection, word):
                words.append(word)
                continue
            # The vocabulary holds drafts' words too: suggest only what this request can find.
            options = closest(word, self.near(connection, word))
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


def letters(word: str) -> int:
    """The characters of ``word`` as bits of one number. Characters may share a bit, which
    only makes two words look closer than they are, never further."""
    bits = 0
    for char in word:
        bits |= 1 << (ord(char) % 64)
    return bits
