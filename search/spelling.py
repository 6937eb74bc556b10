"""Edit distance for corrections, shared by both backends.

Damerau–Levenshtein (optimal string alignment): a swap of two neighbouring letters is one
edit, so "secuirty" is one edit from "security", where plain Levenshtein counts two.
"""


def damerau(a: str, b: str, limit: int = 3) -> int:
    """Edits (insert, delete, substitute, swap neighbours) from ``a`` to ``b``; any
    answer above ``limit`` is reported as ``limit + 1`` (and found sooner)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[len(b)], limit + 1)


def allowed_edits(word: str) -> int:
    """How far a correction may be from a word: one edit up to five letters, else two."""
    return 1 if len(word) <= 5 else 2


def closest(word: str, vocabulary, limit: int = 5) -> list[str]:
    """Up to ``limit`` words of ``vocabulary`` within ``allowed_edits`` of ``word``,
    fewest edits first, then the nearest length, then A–Z."""
    most = allowed_edits(word)
    scored = []
    for other in vocabulary:
        if abs(len(other) - len(word)) > most or other == word:
            continue
        edits = damerau(word, other, most)
        if edits <= most:
            scored.append((edits, abs(len(other) - len(word)), other))
    return [other for _edits, _gap, other in sorted(scored)[:limit]]


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def one_edit(word: str) -> set[str]:
    """Every spelling one edit from ``word``: a letter deleted, inserted or replaced, or
    two neighbouring letters swapped (secuirty → security, renwal → renewal)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deleted = {left + right[1:] for left, right in splits if right}
    swapped = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaced = {left + c + right[1:] for left, right in splits if right for c in LETTERS}
    inserted = {left + c + right for left, right in splits for c in LETTERS}
    return (deleted | swapped | replaced | inserted) - {word}
