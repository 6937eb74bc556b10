"""The search page as people use it: the nav box, results, facets, pages and bad input."""

import html
import re
from datetime import date

from sqlalchemy import select

from content.library.models import Asset
from portal.kernel.extensions import db
from search.models import SearchMiss
from tests.factories import make_asset, pdf_bytes
from tests.search.helpers import index_now

_HIT = re.compile(
    r'<article class="hit">\s*<h2><a href="/search/open/(\d+)\?t=[^"]+">(.*?)</a></h2>', re.S
)
_NAV_BOX = re.compile(r'<input type="search" name="q" aria-label="Search the library"[^>]*>')
_FACET = re.compile(r'<a href="([^"]+)"[^>]*>([^<(]+) \((\d+)\)( ✕)?</a>')


def hits(page: str) -> list[str]:
    """Hit titles as shown, in order, without the highlight tags."""
    return [html.unescape(re.sub(r"<[^>]+>", "", title)) for _id, title in _HIT.findall(page)]


def result_count(page: str) -> str:
    match = re.search(r'<p class="result-count" role="status">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else ""


def facets(page: str, label: str) -> dict[str, tuple[int, str]]:
    """A facet section's links: term name → (count, href)."""
    match = re.search(rf'<h2 id="facet-\w+">{label}</h2>(.*?)</section>', page, re.S)
    assert match, f"no facet section {label!r}"
    return {
        name.strip(): (int(count), html.unescape(href))
        for href, name, count, _active in _FACET.findall(match.group(1))
    }


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', page)]


def nav(page: str) -> str:
    return page.split("<main", 1)[0]


# ---- the search box ------------------------------------------------------------------------


def nav_search_box(page: str) -> str | None:
    """The nav's search input, or None when the nav has no search form."""
    header = nav(page)
    if 'role="search"' not in header or 'action="/search"' not in header:
        return None
    match = _NAV_BOX.search(header)
    return match.group(0) if match else None


def test_every_page_has_a_search_box_in_the_nav_once_signed_in(client, client_as, marketer):
    asset = make_asset(marketer, "Pricing guide")
    rep = client_as("rep")

    for url in ("/library", "/assets", f"/assets/{asset.id}", "/profile"):
        box = nav_search_box(rep.get(url).text)
        assert box, url
        assert 'value=""' in box, url
    on_results = nav_search_box(rep.get("/search?q=pricing+guide").text)
    assert 'value="pricing guide"' in on_results, "the results page keeps the query"

    assert nav_search_box(client.get("/login").text) is None
    response = client.get("/search?q=pricing")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


# ---- results -------------------------------------------------------------------------------


def test_results_show_the_count_and_highlighted_snippets(client_as, marketer):
    make_asset(marketer, "Pricing guide", body="Our prices are per seat.")
    make_asset(marketer, "Seat calculator", summary="Work out the price for a team.")
    make_asset(marketer, "Security primer", body="Encryption at rest.")
    index_now()

    page = client_as("rep").get("/search?q=pricing").text

    assert result_count(page) == "2 results for “pricing”"
    assert hits(page)[0] == "Pricing guide"
    assert set(hits(page)) == {"Pricing guide", "Seat calculator"}
    assert re.search(r'<p class="snippet">[^<]*<mark[^>]*>prices</mark>', page)
    # The summary stands apart from the snippet (the body's best passage), highlighted too.
    assert re.search(r'<p class="summary">[^<]*<mark[^>]*>price</mark>', page)


def test_lower_hits_say_which_words_they_lack(client_as, marketer):
    make_asset(marketer, "Mapping the buyer's journey", body="From awareness to decision.")
    make_asset(marketer, "Buyer journey stages", body="Every stage of the journey.")
    make_asset(marketer, "Sales stages", body="Pipeline stages.")
    index_now()

    page = client_as("rep").get("/search?q=buyer+journey+stages").text

    assert hits(page) == ["Buyer journey stages", "Mapping the buyer's journey"]
    assert result_count(page) == "2 results for “buyer journey stages”"
    missing = re.findall(r'<p class="missing">(.*?)</p>', page)
    assert [re.sub(r"<[^>]+>", "", line) for line in missing] == ["Missing: stages"]


def test_a_word_only_in_an_uploaded_pdf_is_found_with_a_highlighted_snippet(client_as, marketer):
    asset = make_asset(
        marketer,
        "Analyst report",
        body="See the attached file.",
        file=("report.pdf", pdf_bytes("Quokka adoption grew fourfold")),
    )
    index_now()
    stored = db.session.get(Asset, asset.id).latest_revision.file
    assert stored.extraction_status == "extracted", stored.extraction_note

    page = client_as("rep").get("/search?q=quokka").text

    assert hits(page) == ["Analyst report"]
    assert re.search(r'<p class="snippet">[^<]*<mark[^>]*>Quokka</mark> adoption', page)
    # The same file-type chip as the asset's card on the board.
    hit = page.split('<article class="hit">')[1].split("</article>")[0]
    assert '<span class="chip chip-file">PDF</span>' in hit


def test_facet_links_show_counts_and_narrow_the_results_when_followed(client_as, marketer):
    make_asset(marketer, "Pricing for CFOs", stages=("decision",), personas=("cfo",))
    make_asset(marketer, "Pricing FAQ", stages=("decision", "awareness"), personas=("cio",))
    make_asset(marketer, "Pricing primer", stages=("awareness",), personas=("cfo",))
    make_asset(marketer, "Security primer", stages=("decision",))
    index_now()
    rep = client_as("rep")

    page = rep.get("/search?q=pricing").text
    stages = facets(page, "Buyer stage")
    assert {name: count for name, (count, _href) in stages.items()} == {
        "Decision": 2,
        "Awareness": 2,
    }
    assert {n: c for n, (c, _h) in facets(page, "Persona").items()} == {"CFO": 2, "CIO": 1}

    narrowed = rep.get(stages["Decision"][1]).text

    assert result_count(narrowed) == "2 results for “pricing”"
    assert set(hits(narrowed)) == {"Pricing for CFOs", "Pricing FAQ"}
    assert {n: c for n, (c, _h) in facets(narrowed, "Persona").items()} == {"CFO": 1, "CIO": 1}
    active = re.search(r'<a href="([^"]+)" aria-current="true">Decision \(2\) ✕</a>', narrowed)
    assert active, "the chosen stage is marked and offers to remove itself"
    hidden = '<input type="hidden" name="stage" value="decision">'
    assert hidden in narrowed, "a new query from the page keeps the stage"
    # On a phone the facets fold under a button, open once one is chosen.
    assert '<details class="filter-details"><summary>Narrow the results</summary>' in page
    assert '<details class="filter-details" open><summary>Narrow the results (on)' in narrowed

    cfo = rep.get(facets(narrowed, "Persona")["CFO"][1]).text
    assert hits(cfo) == ["Pricing for CFOs"]
    assert result_count(cfo) == "1 result for “pricing”"
    widened = rep.get(html.unescape(active.group(1))).text
    assert result_count(widened) == "3 results for “pricing”"


def test_newest_sort_lists_the_latest_published_first(client_as, marketer):
    for title in ("Pricing, pricing and more pricing", "Pricing two", "Pricing three"):
        make_asset(marketer, title)
    index_now()
    rep = client_as("rep")

    by_relevance = rep.get("/search?q=pricing").text
    newest = rep.get("/search?q=pricing&sort=newest").text

    assert hits(by_relevance)[0] == "Pricing, pricing and more pricing"
    assert hits(newest) == ["Pricing three", "Pricing two", "Pricing, pricing and more pricing"]
    assert '<option value="newest" selected>' in newest


def test_results_are_paginated(client_as, marketer):
    for n in range(21):
        make_asset(marketer, f"Pricing sheet {n:02d}")
    index_now()
    rep = client_as("rep")

    first = rep.get("/search?q=pricing").text
    assert result_count(first) == "21 results for “pricing”"
    assert len(hits(first)) == 20
    assert "Page 1 of 2" in first
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first).group(1)

    second = rep.get(html.unescape(next_link)).text

    assert "Page 2 of 2" in second
    assert len(hits(second)) == 1
    assert not set(hits(first)) & set(hits(second))


