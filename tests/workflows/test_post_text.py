"""The text of a post as it leaves the portal: plain text for LinkedIn, its length, who
wrote which words, and how alike two posts are. Pure functions, no database."""

import pytest

from workflows.posts.text import (
    SIMILARITY_THRESHOLD,
    character_count,
    character_limit,
    plain_text,
    shingles,
    similarity,
    word_authors,
)

WRITER, REP = 1, 2
STORY = (
    "Most pipeline reviews fail for one reason: we ask reps what they hope will close "
    "instead of what the buyer has actually done. Last quarter we started asking for "
    "evidence, a signed mutual plan or a second meeting with finance, and forecast "
    "accuracy rose within six weeks."
)


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("Hello **bold**, _italic_ and `code`.", "Hello bold, italic and code."),
        (
            "Read [our guide](https://example.com/guide) first.",
            "Read our guide (https://example.com/guide) first.",
        ),
        ("**See [the study](https://ex.io/s)** now", "See the study (https://ex.io/s) now"),
        # A link that shows its own address keeps it once.
        ("See <https://example.com/a> today", "See https://example.com/a today"),
        ("[https://ex.io/b](https://ex.io/b)", "https://ex.io/b"),
        ("- one\n- two\n- three", "• one\n• two\n• three"),
        ("- one\n    - nested\n- two", "• one\n  • nested\n• two"),
        ("- item with [a link](https://ex.io/p)", "• item with a link (https://ex.io/p)"),
        ("1. first\n2. second", "1. first\n2. second"),
        ("3. third\n4. fourth", "3. third\n4. fourth"),
        ("# Big idea\n\nText under it.\n\n## Smaller", "Big idea\n\nText under it.\n\nSmaller"),
        ("Intro\n\n- a\n- b\n\nOutro", "Intro\n\n• a\n• b\n\nOutro"),
        # Two trailing spaces are a hard break; a bare newline joins the lines.
        ("line one  \nline two\nsame line", "line one\nline two same line"),
        ("First paragraph.\n\n\n\nSecond paragraph.", "First paragraph.\n\nSecond paragraph."),
        ("> quoted **words**", "quoted words"),
        ("```\nkeep  this\n  indented\n```", "keep  this\n  indented"),
        ("Tom &amp; Jerry & co", "Tom & Jerry & co"),
        (
            "![Our team at the summit](https://ex.io/t.png) last week",
            "Our team at the summit last week",
        ),
        ("", ""),
        (None, ""),
    ],
)
def test_plain_text_strips_markdown_and_keeps_links_bullets_and_breaks(markdown, text):
    assert plain_text(markdown) == text


def test_the_character_count_is_that_of_the_plain_text():
    assert character_count("**Ship it**") == len("Ship it")
    assert character_count("[docs](https://ex.io)") == len("docs (https://ex.io)")
    assert character_count("*" + "x" * 3000 + "*") == 3000
    assert character_count("") == 0


def test_only_linkedin_limits_the_length():
    assert character_limit("linkedin") == 3000
    assert character_limit("blog") is None
    assert character_limit("newsletter") is None


def test_one_author_wrote_every_word_of_a_single_revision():
    assert word_authors([(WRITER, "Forecasts fail without evidence")]) == [WRITER] * 4


def test_the_rep_owns_the_words_they_changed_and_the_writer_keeps_the_rest():
    owners = word_authors(
        [
            (WRITER, "Forecasts fail without buyer evidence"),
            (REP, "Forecasts fail without hard buyer proof"),
        ]
    )

    assert owners == [WRITER, WRITER, WRITER, REP, WRITER, REP]


def test_the_reps_words_stay_theirs_when_the_writer_revises_around_them():
    owners = word_authors(
        [
            (WRITER, "one two three"),
            (REP, "one REP three"),
            (WRITER, "one REP three four five"),
        ]
    )

    assert owners == [WRITER, REP, WRITER, WRITER, WRITER]


def test_a_rewrite_of_one_of_two_paragraphs_gives_the_rep_half_the_words():
    first = "Our quarterly review showed something surprising about stalled deals."
    second = "Buyers rarely stall on price alone, whatever the forecast claims."
    rewrite = "In my experience champions go quiet once procurement asks questions."

    owners = word_authors([(WRITER, f"{first}\n\n{second}"), (REP, f"{first}\n\n{rewrite}")])

    assert owners.count(REP) == len(rewrite.split())
    assert owners.count(WRITER) == len(first.split())


def test_an_emptied_text_has_no_authors():
    assert word_authors([(WRITER, "Some words here"), (REP, "")]) == []
    assert word_authors([]) == []


def test_shingles_ignore_case_punctuation_and_markdown_marks():
    assert shingles("Hello, World! Again.") == {("hello", "world", "again")}
    assert shingles("**Pipeline** reviews _matter_") == shingles("pipeline reviews matter")
    assert shingles("Two words") == {("two", "words")}
    assert shingles("  ") == set()


def test_the_same_text_is_fully_similar_and_a_different_one_is_not():
    story = shingles(STORY)
    other = shingles(
        "Enablement content only works when reps can find it before the call; we moved "
        "our battlecards next to the opportunity record and usage tripled."
    )

    assert similarity(story, shingles(STORY.upper())) == 1.0
    assert similarity(story, other) < 0.1
    assert similarity(story, set()) == 0.0
    assert similarity(set(), set()) == 0.0


def test_one_changed_word_still_reads_as_the_same_post():
    near = STORY.replace("six weeks", "eight weeks")

    assert SIMILARITY_THRESHOLD <= similarity(shingles(STORY), shingles(near)) < 1.0
