"""The contract every search backend honours, run against each one (see conftest.backend).

Documents are written straight through the backend's writer, so these tests say what a
backend must do with a SearchDocument and a SearchRequest, whatever stores it.
"""

from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from whoosh import index as whoosh_index

from search.backend import FACETS, SearchRequest
from search.query import parse_query
from search.synonyms import expand
from tests.search.helpers import document, find, put

TODAY = date(2024, 6, 1)


def ids(result) -> list[int]:
    return [hit.asset_id for hit in result.hits]


# ---- writing -------------------------------------------------------------------------------


def test_an_upserted_document_is_found_with_its_facets(backend):
    _name, engine = backend
    put(
        engine,
        document(
            1,
            "Pricing guide",
            "How we price seats.",
            stages=["decision", "awareness"],
            content_type="battlecard",
        ),
    )

    result = find(engine, "pricing")

    assert (ids(result), result.total) == ([1], 1)
    hit = result.hits[0]
    assert sorted(hit.stages) == ["awareness", "decision"]
    assert (hit.content_type, hit.live, hit.status, hit.stale) == (
        "battlecard",
        True,
        "published",
        False,
    )
    assert hit.score > 0


def test_upserting_twice_keeps_one_document_with_the_latest_words(backend):
    _name, engine = backend
    put(engine, document(1, "Pricing guide", "Old words about kangaroos."))
    put(engine, document(1, "Pricing guide", "New words about penguins."))

    assert ids(find(engine, "pricing")) == [1]
    assert find(engine, "pricing").total == 1
    assert ids(find(engine, "penguins")) == [1]
    assert ids(find(engine, "kangaroos")) == []


def test_delete_removes_a_document(backend):
    _name, engine = backend
    put(engine, document(1, "Pricing guide"), document(2, "Pricing FAQ"))

    writer = engine.writer()
    writer.delete(1)
    writer.commit()

    assert ids(find(engine, "pricing")) == [2]
    assert set(engine.indexed()) == {2}


def test_cancelled_writes_are_not_seen(backend):
    _name, engine = backend
    writer = engine.writer()
    writer.upsert(document(1, "Pricing guide"))
    writer.cancel()

    assert find(engine, "pricing").total == 0
    assert engine.writer() is not None, "cancel releases the writer"


def test_indexed_reports_the_updated_at_it_holds_per_asset(backend):
    _name, engine = backend
    first = datetime(2024, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
    second = datetime(2024, 5, 1, tzinfo=UTC)
    put(engine, document(1, "Pricing", updated_at=first), document(2, "ROI", updated_at=second))

    assert engine.indexed() == {1: first, 2: second}


def test_clear_empties_the_index(backend):
    _name, engine = backend
    put(engine, document(1, "Pricing guide"))

    engine.clear()

    assert engine.indexed() == {}
    assert find(engine, "pricing").total == 0


@contextmanager
def writer_held_elsewhere(name, engine):
    """Another process holding the index writer alone, as far as ``engine`` can tell: any
    Whoosh writer; a rebuild on PostgreSQL, where indexers share the writer."""
    if name == "whoosh":
        # A second lock file handle in this process is refused like another process.
        other = whoosh_index.open_dir(str(engine.path)).writer()
    else:
        other = engine.writer(bulk=True)  # a connection (database session) of its own
        assert other is not None
    try:
        yield
    finally:
        other.cancel()


def test_writer_is_refused_at_once_while_another_writer_holds_the_index(backend):
    name, engine = backend
    put(engine, document(1, "Pricing guide"))

    with writer_held_elsewhere(name, engine):
        assert engine.writer() is None
        assert ids(find(engine, "pricing")) == [1], "searching never waits on a writer"

    writer = engine.writer()
    assert writer is not None
    writer.cancel()


# ---- matching ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["pricing", "price", "prices", "priced"])
def test_english_stemming_matches_forms_of_a_word(backend, query):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing guide"),
        document(2, "Seat price"),
        document(3, "Competitor prices"),
        document(4, "Security whitepaper"),
    )

    assert sorted(ids(find(engine, query))) == [1, 2, 3]


