"""Expanding a query with synonyms both ways: "MQL" also finds "marketing qualified lead"
and "marketing qualified lead" also finds "MQL" (groups from portal.kernel.synonyms)."""

from dataclasses import replace

from search.query import ParsedQuery, words_of


def expand(parsed: ParsedQuery, groups: list[list[str]]) -> ParsedQuery:
    """``parsed`` with each run of words that spells a synonym kept as one word (so a
    multi-word spelling matches or misses as a whole) and its other spellings recorded in
    ``synonyms``; a plural "s" is ignored ("MQLs" is "MQL")."""
    spellings: dict[tuple[str, ...], list[str]] = {}
    for group in groups:
        forms = list(dict.fromkeys(tuple(words_of(spelling)) for spelling in group))
        forms = [form for form in forms if form]
        for form in forms:
            others = [" ".join(other) for other in forms if other != form]
            if others:
                spellings.setdefault(form, others)
    if not spellings:
        return parsed
    words, synonyms = _group(parsed.words, spellings)
    required, more = _group(parsed.required, spellings, longest=1)
    return replace(parsed, words=words, required=required, synonyms=synonyms | more)


def _group(source: list[str], spellings: dict, longest: int = 0):
    longest = longest or max(len(form) for form in spellings)
    words: list[str] = []
    synonyms: dict[str, list[str]] = {}
    i = 0
    while i < len(source):
        for size in range(min(longest, len(source) - i), 0, -1):
            key = tuple(source[i : i + size])
            others = spellings.get(key) or spellings.get(_singular(key))
            if others:
                word = " ".join(key)
                words.append(word)
                synonyms[word] = others
                i += size
                break
        else:
            words.append(source[i])
            i += 1
    return words, synonyms


def _singular(key: tuple[str, ...]) -> tuple[str, ...]:
    last = key[-1]
    if len(last) > 2 and last.endswith("s"):
        return (*key[:-1], last[:-1])
    return key