def test_a_misspelt_word_searched_as_typed_offers_a_did_you_mean_link(client_as, marketer):
    make_asset(marketer, "Pricing guide", stages=("decision",))
    index_now()
    rep = client_as("rep")

    page = rep.get("/search?q=pricng&stage=decision&as_typed=1").text
    link = re.search(r'Did you mean <a href="([^"]+)">pricing</a>\?', page)

    assert result_count(page) == "0 results for “pricng”"
    assert link
    followed = rep.get(html.unescape(link.group(1))).text
    assert hits(followed) == ["Pricing guide"]
    assert "stage=decision" in link.group(1), "the filters are kept"


def test_a_misspelt_query_shows_the_corrected_results_at_once(client_as, marketer):
    make_asset(marketer, "Sales and marketing alignment", body="Shared goals.")
    make_asset(marketer, "Security whitepaper")
    index_now()
    rep = client_as("rep")

    page = rep.get("/search?q=aligment").text
    link = re.search(
        r"Showing results for <b>alignment</b>\. "
        r"Search instead for <a href=\"([^\"]+)\">aligment</a>",
        page,
    )

    assert hits(page) == ["Sales and marketing alignment"]
    assert result_count(page) == "1 result for “alignment”"
    assert link
    assert "Did you mean" not in page
    assert db.session.scalars(select(SearchMiss.query)).all() == [], "the correction found it"
    as_typed = rep.get(html.unescape(link.group(1))).text
    assert hits(as_typed) == []
    assert result_count(as_typed) == "0 results for “aligment”"
    assert re.search(r'Did you mean <a href="[^"]+">alignment</a>\?', as_typed)
    assert "Showing results for" not in as_typed