def test_all_words_must_match(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "ROI calculator", "For the CFO."),
        document(2, "ROI story", "A customer story."),
        document(3, "Calculator tips", "Spreadsheets."),
    )

    assert ids(find(engine, "roi calculator")) == [1]


def test_a_quoted_phrase_needs_the_words_together_and_in_order(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Renewal kit", "Send the customer the price list first."),
        document(2, "Catalogue", "Keep this list handy when they ask the price."),
        document(3, "Appendix", "The list of every price increase since launch."),
    )

    assert sorted(ids(find(engine, "price list"))) == [1, 2, 3]
    assert ids(find(engine, '"price list"')) == [1]


def test_minus_excludes_documents_with_a_word(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing guide", "Current plans."),
        document(2, "Pricing guide", "Legacy plans, retired."),
    )

    assert ids(find(engine, "pricing -legacy")) == [1]


def test_an_excluded_word_removes_its_documents_from_the_hits_and_the_total(backend):
    _name, engine = backend
    review = "The weekly pipeline review is where reps and marketing look at MQL to SQL. " * 3
    put(
        engine,
        document(1, "Weekly pipeline review playbook", "Keep a short agenda: wins, slips. " * 3),
        document(2, "MQL handoff", review + "Send the agenda a day before."),
        document(3, "Pipeline notes", review),
    )

    for query in ("weekly pipeline review -agenda", "MQL -agenda", "mql -AGENDA"):
        result = find(engine, query)
        assert (ids(result), result.total) == ([3], 1), query


def test_minus_before_a_phrase_excludes_only_that_phrase(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing guide", "The old deck is retired."),
        document(2, "Pricing guide", "An old customer liked the new deck."),
    )

    assert ids(find(engine, 'pricing -"old deck"')) == [2]


def test_prefix_finds_every_word_that_starts_so(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Negotiation playbook"),
        document(2, "Negotiating with procurement"),
        document(3, "Negative reviews"),
    )

    assert sorted(ids(find(engine, "negotiat*"))) == [1, 2]


def test_words_in_summary_body_and_file_text_are_found(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "One", summary="A kangaroo in the summary."),
        document(2, "Two", "A kangaroo in the body."),
        document(3, "Three", file_text="A kangaroo inside the uploaded PDF."),
    )

    assert sorted(ids(find(engine, "kangaroo"))) == [1, 2, 3]


def test_nothing_positive_to_search_finds_nothing(backend):
    _name, engine = backend
    put(engine, document(1, "Pricing guide"))

    for query in ("", "*", "?*?*?*?*", "-pricing", "the and of"):
        result = find(engine, query)
        assert (result.hits, result.total) == ([], 0), query


# ---- filters, visibility and facets --------------------------------------------------------


FACET_CASES = {
    "stages": ("decision", {"stages": ["decision"]}),
    "personas": ("cfo", {"personas": ["cfo", "cio"]}),
    "industries": ("retail", {"industries": ["retail"]}),
    "content_type": ("case-study", {"content_type": "case-study"}),
    "tags": ("roi", {"tags": ["pricing", "roi"]}),
}


@pytest.mark.parametrize("facet", FACETS)
def test_a_filter_on_each_facet_keeps_only_matching_documents(backend, facet):
    _name, engine = backend
    slug, fields = FACET_CASES[facet]
    put(engine, document(1, "Pricing guide", **fields), document(2, "Pricing FAQ"))

    assert ids(find(engine, "pricing", filters={facet: slug})) == [1]
    assert find(engine, "pricing", filters={facet: "no-such-slug"}).total == 0


def test_filters_on_two_facets_combine(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing", stages=["decision"], personas=["cfo"]),
        document(2, "Pricing", stages=["decision"], personas=["cio"]),
        document(3, "Pricing", stages=["awareness"], personas=["cfo"]),
    )

    result = find(engine, "pricing", filters={"stages": "decision", "personas": "cfo"})

    assert ids(result) == [1]


def test_live_only_hides_drafts_and_archived_documents(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing live"),
        document(2, "Pricing draft", live=False, status="draft", published_at=None),
        document(3, "Pricing archived", live=False, status="archived"),
    )

    assert ids(find(engine, "pricing")) == [1]
    everything = find(engine, "pricing", live_only=False)
    assert sorted(ids(everything)) == [1, 2, 3]
    statuses = {hit.asset_id: (hit.live, hit.status) for hit in everything.hits}
    assert statuses[2] == (False, "draft")
    assert statuses[3] == (False, "archived")


