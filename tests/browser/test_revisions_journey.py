"""Editing a live asset: reps keep the live text until the new revision is reviewed and
published."""

import pytest
from playwright.sync_api import expect

from content.library.models import Asset
from portal.kernel.extensions import db
from tests.factories import POSTGRES_ONLY, make_asset, reviewers
from workflows.review.machine import transition

pytestmark = [pytest.mark.browser, POSTGRES_ONLY]

OLD_BODY = "Our onboarding takes two weeks with a named engineer."
NEW_BODY = "Our onboarding takes five days with a named engineer."


def test_rep_sees_live_text_until_new_revision_is_published(page_signed_in, users):
    asset = make_asset(users["marketer"], "Onboarding plan", stages=("onboarding",), body=OLD_BODY)
    asset_url = f"/assets/{asset.id}"

    marketer = page_signed_in(users["marketer"], asset_url)
    marketer.get_by_role("button", name="Edit").click()
    marketer.get_by_label("Body (Markdown)").fill(NEW_BODY)
    marketer.get_by_label("What changed").fill("Faster onboarding")
    marketer.get_by_role("button", name="Save revision").click()
    expect(marketer.get_by_role("status")).to_have_text("Saved as revision 2.")
    expect(marketer.get_by_text(NEW_BODY)).to_be_visible()

    rep = page_signed_in(users["rep"], asset_url)
    expect(rep.get_by_text(OLD_BODY)).to_be_visible()
    expect(rep.get_by_text(NEW_BODY)).to_have_count(0)

    # The reviewers who signed off revision 1 are still invited: submit, they approve.
    marketer.get_by_role("button", name="Submit for review").click()
    expect(marketer.get_by_role("status")).to_contain_text("Submitted for review")
    db.session.rollback()  # read what the server committed, not a stale snapshot
    for reviewer in reviewers():
        transition(db.session.get(Asset, asset.id), reviewer, "approve")
    db.session.commit()
    rep.reload()
    expect(rep.get_by_text(NEW_BODY)).to_have_count(0)  # approved is not yet published
    marketer.reload()
    marketer.get_by_role("button", name="Publish").click()
    expect(marketer.get_by_role("status")).to_contain_text("Published")

    rep.reload()
    expect(rep.get_by_text(NEW_BODY)).to_be_visible()
    expect(rep.get_by_text(OLD_BODY)).to_have_count(0)

    marketer.get_by_label("Compare").select_option("Revision 1")
    marketer.get_by_label("with").select_option("Revision 2")
    marketer.get_by_role("button", name="Show changes").click()

    expect(marketer.get_by_role("heading", name="Revision 1 → revision 2")).to_be_visible()
    body = marketer.get_by_role("region", name="Body")
    expect(body.get_by_role("deletion").first).to_be_visible()
    # Words are diffed one by one, so "two weeks" may come back as two marked words.
    assert " ".join(body.get_by_role("deletion").all_inner_texts()) == "two weeks"
    assert " ".join(body.get_by_role("insertion").all_inner_texts()) == "five days"
    expect(body).to_contain_text("with a named engineer.")
