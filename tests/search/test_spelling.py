"""The edit distance corrections use (search.spelling)."""

from search.spelling import closest, damerau, one_edit


def test_a_swap_of_neighbours_is_one_edit():
    assert damerau("secuirty", "security") == 1
    assert damerau("aligment", "alignment") == 1
    assert damerau("renwal", "renewal") == 1
    assert damerau("kitten", "sitting") == 3


def test_distances_past_the_limit_stop_early():
    assert damerau("a", "abcdef", limit=2) == 3
    assert damerau("abcdef", "uvwxyz", limit=2) == 3


def test_closest_prefers_fewest_edits_then_nearest_length():
    vocabulary = ["security", "securities", "secure", "surety", "pricing"]

    assert closest("secuirty", vocabulary) == ["security"]
    assert closest("securty", vocabulary) == ["security", "secure"]
    assert closest("prcing", vocabulary) == ["pricing"]
    assert closest("zzzz", vocabulary) == []


def test_one_edit_covers_insertions_deletions_replacements_and_swaps():
    spellings = one_edit("renwal")

    assert {"renewal", "renal", "renwel", "rnewal"} <= spellings
    assert "renwal" not in spellings
