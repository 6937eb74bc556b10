"""What reps see when they browse: the stage board, the asset list and an asset's page."""

import re

from portal.kernel.extensions import db
from tests.content.helpers import (
    card_titles,
    flashes,
    invite_reviewers,
    stage_count,
    stage_headings,
    stage_section,
)
from tests.factories import SQLITE_ONLY, make_asset, pdf_bytes
from workflows.review.machine import transition

# ---- the board -----------------------------------------------------------------------------


def test_board_has_a_section_per_stage_in_order_with_counts(client_as, marketer):
    make_asset(marketer, "CFO ROI one-pager", stages=("decision",))
    make_asset(marketer, "Category primer", stages=("awareness", "decision"))

    page = client_as("rep").get("/library").text

    assert stage_headings(page) == [
        "awareness",
        "consideration",
        "decision",
        "onboarding",
        "expansion",
    ]
    assert (stage_count(page, "awareness"), stage_count(page, "decision")) == (1, 2)
    assert card_titles(stage_section(page, "decision")) == ["Category primer", "CFO ROI one-pager"]
    assert "No assets for Onboarding yet." in stage_section(page, "onboarding")
    # Each stage's cards sit in one row (it scrolls sideways on a phone), and a row of
    # links jumps to each stage, with its count.
    assert '<div class="stage-cards">' in stage_section(page, "decision")
    jump = page.split('<nav class="stage-jump" aria-label="Buyer stages">')[1].split("</nav>")[0]
    assert re.findall(r'href="#stage-([\w-]+)">[^<]+ <span class="count">(\d+)<', jump) == [
        ("awareness", "1"),
        ("consideration", "0"),
        ("decision", "2"),
        ("onboarding", "0"),
        ("expansion", "0"),
    ]


def test_board_hides_drafts_and_archived_assets_from_reps(client_as, marketer):
    make_asset(marketer, "Published primer")
    make_asset(marketer, "Secret draft", publish=False)
    old = make_asset(marketer, "Retired deck")
    transition(old, marketer, "archive")
    db.session.commit()

    page = client_as("rep").get("/library").text

    assert card_titles(page) == ["Published primer"]


def test_board_links_to_the_full_list_of_a_busy_stage(client_as, marketer):
    for n in range(7):
        make_asset(marketer, f"Primer {n}")

    page = client_as("rep").get("/library").text

    assert "See all 7 in Awareness" in page
    assert len(card_titles(page)) == 6


def test_board_filtered_by_persona_shows_matching_cards_only(client_as, marketer):
    make_asset(marketer, "For CFOs", personas=("cfo",))
    make_asset(marketer, "For CIOs", personas=("cio",))

    page = client_as("rep").get("/library?persona=cfo").text

    assert card_titles(page) == ["For CFOs"]
    assert "No matching assets for Decision yet." in page
    # On a phone the filters fold under a button, open while one is chosen.
    assert '<details class="filter-details" open><summary>Filters (on)</summary>' in page
    assert '<details class="filter-details"><summary' in client_as("rep").get("/library").text


def test_library_pages_require_sign_in(client, marketer):
    asset = make_asset(marketer, file=("brief.pdf", pdf_bytes()))

    for url in ("/library", "/assets", f"/assets/{asset.id}", f"/assets/{asset.id}/file"):
        response = client.get(url)

        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url


# ---- the list ------------------------------------------------------------------------------


def test_list_is_paginated(client_as, marketer):
    for n in range(7):
        make_asset(marketer, f"Asset {n}")
    rep = client_as("rep")

    first = rep.get("/assets?sort=title").text
    second = rep.get("/assets?sort=title&page=2").text

    assert card_titles(first) == [f"Asset {n}" for n in range(5)]
    assert card_titles(second) == ["Asset 5", "Asset 6"]
    assert "7 assets" in first
    assert "Page 1 of 2" in first
    assert 'rel="next"' in first
    assert "Page 2 of 2" in second
    assert 'rel="prev"' in second
    assert 'href="/assets?sort=title&amp;page=2" rel="next"' in first