def test_no_correction_is_offered_when_it_finds_nothing_the_reader_may_see(client_as, marketer):
    make_asset(marketer, "Kingfisher launch plan", publish=False)
    index_now()

    page = client_as("rep").get("/search?q=kingfishr").text

    assert hits(page) == []
    assert "Showing results for" not in page
    assert "Did you mean" not in page


def test_an_asset_past_its_review_date_carries_a_badge(client_as, marketer):
    old = make_asset(marketer, "Pricing 2019")
    make_asset(marketer, "Pricing 2024")
    db.session.get(Asset, old.id).review_by = date(2020, 1, 1)
    db.session.commit()
    index_now()

    page = client_as("rep").get("/search?q=pricing").text

    assert hits(page) == ["Pricing 2024", "Pricing 2019"]
    badges = re.findall(r'<article class="hit">(.*?)</article>', page, re.S)
    assert "Past review date" not in badges[0]
    assert '<span class="badge badge-stale">Past review date</span>' in badges[1]


def test_an_empty_query_asks_for_words(client_as):
    page = client_as("rep").get("/search?q=").text

    assert "Type a word or two above" in page
    assert db.session.scalar(select(SearchMiss.id)) is None


def test_the_query_is_escaped_where_it_is_shown(client_as):
    page = client_as("rep").get('/search?q=<script>alert("x")</script>').text

    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


# ---- input that must never break the page --------------------------------------------------


HOSTILE = {
    "unbalanced quote": ('"pricing guide', 200, None),
    "lone star": ("*", 200, "Type a word or two above"),
    "question stars": ("?*?*?*?*", 200, "Type a word or two above"),
    "5,000 characters": ("pricing " * 625, 200, "Only the first 300 characters were searched."),
    "2,000 words": (" ".join(["pricing"] * 2000), 200, "Only the first 300 characters"),
    "13 words": (" ".join(f"w{n}" for n in range(13)), 200, "Only the first 12 words were"),
    "nested parentheses": ("(" * 5000 + "pricing" + ")" * 5000, 200, None),
    "query syntax": ("title:pricing AND [a TO z] OR price~2 ^3", 200, None),
    "short prefix": ("pr*", 200, "Prefix searches need at least 3 letters."),
    "NUL": ("pri\x00cing", 400, "Text may not contain NUL characters."),
}  # fmt: skip