def test_facet_counts_count_the_matching_visible_documents(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing", stages=["awareness", "decision"], personas=["cfo"], tags=["roi"]),
        document(2, "Pricing", stages=["decision"], personas=["cfo"], content_type="battlecard"),
        document(3, "Pricing", stages=["decision"], industries=["retail"]),
        document(4, "Security", stages=["awareness"], personas=["cio"]),
        document(5, "Pricing", stages=["onboarding"], live=False, status="draft"),
    )

    facets = find(engine, "pricing").facets

    assert dict(facets["stages"]) == {"decision": 3, "awareness": 1}
    assert dict(facets["personas"]) == {"cfo": 2}
    assert dict(facets["industries"]) == {"retail": 1}
    assert dict(facets["content_type"]) == {"one-pager": 2, "battlecard": 1}
    assert dict(facets["tags"]) == {"roi": 1}
    assert facets["stages"][0] == ("decision", 3), "most common first"


def test_facet_counts_follow_the_filters(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing", stages=["decision"], personas=["cfo"]),
        document(2, "Pricing", stages=["decision"], personas=["cio"]),
        document(3, "Pricing", stages=["awareness"], personas=["cfo"]),
    )

    facets = find(engine, "pricing", filters={"stages": "decision"}).facets

    assert dict(facets["personas"]) == {"cfo": 1, "cio": 1}
    assert dict(facets["stages"]) == {"decision": 2}


# ---- ordering and pages --------------------------------------------------------------------


def test_newest_sorts_by_published_at_and_keeps_real_scores(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing pricing pricing", published_at=datetime(2024, 1, 5, tzinfo=UTC)),
        document(2, "Pricing", "pricing", published_at=datetime(2024, 3, 1, tzinfo=UTC)),
        document(3, "Pricing notes", published_at=datetime(2024, 2, 1, tzinfo=UTC)),
    )

    by_relevance = find(engine, "pricing")
    newest = find(engine, "pricing", sort="newest")

    assert ids(newest) == [2, 3, 1]
    scores = {hit.asset_id: hit.score for hit in by_relevance.hits}
    assert {hit.asset_id: hit.score for hit in newest.hits} == pytest.approx(scores)


def test_pages_split_the_results_and_total_counts_them_all(backend):
    _name, engine = backend
    put(engine, *(document(n, f"Pricing sheet {n}") for n in range(1, 13)))

    pages = [find(engine, "pricing", page=p, per_page=5) for p in (1, 2, 3, 4)]

    assert [len(page.hits) for page in pages] == [5, 5, 2, 0]
    assert {page.total for page in pages} == {12}
    seen = [i for page in pages for i in ids(page)]
    assert sorted(seen) == list(range(1, 13)), "no document on two pages"


# ---- what a hit shows ----------------------------------------------------------------------


def test_highlight_marks_the_matched_words_in_title_and_snippet(backend):
    _name, engine = backend
    put(engine, document(1, "Pricing guide", "We never discount: our prices are fair."))

    hit = find(engine, "pricing").hits[0]

    assert "<mark" in hit.title
    assert "Pricing</mark>" in hit.title
    assert "prices</mark>" in hit.snippet
    assert "discount" in hit.snippet


def test_snippet_comes_from_the_file_text_when_only_the_file_matches(backend):
    _name, engine = backend
    put(engine, document(1, "Deck", "Nothing here.", file_text="Slide 4: the wombat plan."))

    hit = find(engine, "wombat").hits[0]

    assert "wombat</mark>" in hit.snippet


def test_highlighted_text_is_escaped(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing <b>bold</b>", 'Price <script>alert("x")</script> & terms'),
    )

    hit = find(engine, "pricing").hits[0]

    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<b>" not in hit.title
    assert "&lt;b&gt;" in hit.title


