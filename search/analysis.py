"""English text analysis for the Whoosh index, in one pass per word.

It yields exactly the tokens of Whoosh's ``StemmingAnalyzer()`` (word pattern, lower
case, English stop words and words under two letters dropped with positions renumbered,
Porter stems), but as one generator instead of a chain of four: analysis is most of the
cost of indexing, and the chain spent most of it handing tokens from filter to filter.
"""

from functools import lru_cache

from whoosh.analysis import STOP_WORDS, Token, Tokenizer
from whoosh.analysis.tokenizers import default_pattern
from whoosh.lang.porter import stem

WORD = default_pattern
_stem = lru_cache(maxsize=50_000)(stem)
_STOPS = frozenset(STOP_WORDS)


class EnglishAnalyzer(Tokenizer):
    """Whoosh analyzer: words, lower-cased, stop words removed, Porter-stemmed."""

    is_morph = True

    def __eq__(self, other):
        return other is not None and other.__class__ is self.__class__

    def __hash__(self):
        return hash(self.__class__)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        """Yield one reused Token per word, as Whoosh analyzers do."""
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        stemming = not kwargs.get("no_morph")
        matches = WORD.finditer(value) if tokenize else [_Whole(value)]
        kept = None  # the renumbered position of the last word kept
        for index, match in enumerate(matches):
            word = match.group().lower()
            if keeporiginal or not tokenize:
                token.original = match.group()
            token.boost = 1.0
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            if len(word) < 2 or word in _STOPS:
                if removestops:
                    continue
                token.stopped = True
                token.text = word
                if positions:
                    token.pos = start_pos + index
                yield token
                continue
            token.stopped = False
            token.text = _stem(word) if stemming else word
            if positions:
                kept = start_pos + index if kept is None else kept + 1
                token.pos = kept
            yield token


class _Whole:
    """A match-like view of a whole value, for ``tokenize=False``."""

    def __init__(self, value: str):
        self._value = value

    def group(self) -> str:
        return self._value

    def start(self) -> int:
        return 0

    def end(self) -> int:
        return len(self._value)
