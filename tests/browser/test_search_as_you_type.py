"""Search as you type: a rep types two letters in the search box, picks a suggested title
with the keyboard and lands on the asset; Escape closes the list and Enter then searches
the words typed."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import SQLITE_ONLY, make_asset

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def test_a_rep_picks_a_suggestion_with_the_keyboard(page_signed_in, users):
    asset = make_asset(users["marketer"], "Pricing one-pager")
    make_asset(users["marketer"], "Pricing draft", publish=False)
    rep = page_signed_in(users["rep"], "/library")
    box = rep.get_by_role("navigation", name="Main").get_by_role(
        "combobox", name="Search the library"
    )
    suggestions = rep.get_by_role("listbox", name="Suggestions")

    box.press_sequentially("p")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially("r")
    expect(suggestions.get_by_role("option")).to_have_count(1)
    expect(suggestions.get_by_role("option").first).to_contain_text("Pricing one-pager")
    expect(box).to_have_attribute("aria-expanded", "true")

    box.press("ArrowDown")
    option = suggestions.get_by_role("option", name=re.compile("Pricing one-pager"))
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"search-suggestions-\d+-0"))
    box.press("Enter")

    expect(rep).to_have_url(re.compile(rf"/assets/{asset.id}$"))
    expect(rep.get_by_role("heading", name="Pricing one-pager", level=1)).to_be_visible()


def test_escape_closes_the_list_and_enter_searches_the_words(page_signed_in, users):
    make_asset(users["marketer"], "Pricing one-pager")
    rep = page_signed_in(users["rep"], "/library")
    box = rep.get_by_role("combobox", name="Search the library")
    suggestions = rep.get_by_role("listbox", name="Suggestions")

    box.press_sequentially("pri")
    expect(suggestions.get_by_role("option")).to_have_count(1)
    box.press("Escape")
    expect(suggestions).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("Enter")

    expect(rep).to_have_url(re.compile(r"/search\?q=pri$"))
