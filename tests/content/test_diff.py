"""Word diffs between revisions: what was removed, what was added, in reading order."""

from content.library.diff import Chunk, changed, word_diff


def _rebuild(chunks, keep: str) -> str:
    return "".join(chunk.text for chunk in chunks if chunk.op in ("equal", keep))


def test_replaced_word_shows_as_delete_then_insert():
    chunks = word_diff("We save 10 hours a week.", "We save 12 hours a week.")

    assert chunks == [
        Chunk("equal", "We save "),
        Chunk("delete", "10"),
        Chunk("insert", "12"),
        Chunk("equal", " hours a week."),
    ]


def test_added_sentence_is_one_insert():
    chunks = word_diff("Fast setup.", "Fast setup. Friendly support.")

    assert [c for c in chunks if c.op != "equal"] == [Chunk("insert", " Friendly support.")]


def test_both_texts_can_be_rebuilt_from_the_chunks():
    old = "Line one\nline two  with spaces\n\nlast"
    new = "Line one\nline 2 with spaces\nlast line"

    chunks = word_diff(old, new)

    assert _rebuild(chunks, "delete") == old
    assert _rebuild(chunks, "insert") == new


def test_identical_texts_have_no_changes():
    chunks = word_diff("Same words.", "Same words.")

    assert not changed(chunks)
    assert chunks == [Chunk("equal", "Same words.")]


def test_empty_or_missing_text_diffs_against_everything():
    assert word_diff(None, "New body") == [Chunk("insert", "New body")]
    assert word_diff("Old body", "") == [Chunk("delete", "Old body")]
    assert word_diff("", None) == []


def test_changed_is_true_when_anything_differs():
    assert changed(word_diff("a b", "a c"))
