"""Reading what a rep types: the small query syntax, and input that must never break it."""

import pytest

from search.query import MAX_PARTS, MAX_QUERY_CHARS, MIN_PREFIX, parse_query


def parts_of(parsed) -> tuple:
    return parsed.words, parsed.phrases, parsed.prefixes, parsed.excluded


def parts(raw: str) -> tuple:
    return parts_of(parse_query(raw))


def test_words_are_lower_cased_and_all_kept_in_order():
    assert parts("ROI Calculator CFO") == (["roi", "calculator", "cfo"], [], [], [])


def test_quoted_phrase_stays_together_beside_loose_words():
    assert parts('"price list" renewal') == (["renewal"], [["price", "list"]], [], [])


def test_quoted_single_word_is_just_a_word():
    assert parts('"pricing"') == (["pricing"], [], [], [])


def test_minus_excludes_a_word_and_a_quoted_phrase():
    parsed = parse_query('pricing -legacy -"old deck" -e-mail')

    assert parts('pricing -legacy -"old deck"') == (["pricing"], [], [], ["legacy"])
    assert parsed.excluded_phrases == [["old", "deck"], ["e", "mail"]]
    assert parsed.text() == 'pricing -legacy -"old deck" -"e mail"'


def test_prefix_with_enough_letters_is_a_prefix_search():
    assert parts("negotiat* roi") == (["roi"], [], ["negotiat"], [])


def test_too_short_prefix_is_searched_as_a_word_with_a_note():
    parsed = parse_query("ne* pricing")

    assert (parsed.words, parsed.prefixes) == (["ne", "pricing"], [])
    assert parsed.notes == [f"Prefix searches need at least {MIN_PREFIX} letters."]


def test_unbalanced_quote_closes_at_the_end():
    parsed = parse_query('roi "pricing guide')

    assert (parsed.words, parsed.phrases) == (["roi"], [["pricing", "guide"]])
    assert parsed.text() == 'roi "pricing guide"'


@pytest.mark.parametrize("raw", ["*", "?*?*?*?*", "**", "-", '""', "   ", "", None, "()[]{}:^~"])
def test_syntax_alone_leaves_nothing_to_search(raw):
    parsed = parse_query(raw)

    assert parsed.empty
    assert parsed.text() == ""


def test_only_exclusions_leave_nothing_positive_to_search():
    parsed = parse_query("-pricing -legacy")

    assert parsed.empty
    assert parsed.excluded == ["pricing", "legacy"]


def test_wildcards_inside_words_are_not_a_query_language():
    assert parts("pr?c*ng") == (["pr-c-ng"], [], [], [])


def test_punctuation_and_operators_are_read_as_plain_words():
    assert parts("Pricing, ROI; (CFO)! AND title:roi [a TO z]") == (
        ["pricing", "roi", "cfo", "and", "title-roi", "a", "to", "z"],
        [],
        [],
        [],
    )


def test_joined_words_stay_together_as_one_hyphenated_word():
    assert parts("e-mail b2b/saas") == (["e-mail", "b2b-saas"], [], [], [])


def test_a_plus_marks_a_word_that_must_match():
    parsed = parse_query("+pricing roi +ghost-writing")

    assert (parsed.words, parsed.required, parsed.phrases) == (
        ["roi"],
        ["pricing"],
        [["ghost", "writing"]],
    )
    assert parsed.text() == 'roi +pricing "ghost writing"'
    assert not parse_query("+pricing").empty


def test_5000_characters_are_capped_with_a_note():
    parsed = parse_query("pricing " + "x" * 5000)

    assert parsed.words[0] == "pricing"
    assert len(parsed.text()) <= MAX_QUERY_CHARS
    assert f"Only the first {MAX_QUERY_CHARS} characters were searched." in parsed.notes


def test_many_words_are_capped_with_a_note():
    parsed = parse_query(" ".join(f"w{n}" for n in range(2000)))

    assert parsed.words == [f"w{n}" for n in range(MAX_PARTS)]
    assert f"Only the first {MAX_PARTS} words were searched." in parsed.notes


def test_nested_parentheses_are_ignored_without_recursion():
    parsed = parse_query("roi " + "(" * 5000 + ")" * 5000)

    assert parts_of(parsed) == (["roi"], [], [], [])


def test_nul_and_control_characters_never_reach_a_backend():
    parsed = parse_query("pri\x00cing\x07 roi\x1b")

    searched = [*parsed.words, *(w for p in parsed.phrases for w in p)]
    assert searched
    assert all(w.isprintable() for w in searched)
    assert "\x00" not in parsed.text()


def test_text_is_a_normalised_form_of_the_query():
    parsed = parse_query('  ROI   "Price LIST" negotiat* -Legacy ')

    assert parsed.text() == 'roi "price list" negotiat* -legacy'


def test_non_latin_words_are_words():
    assert parts("Café Größe 価格") == (["café", "größe", "価格"], [], [], [])
