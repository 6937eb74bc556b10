"""Expanding a query with synonym groups (search.synonyms)."""

from search.query import parse_query
from search.synonyms import expand

GROUPS = [["MQL", "marketing qualified lead"], ["SQL", "sales-qualified lead"]]


def test_a_short_spelling_gets_the_long_one_and_back():
    short = expand(parse_query("MQL definition"), GROUPS)
    long = expand(parse_query("marketing qualified lead definition"), GROUPS)

    assert (short.words, short.synonyms) == (
        ["mql", "definition"],
        {"mql": ["marketing qualified lead"]},
    )
    assert long.words == ["marketing qualified lead", "definition"], "kept as one word"
    assert long.synonyms == {"marketing qualified lead": ["mql"]}


def test_plurals_required_words_and_unrelated_words():
    parsed = expand(parse_query("MQLs +sql pricing"), GROUPS)

    assert parsed.words == ["mqls", "pricing"]
    assert parsed.synonyms == {
        "mqls": ["marketing qualified lead"],
        "sql": ["sales qualified lead"],
    }
    assert parsed.required == ["sql"]
    assert parsed.text() == "mqls pricing +sql"


def test_no_groups_leave_the_query_alone():
    parsed = parse_query("mql definition")

    assert expand(parsed, []) is parsed
    assert expand(parsed, [["Lonely"]]) is parsed
