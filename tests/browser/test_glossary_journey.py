"""A marketer proposes "MQL"; the sales leader and then the marketing leader sign it off
and it is agreed; a rep reading an asset that mentions MQLs finds the term linked there;
an edit returns the term to proposed."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import POSTGRES_ONLY, make_asset, make_user

pytestmark = [pytest.mark.browser, POSTGRES_ONLY]

DEFINITION = "A lead marketing judges **ready for sales**: right profile, real intent."


def test_a_term_is_proposed_signed_by_both_teams_linked_and_reopened_by_an_edit(
    page_signed_in, users
):
    marketing_leader = make_user(
        "leader", "mo.lead@example.com", "Mo Marketing-Lead", department="marketing"
    )
    asset = make_asset(
        users["marketer"], "Turning MQLs into pipeline", body="How sales follows up an MQL."
    )

    marketer = page_signed_in(users["marketer"], "/glossary")
    expect(marketer.get_by_text("No term is agreed yet.")).to_be_visible()
    marketer.get_by_role("button", name="Propose a term").click()
    marketer.get_by_label("Term").fill("MQL")
    marketer.get_by_label("Other names").fill("Marketing qualified lead")
    marketer.get_by_label("Definition").fill(DEFINITION)
    marketer.get_by_role("button", name="Propose term").click()

    expect(marketer.get_by_role("status")).to_contain_text("“MQL” is proposed.")
    expect(marketer.get_by_role("heading", name="MQL", level=1)).to_be_visible()
    expect(marketer.locator(".badge-term-proposed")).to_have_text("Proposed")
    term_url = marketer.url
    assert re.search(r"/glossary/\d+$", term_url)

    sales = page_signed_in(users["leader"], term_url)
    expect(sales.get_by_text("Sales: waiting for a sales leader")).to_be_visible()
    sales.get_by_role("button", name="Sign for sales").click()
    expect(sales.get_by_role("status")).to_have_text("Signed for sales. Waiting for marketing.")
    expect(sales.get_by_role("button", name=re.compile("Sign for"))).to_have_count(0)

    marketing = page_signed_in(marketing_leader, term_url)
    expect(marketing.get_by_text("Sales: signed by Lee Leader")).to_be_visible()
    marketing.get_by_role("button", name="Sign for marketing").click()
    expect(marketing.get_by_role("status")).to_contain_text("is now agreed by both teams")
    expect(marketing.locator(".badge-term-agreed")).to_have_text("Agreed")

    rep = page_signed_in(users["rep"], f"/assets/{asset.id}")
    terms = rep.get_by_role("region", name="Terms used here")
    expect(terms).to_contain_text("A lead marketing judges ready for sales")
    terms.get_by_role("link", name="MQL").click()
    expect(rep).to_have_url(term_url)
    expect(rep.locator(".badge-term-agreed")).to_have_text("Agreed")

    marketer.goto(term_url)
    marketer.get_by_role("button", name="Edit").click()
    marketer.get_by_label("Definition").fill(DEFINITION + " Scored 50 or more.")
    marketer.get_by_label("What changed and why").fill("Add the score threshold")
    marketer.get_by_role("button", name="Save new version").click()

    expect(marketer.get_by_role("status")).to_contain_text("Saved as version 2.")
    expect(marketer.locator(".badge-term-proposed")).to_have_text("Proposed")
    expect(marketer.get_by_text("Sales: waiting for a sales leader")).to_be_visible()
    history = marketer.get_by_role("region", name="History")
    expect(history).to_contain_text("Add the score threshold")
    expect(history).to_contain_text("Signed by Lee Leader (sales")

    rep.goto(f"/assets/{asset.id}")
    expect(rep.get_by_role("region", name="Terms used here")).to_have_count(0)