def test_a_long_matching_title_is_shown_whole(backend):
    _name, engine = backend
    title = (
        "Quarterly business review template for enterprise customers in manufacturing "
        "with pricing benchmarks, renewal playbooks and talk tracks for account managers"
    )
    put(engine, document(1, title))

    shown = find(engine, "benchmarks").hits[0].title

    assert shown.striptags() == title
    assert "benchmarks</mark>" in shown


def test_without_highlighting_the_title_and_snippet_are_plain(backend):
    _name, engine = backend
    put(engine, document(1, "Pricing guide", summary="Our pricing, explained."))

    hit = find(engine, "pricing", highlight=False).hits[0]

    assert "<mark" not in hit.title
    assert "<mark" not in hit.snippet
    assert (hit.summary, hit.snippet) == ("Our pricing, explained.", "")


def test_the_snippet_is_the_best_passage_of_the_body_and_the_summary_stands_apart(backend):
    _name, engine = backend
    filler = " ".join(f"Section {n} covers events, budgets and venues." for n in range(40))
    body = (
        f"{filler} Onboarding checklist for partners: pricing tiers and renewal dates. "
        f"{filler} A pricing note."
    )
    put(engine, document(1, "Partner kit", body, summary="All about pricing for partners."))

    hit = find(engine, "pricing renewal").hits[0]

    assert "renewal</mark>" in hit.snippet
    assert "pricing</mark>" in hit.snippet
    assert hit.summary.striptags() == "All about pricing for partners."
    assert "All about" not in hit.snippet
    assert "pricing</mark>" in hit.summary


def test_the_snippet_comes_from_the_file_text_when_it_matches_more_words(backend):
    _name, engine = backend
    put(
        engine,
        document(
            1,
            "Deck",
            "Our pricing is simple.",
            file_text="Slide 9: pricing tiers, renewal dates and discounts.",
        ),
    )

    hit = find(engine, "pricing renewal").hits[0]

    assert "renewal</mark>" in hit.snippet
    assert "Slide 9" in hit.snippet


def test_readers_stop_finding_an_asset_after_its_expiry_date(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing guide", expires_on=date(2024, 5, 31)),
        document(2, "Pricing FAQ", expires_on=date(2024, 6, 1)),
        document(3, "Pricing sheet"),
    )

    assert sorted(ids(find(engine, "pricing", today=TODAY))) == [2, 3]
    assert find(engine, "pricing", today=TODAY).facets["stages"] == [("awareness", 2)]
    assert sorted(ids(find(engine, "pricing", today=TODAY, live_only=False))) == [1, 2, 3]


def test_readers_find_the_drafts_they_were_invited_to_and_no_others(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing guide"),
        document(2, "Pricing draft", live=False, status="draft", collaborator_ids=[7, 9]),
        document(3, "Pricing other draft", live=False, status="in_review", collaborator_ids=[8]),
    )

    assert sorted(ids(find(engine, "pricing", user_id=7))) == [1, 2]
    assert sorted(ids(find(engine, "pricing", user_id=8))) == [1, 3]
    assert ids(find(engine, "pricing", user_id=5)) == [1]
    assert ids(find(engine, "pricing", user_id=7, filters={"stages": "decision"})) == []
    assert find(engine, "pricing", user_id=7).total == 2


# ---- partial matching ----------------------------------------------------------------------


def test_when_no_document_has_every_word_those_with_most_follow_naming_what_they_lack(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Mapping the buyer's journey", "Awareness to decision."),
        document(2, "Sales stages", "Pipeline stages explained."),
        document(3, "Buyer stages", "A journey map."),
    )

    result = find(engine, "buyer journey stages")

    assert (ids(result), result.total) == ([3, 1], 2), "one word of three is not enough"
    assert [hit.missing for hit in result.hits] == [[], ["stages"]]


def test_partial_matches_rank_by_how_many_words_they_have_before_how_well(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Alpha bravo charlie", "Alpha bravo charlie alpha bravo charlie."),
        document(2, "Notes", "Alpha, bravo, charlie and delta appear once each."),
        document(3, "Alpha bravo", "Only two of the words."),
    )

    result = find(engine, "alpha bravo charlie delta")

    assert ids(result) == [2, 1]
    assert result.hits[1].missing == ["delta"]


