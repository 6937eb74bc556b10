"""Before a call, a rep searches from the nav bar, narrows to the deal's stage and opens
the best hit."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import SQLITE_ONLY, make_asset
from tests.search.helpers import index_now

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def test_rep_searches_narrows_by_stage_and_opens_the_first_hit(page_signed_in, users):
    marketer = users["marketer"]
    make_asset(
        marketer,
        "CFO ROI one-pager",
        stages=("decision",),
        personas=("cfo",),
        summary="The ROI case for finance: payback in six months.",
    )
    make_asset(marketer, "ROI calculator workbook", stages=("consideration",))
    make_asset(marketer, "ROI primer", stages=("awareness", "consideration"))
    make_asset(marketer, "ROI draft for the CFO", stages=("decision",), publish=False)
    index_now()

    rep = page_signed_in(users["rep"])
    search_box = rep.get_by_role("navigation", name="Main").get_by_role(
        "combobox", name="Search the library"
    )
    search_box.fill("roi")
    search_box.press("Enter")

    expect(rep).to_have_url(re.compile(r"/search\?q=roi$"))
    expect(rep.get_by_role("status").filter(has_text="results for")).to_have_text(
        "3 results for “roi”"
    )
    results = rep.get_by_role("region", name="Results")
    expect(results.get_by_role("article")).to_have_count(3)
    expect(results.locator("mark").first).to_have_text(re.compile("roi", re.I))

    facets = rep.get_by_role("complementary", name="Narrow the results")
    facets.get_by_role("link", name="Decision (1)").click()

    expect(rep).to_have_url(re.compile(r"/search\?q=roi&stage=decision$"))
    expect(rep.get_by_role("status").filter(has_text="result for")).to_have_text(
        "1 result for “roi”"
    )
    expect(facets.get_by_role("link", name="Decision (1) ✕")).to_have_attribute(
        "aria-current", "true"
    )
    results.get_by_role("article").first.get_by_role("link").click()

    expect(rep.get_by_role("heading", name="CFO ROI one-pager", level=1)).to_be_visible()
    expect(rep).to_have_url(re.compile(r"/assets/\d+$"))


def test_rep_mistypes_a_query_sees_the_corrected_results_and_opens_one(page_signed_in, users):
    marketer = users["marketer"]
    make_asset(
        marketer,
        "Sales and marketing alignment",
        body="Shared goals, one funnel, weekly reviews.",
    )
    make_asset(marketer, "Security whitepaper")
    index_now()

    rep = page_signed_in(users["rep"])
    search_box = rep.get_by_role("navigation", name="Main").get_by_role(
        "combobox", name="Search the library"
    )
    search_box.fill("aligment")
    search_box.press("Enter")

    expect(rep.locator("p.correction")).to_have_text(
        "Showing results for alignment. Search instead for aligment"
    )
    expect(rep.get_by_role("status").filter(has_text="result for")).to_have_text(
        "1 result for “alignment”"
    )
    results = rep.get_by_role("region", name="Results")
    expect(results.get_by_role("article")).to_have_count(1)
    results.get_by_role("article").first.get_by_role("link").click()

    expect(
        rep.get_by_role("heading", name="Sales and marketing alignment", level=1)
    ).to_be_visible()
    rep.go_back()
    rep.get_by_role("link", name="aligment").click()

    expect(rep).to_have_url(re.compile(r"as_typed=1"))
    expect(rep.get_by_role("status").filter(has_text="results for")).to_have_text(
        "0 results for “aligment”"
    )
