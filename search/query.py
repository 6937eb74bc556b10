"""Reading what a rep types into a search box.

The syntax is small on purpose: words, +required words, "quoted phrases", -excluded
words and prefix* searches. Words are ranked by how many match (see search.backend); a
+word, a quoted phrase and a prefix must match. A hyphenated word (ghost-writing) stays one
word that also matches its joined spelling (ghostwriting). Anything else is read as plain
words, so no input can make a backend build an expensive or invalid query (see
RELIABILITY.md, "Search input").
"""

import re
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 300
MAX_PARTS = 12
MIN_PREFIX = 3
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@dataclass
class ParsedQuery:
    """The parts of a query; each part is lower-case and free of syntax characters."""

    words: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    excluded_phrases: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # A word (or a run of words kept as one) → its other spellings (search.synonyms).
    synonyms: dict[str, list[str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when nothing positive is left to search for."""
        return not (self.words or self.required or self.phrases or self.prefixes)

    def text(self) -> str:
        """A normalised form of the query, for logs and "did you mean"."""
        return " ".join([*self.words, *self.others()])

    def others(self) -> list[str]:
        """Every part but the optional words, as ``text()`` writes them."""
        parts = [f"+{w}" for w in self.required]
        parts += [f'"{" ".join(p)}"' for p in self.phrases]
        parts += [f"{p}*" for p in self.prefixes]
        parts += [f"-{w}" for w in self.excluded]
        parts += [f'-"{" ".join(p)}"' for p in self.excluded_phrases]
        return parts


def words_of(text: str) -> list[str]:
    """The words of ``text`` as the parser reads them: lower-case, no punctuation."""
    return [w.lower() for w in _WORD.findall(text)]


_words = words_of


def parse_query(raw: str | None) -> ParsedQuery:
    """Split ``raw`` into words, phrases, prefixes and exclusions, never raising."""
    parsed = ParsedQuery()
    text = (raw or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        parsed.notes.append(f"Only the first {MAX_QUERY_CHARS} characters were searched.")
    if text.count('"') % 2:
        text += '"'  # an unbalanced quote closes at the end, as most search boxes do
    count = 0
    for match in re.finditer(r'(-?)"([^"]*)"|(\S+)', text):
        if count >= MAX_PARTS:
            parsed.notes.append(f"Only the first {MAX_PARTS} words were searched.")
            break
        negative, phrase, token = match.group(1), match.group(2), match.group(3)
        if phrase is not None:
            words = _words(phrase)
            if negative and len(words) > 1:
                parsed.excluded_phrases.append(words)  # only the phrase, not each word
            elif negative:
                parsed.excluded.extend(words)
            elif len(words) > 1:
                parsed.phrases.append(words)
            else:
                parsed.words.extend(words)
            count += 1
            continue
        count += _add_token(parsed, token)
    return parsed


def _add_token(parsed: ParsedQuery, token: str) -> int:
    negative = token.startswith("-") and len(token) > 1
    plus = token.startswith("+") and len(token) > 1
    body = token[1:] if negative or plus else token
    words = _words(body)
    if not words:
        return 0
    if negative and len(words) > 1:
        parsed.excluded_phrases.append(words)  # e.g. -e-mail
        return 1
    if negative:
        parsed.excluded.append(words[0])
        return 1
    if body.endswith("*") and len(words) == 1:
        if len(words[0]) >= MIN_PREFIX:
            parsed.prefixes.append(words[0])
        else:
            parsed.words.append(words[0])
            parsed.notes.append(f"Prefix searches need at least {MIN_PREFIX} letters.")
        return 1
    word = "-".join(words)  # e.g. "e-mail" or "b2b/saas" stays one hyphenated word
    if plus and len(words) > 1:
        parsed.phrases.append(words)
    elif plus:
        parsed.required.append(word)
    else:
        parsed.words.append(word)
    return 1
