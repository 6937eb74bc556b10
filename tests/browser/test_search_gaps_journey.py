"""A rep searches for something the library does not answer; a marketer finds the query
on Search gaps and turns it into a content request that carries it."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import SQLITE_ONLY, make_asset

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def test_an_unanswered_search_becomes_a_content_request(page_signed_in, users):
    make_asset(users["marketer"], "Pricing one-pager")
    rep = page_signed_in(users["rep"], "/library")
    rep.get_by_role("combobox", name="Search the library").fill("Spendora  battlecard")
    rep.get_by_role("combobox", name="Search the library").press("Enter")
    expect(rep.get_by_role("status")).to_have_text(re.compile("0 results"))

    marketer = page_signed_in(users["marketer"], "/reports")
    marketer.get_by_role("link", name="Search gaps").click()
    expect(marketer.get_by_role("heading", name="Search gaps", level=1)).to_be_visible()
    row = marketer.get_by_role("row", name=re.compile("spendora battlecard"))
    expect(row.get_by_role("cell", name="rep", exact=True)).to_be_visible()
    row.get_by_role("link", name="Create a content request").click()

    expect(marketer.get_by_label("What do you need, and why?")).to_have_value("spendora battlecard")
    marketer.get_by_label("Buyer stage").select_option(label="Decision")
    marketer.get_by_role("button", name="Send to marketing").click()

    expect(marketer.get_by_role("status")).to_have_text("Request sent to marketing.")
    expect(marketer.get_by_role("heading", level=1)).to_contain_text("spendora battlecard")
