"""The one-pass English analyzer yields exactly what Whoosh's StemmingAnalyzer does."""

import itertools

import pytest
from whoosh.analysis import StemmingAnalyzer

from search.analysis import EnglishAnalyzer

TEXTS = [
    "The pricing of prices, priced 3.141 a big-time under_score",
    "a I of the it's Négociation ÉTÉ x y zz",
    "",
    "  and the  ",
    "ROI calculator for the CFO: a one-pager",
    "e.g. U.S.A. v2.0 don't — naïve café",
]
OPTIONS = [
    dict(zip(("positions", "chars", "removestops", "keeporiginal", "mode", "start_pos",
              "start_char", "tokenize"), values, strict=True))
    for values in itertools.product(
        (False, True), (False, True), (False, True), (False, True), ("index", "query"),
        (0, 3), (0, 5), (True, False),
    )
]  # fmt: skip


def tokens(analyzer, text: str, options: dict) -> list[dict]:
    return [dict(vars(token)) for token in analyzer(text, **options)]


@pytest.mark.parametrize("text", TEXTS)
def test_tokens_match_the_stemming_analyzer_with_every_option(text):
    stock, english = StemmingAnalyzer(), EnglishAnalyzer()

    for options in OPTIONS:
        assert tokens(english, text, options) == tokens(stock, text, options), options


def test_words_are_stemmed_unless_morphology_is_switched_off():
    analyzer = EnglishAnalyzer()

    assert [t.text for t in analyzer("Pricing the negotiations")] == ["price", "negoti"]
    assert [t.text for t in analyzer("Pricing the negotiations", no_morph=True)] == [
        "pricing",
        "negotiations",
    ]