def test_list_sorts_newest_first_or_by_title_ignoring_case(client_as, marketer):
    for title in ("banana", "Apple", "cherry"):
        make_asset(marketer, title)
    rep = client_as("rep")

    newest = rep.get("/assets").text
    by_title = rep.get("/assets?sort=title").text

    assert card_titles(newest) == ["cherry", "Apple", "banana"]
    assert card_titles(by_title) == ["Apple", "banana", "cherry"]


def test_list_filters_combine(client_as, marketer):
    make_asset(marketer, "Retail ROI", industries=("retail",), tags=("roi",))
    make_asset(marketer, "Retail security", industries=("retail",), tags=("security",))
    make_asset(marketer, "Bank ROI", industries=("financial-services",), tags=("roi",))

    page = client_as("rep").get("/assets?industry=retail&tag=roi").text

    assert card_titles(page) == ["Retail ROI"]
    assert "1 asset<" in page


def test_list_filters_by_each_slug(client_as, marketer):
    make_asset(
        marketer,
        "Match",
        stages=("decision",),
        personas=("cfo",),
        industries=("retail",),
        content_type="case-study",
        tags=("competitive",),
    )
    make_asset(marketer, "Other")
    rep = client_as("rep")

    for query in (
        "stage=decision",
        "persona=cfo",
        "industry=retail",
        "content_type=case-study",
        "tag=competitive",
    ):
        assert card_titles(rep.get(f"/assets?{query}").text) == ["Match"], query


def test_unknown_filter_slug_is_explained(client_as, marketer):
    make_asset(marketer, "Anything")

    page = client_as("rep").get("/assets?persona=astronaut")

    assert page.status_code == 200
    assert "There is no persona called “astronaut”." in flashes(page.text)


def test_empty_list_says_what_to_do_next(client_as):
    page = client_as("rep").get("/assets?tag=roi").text

    assert "No assets match these filters." in page
    assert "Clear the filters" in page


def test_page_past_the_end_is_empty_not_an_error(client_as, marketer):
    make_asset(marketer, "Only one")

    page = client_as("rep").get("/assets?page=5")

    assert page.status_code == 200
    assert card_titles(page.text) == []
    assert 'href="/assets"' in page.text


def test_bad_page_number_is_a_clear_4xx(client_as):
    rep = client_as("rep")

    for page in ("abc", "0", "-1", "1.5", "99999999999999999999"):
        response = rep.get(f"/assets?page={page}")

        assert response.status_code == 422, page
        assert "Page must be a whole number from 1 to 100,000." in response.text


def test_only_authors_can_list_drafts(client_as, marketer):
    make_asset(marketer, "My draft", publish=False)

    as_rep = client_as("rep").get("/assets?status=draft").text
    as_author = client_as("marketer").get("/assets?status=draft").text

    assert "Choose live or all." in flashes(as_rep)
    assert "My draft" not in as_rep
    assert card_titles(as_author) == ["My draft"]


# ---- an asset's page -----------------------------------------------------------------------


def test_asset_page_shows_rendered_body_and_metadata(client_as, marketer):
    asset = make_asset(
        marketer,
        "Acme case study",
        summary="How Acme cut onboarding time.",
        body="## Results\n\nOnboarding in **3 days**.",
        stages=("decision", "onboarding"),
        personas=("cfo",),
        industries=("retail",),
        content_type="case-study",
        tags=("customer-story",),
    )

    page = client_as("rep").get(f"/assets/{asset.id}").text

    assert "<h1>Acme case study</h1>" in page
    assert "How Acme cut onboarding time." in page
    assert "<h2>Results</h2>" in page
    assert "<strong>3 days</strong>" in page
    for label in ("Decision", "Onboarding", "CFO", "Retail", "Case Study", "Customer Story"):
        assert f">{label}<" in page
    assert "Morgan Marketer" in page


def test_rep_does_not_see_authoring_controls_or_revisions(client_as, marketer):
    asset = make_asset(marketer)

    page = client_as("rep").get(f"/assets/{asset.id}").text

    assert f"/assets/{asset.id}/edit" not in page
    assert "Revisions" not in page
    assert 'name="action"' not in page