def test_hostile_queries_get_a_clear_answer_never_a_500(client_as, marketer):
    for n in range(3):
        make_asset(marketer, f"Pricing sheet {n}", body="Price list, prices and pricing.")
    index_now()
    rep = client_as("rep")

    for case, (raw, status, message) in HOSTILE.items():
        response = rep.get("/search", query_string={"q": raw})

        assert response.status_code == status, case
        assert message is None or message in response.text, case


BAD_ARGUMENTS = {
    "unknown stage": ("stage=nope", "There is no stage called “nope”."),
    "unknown persona": ("persona=ceo", "There is no persona called “ceo”."),
    "unknown content type": ("content_type=poem", "There is no content type called “poem”."),
    "unknown sort": ("sort=random", "Unknown sort."),
    "page zero": ("page=0", "Page must be a whole number from 1 to 100,000."),
    "page text": ("page=two", "Page must be a whole number from 1 to 100,000."),
}


def test_bad_arguments_are_a_clear_400(client_as):
    rep = client_as("rep")

    for case, (argument, message) in BAD_ARGUMENTS.items():
        response = rep.get(f"/search?q=pricing&{argument}")

        assert response.status_code == 400, case
        assert message in flashes(response.text), case


def test_a_superscript_page_number_is_a_clear_400(client_as):
    response = client_as("rep").get("/search?q=pricing&page=²")

    assert response.status_code == 400


# ---- who sees what -------------------------------------------------------------------------


def _library_with_a_draft_and_an_archived_asset(marketer):
    from workflows.review.machine import transition

    make_asset(marketer, "Pricing live")
    make_asset(marketer, "Pricing draft", publish=False)
    archived = make_asset(marketer, "Pricing archived")
    transition(archived, marketer, "archive")
    db.session.commit()
    index_now()


def test_a_rep_never_sees_drafts_or_archived_assets_even_asking_for_all(client_as, marketer):
    _library_with_a_draft_and_an_archived_asset(marketer)
    rep = client_as("rep")

    for url in ("/search?q=pricing", "/search?q=pricing&all=1"):
        page = rep.get(url).text
        assert hits(page) == ["Pricing live"], url
        assert "Include drafts" not in page


def test_a_marketer_sees_drafts_and_archived_assets_only_when_asking_for_all(client_as, marketer):
    _library_with_a_draft_and_an_archived_asset(marketer)
    client = client_as("marketer")

    assert hits(client.get("/search?q=pricing").text) == ["Pricing live"]
    page = client.get("/search?q=pricing&all=1").text

    assert sorted(hits(page)) == ["Pricing archived", "Pricing draft", "Pricing live"]
    assert '<span class="badge badge-draft">Draft</span>' in page
    assert '<span class="badge badge-draft">Archived</span>' in page
    assert 'name="all" value="1" checked' in page


# ---- searches that find nothing ------------------------------------------------------------


def test_searches_that_find_nothing_are_recorded_with_stage_and_role(client_as, users):
    make_asset(users["marketer"], "Pricing guide", stages=("awareness",))
    index_now()

    client_as("rep").get("/search?q=Kubernetes+migration&stage=decision")
    client_as("marketer").get("/search?q=zebras")
    client_as("marketer").get("/search?q=pricng")  # corrected to pricing: found
    client_as("rep").get("/search?q=pricing")  # found: not a miss
    client_as("rep").get("/search?q=*")  # nothing to search: not a miss

    misses = db.session.scalars(select(SearchMiss).order_by(SearchMiss.id)).all()
    assert [(m.query, m.stage_slug, m.role, m.user_id) for m in misses] == [
        ("kubernetes migration", "decision", "rep", users["rep"].id),
        ("zebras", "", "marketer", users["marketer"].id),
    ]
    assert all(m.created_at is not None for m in misses)
