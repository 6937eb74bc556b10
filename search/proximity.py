"""Proximity: typed words found near each other rank higher than the same words scattered.

A long article that answers a query says its words together, in one passage ("Talking to
a controller. Lead with hours saved"), while a document that merely contains them has
them apart. BM25 sees neither: it scores each word alone, and its length normalisation
pushes the long article below short documents that share a word or two. The PostgreSQL
backend ranks by cover density (``ts_rank_cd``), which rewards words close together; the
Whoosh backend multiplies the relevance of its best candidates by this factor:

    proximity = 1 + PROXIMITY_WEIGHT × (pairs of consecutive typed words found within
                NEAR positions of each other in one field) / (pairs of consecutive words)

Positions count indexed words only (stop words are not counted), so "forecast call" and
"call for a forecast" are both one apart.

Reading positions means decoding the posting blocks of every typed word around each
candidate: at 50,000 assets that took 100–250 ms for the 300 candidates re-ranked by
quality. So only the ``PROXIMITY_WINDOW`` best text matches get the factor (a rescoring
window, whatever the page): it reorders the head of the list, where a passage that
answers the query competes with short documents sharing its words.
"""

from collections.abc import Sequence

NEAR = 3
PROXIMITY_WEIGHT = 1.0
PROXIMITY_WINDOW = 50


def nearest(first: Sequence[int], second: Sequence[int]) -> int | None:
    """The smallest distance between a position in ``first`` and one in ``second`` (both
    sorted ascending), or None when either is empty."""
    if not first or not second:
        return None
    i = j = 0
    best = abs(first[0] - second[0])
    while i < len(first) and j < len(second) and best:
        best = min(best, abs(first[i] - second[j]))
        if first[i] < second[j]:
            i += 1
        else:
            j += 1
    return best


def near_pairs(fields: Sequence[Sequence[Sequence[int]]]) -> int:
    """How many pairs of consecutive words are near each other in at least one field.

    ``fields`` holds, per field, the positions of each typed word in that field (an empty
    list where the word is absent); every field lists the words in the same order."""
    if not fields:
        return 0
    count = 0
    for word in range(len(fields[0]) - 1):
        for positions in fields:
            distance = nearest(positions[word], positions[word + 1])
            if distance is not None and distance <= NEAR:
                count += 1
                break
    return count


def proximity_factor(near: int, pairs: int) -> float:
    """The factor a document's relevance is multiplied by (1.0 for a one-word query)."""
    return 1.0 + PROXIMITY_WEIGHT * near / pairs if pairs else 1.0