def action_bar(page: str) -> list[str]:
    """The asset page's actions (the bar fixed to the bottom of a phone's screen), in order."""
    bar = page.split('<nav class="asset-actions" aria-label="Asset actions">')[1].split("</nav>")[0]
    return re.findall(r'data-action="([\w-]+)"', bar)


def more_actions(page: str) -> str:
    """The folded "More actions" part of the asset page, or "" when it has none."""
    found = re.search(r'<details class="more-actions">(.*?)</details>', page, re.S)
    return found.group(1) if found else ""


@SQLITE_ONLY
def test_the_asset_page_offers_each_person_only_the_actions_they_may_take(client_as, users):
    asset = make_asset(users["marketer"], "Pricing deck", file=("deck.pdf", pdf_bytes("Prices")))

    as_rep = client_as("rep").get(f"/assets/{asset.id}").text
    as_owner = client_as("marketer").get(f"/assets/{asset.id}").text
    as_leader = client_as("leader").get(f"/assets/{asset.id}").text

    assert action_bar(as_rep) == ["open", "share", "use-in-deal", "rate"]
    assert action_bar(as_owner) == ["open", "share", "edit"]  # nobody rates their own work
    assert action_bar(as_leader) == ["open", "share", "rate"]
    # Each entry leads somewhere on the page (or to the file).
    for anchor in ("#share", "#deal-usage", "#ratings"):
        assert f'href="{anchor}"' in as_rep
        assert f'id="{anchor[1:]}"' in as_rep
    assert f'href="/assets/{asset.id}/file?revision=1&amp;inline=1"' in as_rep
    # Archiving is there for the owner, folded under "More actions", never beside Edit.
    assert 'name="action" value="archive"' in more_actions(as_owner)
    assert as_owner.count('value="archive"') == 1
    assert 'class="transition-form"' not in as_owner  # archive was its only workflow step
    assert more_actions(as_rep) == ""
    assert more_actions(as_leader) == ""


@SQLITE_ONLY
def test_a_draft_offers_its_author_edit_and_the_next_step_but_no_sharing(client_as, marketer):
    draft = make_asset(marketer, "Draft deck", publish=False)
    invite_reviewers(draft, marketer)
    archived = make_asset(marketer, "Retired deck")
    transition(archived, marketer, "archive")
    db.session.commit()

    page = client_as("marketer").get(f"/assets/{draft.id}").text
    retired = client_as("admin").get(f"/assets/{archived.id}").text

    assert action_bar(page) == ["edit"]
    assert 'value="submit"' in page.split('class="transition-form"')[1]
    assert more_actions(page) == ""
    assert 'class="asset-actions"' not in retired  # nothing to open, share, rate or edit
    assert 'value="restore"' in retired.split('class="transition-form"')[1]


def test_draft_is_not_found_for_a_rep(client_as, marketer):
    asset = make_asset(marketer, "Secret draft", publish=False)

    response = client_as("rep").get(f"/assets/{asset.id}")

    assert response.status_code == 404
    assert "Secret draft" not in response.text


def test_unknown_or_out_of_range_id_is_404(client_as):
    rep = client_as("rep")

    for asset_id in ("99999999999999999999", "2147483648", "0", "424242"):
        response = rep.get(f"/assets/{asset_id}")

        assert response.status_code == 404, asset_id
        assert "Not found" in response.text


def test_xss_in_a_body_never_reaches_the_page(client_as, marketer):
    body = (
        "Hi <script>alert('x')</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3))"
    )
    asset = make_asset(marketer, "Sneaky", body=body)

    page = client_as("rep").get(f"/assets/{asset.id}").text

    assert "alert" not in page
    assert "onerror" not in page
    assert "javascript:" not in page


def test_html_in_title_and_summary_is_escaped_on_page_and_board(client_as, marketer):
    asset = make_asset(marketer, "<b>Bold</b> title", summary="<script>x()</script>")
    rep = client_as("rep")

    for page in (rep.get(f"/assets/{asset.id}").text, rep.get("/library").text):
        assert "&lt;b&gt;Bold&lt;/b&gt; title" in page
        assert "<script>x()" not in page