def test_enough_documents_with_every_word_keep_partial_matches_out(backend):
    _name, engine = backend
    full = [document(i, f"Alpha bravo charlie {i}") for i in range(1, 6)]
    put(engine, *full, document(6, "Alpha bravo"))

    result = find(engine, "alpha bravo charlie")

    assert sorted(ids(result)) == [1, 2, 3, 4, 5]
    assert all(hit.missing == [] for hit in result.hits)


def test_strict_mode_needs_every_word(backend):
    _name, engine = backend
    put(engine, document(1, "Mapping the buyer's journey"))

    assert ids(find(engine, "buyer journey stages", partial=False)) == []


def test_a_plus_word_and_a_quoted_phrase_stay_mandatory_in_partial_matches(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "ROI calculator for seats"),
        document(2, "Renewal ROI calculator"),
        document(3, "Price list with ROI calculator"),
    )

    assert ids(find(engine, "+renewal roi calculator seats")) == [2]
    assert ids(find(engine, '"price list" roi calculator seats')) == [3]


def test_exclusions_and_prefixes_still_apply_to_partial_matches(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "ROI calculator for seats"),
        document(2, "ROI calculator legacy edition"),
        document(3, "Negotiation ROI calculator"),
    )

    assert sorted(ids(find(engine, "roi calculator seats -legacy"))) == [1, 3]
    assert ids(find(engine, "negoti* roi calculator seats")) == [3]


def test_hyphenated_joined_and_possessive_spellings_find_each_other(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Ghost-writing for reps"),
        document(2, "Ghostwriting LinkedIn posts"),
        document(3, "The buyer's journey"),
    )

    assert sorted(ids(find(engine, "ghostwriting"))) == [1, 2]
    assert sorted(ids(find(engine, "ghost-writing"))) == [1, 2]
    assert ids(find(engine, "buyer journey")) == [3]
    assert ids(find(engine, "buyers")) == [3]


def test_a_joined_word_finds_a_compound_of_a_two_letter_word(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Implementation timeline", "Six weeks from signature to go-live."),
        document(2, "Launch plan", "Go to market with a live demo."),
        document(3, "Timeline of a renewal"),
    )

    assert ids(find(engine, "golive timeline")) == [1]
    assert ids(find(engine, "golive")) == [1], "go and live apart are not go-live"


# ---- synonyms ------------------------------------------------------------------------------


def test_synonyms_expand_a_query_both_ways(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Turning an MQL into pipeline", "Hand-offs that work."),
        document(2, "Scoring", "When is a marketing qualified lead ready for sales?"),
        document(3, "Qualified pipeline", "Lead scoring for marketing teams."),
    )
    groups = [["MQL", "marketing qualified lead"]]

    def expanded(query):
        return engine.search(SearchRequest(parsed=expand(parse_query(query), groups), today=TODAY))

    assert sorted(ids(expanded("mql"))) == [1, 2]
    assert sorted(ids(expanded("marketing qualified lead"))) == [1, 2], "3 has no such phrase"
    assert sorted(ids(find(engine, "mql"))) == [1], "no synonyms: only the word"
    partial = expanded("mql handoffs pipeline")
    assert ids(partial)[0] == 1


# ---- did you mean --------------------------------------------------------------------------


def test_a_misspelt_word_suggests_the_indexed_spelling(backend):
    _name, engine = backend
    put(engine, document(1, "Pricing guide", "Seats and plans."))

    result = find(engine, "pricng")

    assert (result.total, result.suggestion) == (0, "pricing")
    assert find(engine, "pricng guide").suggestion == "pricing guide"


def test_a_suggestion_is_a_word_as_written_not_its_stem(backend):
    _name, engine = backend
    put(engine, document(1, "Negotiation playbook", "Multi-year renewals."))

    assert find(engine, "negotiaton").suggestion == "negotiation"
    assert find(engine, "renewls").suggestion == "renewals"


def test_no_suggestion_when_results_are_found(backend):
    _name, engine = backend
    put(engine, document(1, "Pricing guide"))

    assert find(engine, "pricing").suggestion is None


