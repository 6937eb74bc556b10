"""A marketer marks an asset internal only; the rep opening it is told it cannot be
shared with buyers, and finds no share form."""

import pytest
from playwright.sync_api import expect

from tests.factories import SQLITE_ONLY, make_asset

# The journey is the same on both databases; the rules behind it are tested on both.
pytestmark = [
    pytest.mark.browser,
    SQLITE_ONLY,
]


def test_marketer_marks_an_asset_internal_and_the_rep_cannot_share_it(page_signed_in, users):
    asset = make_asset(users["marketer"], "Acme objection handling")
    marketer = page_signed_in(users["marketer"], f"/assets/{asset.id}/edit")

    marketer.get_by_label("Internal only").check()
    marketer.get_by_role("button", name="Save revision").click()
    expect(marketer.get_by_role("status")).to_have_text("Saved as revision 2.")
    expect(marketer.get_by_text("Internal only", exact=True)).to_be_visible()

    rep = page_signed_in(users["rep"], f"/assets/{asset.id}")
    expect(
        rep.get_by_text("This asset is internal only: it cannot be shared with buyers.")
    ).to_be_visible()
    expect(rep.get_by_role("form", name="New share link")).to_have_count(0)
