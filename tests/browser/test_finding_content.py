"""A rep narrows the library with the filter bar and pages through the asset list."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import open_nav
from tests.factories import SQLITE_ONLY, make_asset

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def card_titles(page) -> list[str]:
    return page.get_by_role("article").get_by_role("heading", level=3).all_inner_texts()


def test_rep_filters_board_by_persona_and_content_type(page_signed_in, users):
    marketer = users["marketer"]
    make_asset(marketer, "CFO payback case study", personas=("cfo",), content_type="case-study")
    make_asset(marketer, "CFO pricing one-pager", personas=("cfo",), content_type="one-pager")
    make_asset(marketer, "CIO security case study", personas=("cio",), content_type="case-study")
    make_asset(
        marketer,
        "CFO draft case study",
        personas=("cfo",),
        content_type="case-study",
        publish=False,
    )

    rep = page_signed_in(users["rep"])
    expect(rep.get_by_role("heading", level=3)).to_have_count(3)
    filters = rep.get_by_role("search", name="Filter assets")
    filters.get_by_label("Persona").select_option("CFO")
    filters.get_by_label("Content type").select_option("Case Study")
    filters.get_by_role("button", name="Apply filters").click()

    expect(rep).to_have_url(re.compile(r"/library\?.*persona=cfo&.*content_type=case-study"))
    expect(rep.get_by_role("heading", level=3)).to_have_count(1)
    assert card_titles(rep) == ["CFO payback case study"]
    expect(filters.get_by_label("Persona")).to_have_value("cfo")
    expect(filters.get_by_role("button", name="Clear")).to_be_visible()


def test_rep_pages_through_all_assets(page_signed_in, users):
    for number in range(1, 8):
        make_asset(users["marketer"], f"Battlecard {number:02d}", content_type="battlecard")

    rep = page_signed_in(users["rep"])
    open_nav(rep, "Library").get_by_role("link", name="All assets").click()
    expect(rep.get_by_role("status").filter(has_text="7 assets")).to_be_visible()
    expect(rep.get_by_role("article")).to_have_count(5)
    pager = rep.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text("Page 1 of 2")

    pager.get_by_role("link", name="Next").click()

    expect(rep).to_have_url("/assets?page=2")
    expect(pager).to_contain_text("Page 2 of 2")
    # Newest first: the two oldest are on the second page.
    assert card_titles(rep) == ["Battlecard 02", "Battlecard 01"]
    expect(pager.get_by_role("link", name="Next")).to_have_count(0)
    expect(pager.get_by_role("link", name="Previous")).to_be_visible()