def test_suggestions_never_reveal_words_only_drafts_contain(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing guide"),
        document(2, "Project kingfisher", live=False, status="draft", published_at=None),
    )

    assert find(engine, "kingfishr").suggestion is None
    assert find(engine, "kingfishr", live_only=False).suggestion == "kingfisher"


def test_a_swap_of_two_letters_counts_as_one_edit(backend):
    _name, engine = backend
    put(engine, document(1, "Security whitepaper", "Encryption at rest."))

    assert find(engine, "secuirty").suggestion == "security"
    assert find(engine, "whitepaepr secuirty").suggestion == "whitepaper security"


def test_a_word_far_from_its_stem_is_respelt(backend):
    _name, engine = backend
    put(engine, document(1, "Renewal playbook", "Start renewals early."))

    assert find(engine, "renwal playbook").suggestion == "renewal playbook"


def test_a_query_with_few_results_is_respelt_too(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Alignmnet memo", "A typo in the title."),
        document(2, "Sales alignment", "Marketing and sales."),
        document(3, "Alignment workshop", "Agenda."),
    )

    assert find(engine, "alignmnet").total == 1
    assert find(engine, "alignmnet").suggestion is None, "a word the index knows is kept"
    assert find(engine, "alignmetn").suggestion == "alignment"
    assert find(engine, "alignment").suggestion is None
    partial = find(engine, "sales marketing alignmetn")
    assert (partial.total, partial.hits[0].missing) == (1, ["alignmetn"])
    assert partial.suggestion == "sales marketing alignment"


# ---- ranking -------------------------------------------------------------------------------


def test_better_rated_and_more_used_ranks_first_among_equals(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing guide", "Seats and plans.", rating_average=2.0, rating_count=5),
        document(
            2,
            "Pricing guide",
            "Seats and plans.",
            rating_average=4.8,
            rating_count=12,
            usage_count=40,
        ),
        document(3, "Pricing guide", "Seats and plans."),
    )

    assert ids(find(engine, "pricing")) == [2, 1, 3]


def test_quality_does_not_outrank_a_much_better_text_match(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing guide", "Pricing for every plan; pricing by seat."),
        document(
            2,
            "Onboarding checklist",
            "A short note on pricing.",
            rating_average=5.0,
            rating_count=1,
        ),
    )

    assert ids(find(engine, "pricing")) == [1, 2]


def test_past_its_review_date_ranks_below_an_equal_fresh_document_with_a_flag(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Pricing guide", "Seats and plans.", review_by=date(2024, 5, 31)),
        document(2, "Pricing guide", "Seats and plans.", review_by=date(2024, 6, 1)),
        document(3, "Pricing guide", "Seats and plans."),
    )

    result = find(engine, "pricing", today=TODAY)

    assert ids(result)[-1] == 1
    assert {hit.asset_id: hit.stale for hit in result.hits} == {1: True, 2: False, 3: False}


# A long article of several sections, one of which answers the query in one passage.
SECTIONS = [
    "A note on tone. Write as you would speak to a customer: plain words, short sentences.",
    "Templates. Copy the examples in the appendix and adapt the names and figures.",
    "The month-end problem. Finance teams spend the first week of every month reconciling.",
    "Talking to a controller. Lead with hours saved at month end, then accuracy.",
    "Who to ask. The enablement team reviews drafts within two working days.",
    "Examples from the field. Teams that tried this last year shared what worked.",
    "Common mistakes. Sending everything at once, and forgetting to follow up.",
]


def test_words_said_together_in_a_long_article_outrank_the_same_words_scattered(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Continuous close for finance", "\n\n".join(SECTIONS)),
        document(
            2,
            "Studies included",
            "The controller joined late. Budget and hiring came first; the reps saved a "
            "seat on the webinar and logged their overtime hours afterwards.",
        ),
    )

    assert ids(find(engine, "controller hours saved")) == [1, 2]


def test_a_long_article_that_names_a_topic_in_several_sections_is_not_buried(backend):
    _name, engine = backend
    put(
        engine,
        document(1, "Continuous close for finance", "\n\n".join(SECTIONS)),
        document(2, "Reporting notes", "Reconciling by hand takes a month, analysts say."),
    )

    assert ids(find(engine, "month")) == [1, 2]
