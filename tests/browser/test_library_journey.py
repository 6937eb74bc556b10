"""A marketer publishes an asset and a rep finds it by buyer stage, reads it, downloads it.

Publishing goes through review: the marketer invites a sales and a marketing reviewer and
submits; both approve (here through the services, as their own pages would); then the
marketer publishes."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from content.library.models import Asset
from portal.kernel.extensions import db
from tests.browser.helpers import choose
from tests.factories import POSTGRES_ONLY, pdf_bytes, reviewers
from workflows.review.machine import transition

pytestmark = [pytest.mark.browser, POSTGRES_ONLY]

BODY = "## Why finance teams switch\n\nPayback in **under six months**, audited by KPMG."


def open_new_asset_form(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New asset").click()
    expect(page.get_by_role("heading", name="New asset", level=1)).to_be_visible()


def asset_count() -> int:
    db.session.rollback()  # read what the server committed, not a stale snapshot
    return db.session.scalar(select(func.count(Asset.id)))


def invite_reviewer(page: Page, reviewer) -> None:
    page.get_by_label("Invite by email").fill(reviewer.email)
    page.get_by_label("as", exact=True).select_option("Reviewer")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"{reviewer.name} is now a reviewer")


def approve_as(approvers: list) -> None:
    """The reviewers approve the only asset, in the test's own session, and it is committed."""
    db.session.rollback()  # read what the server committed, not a stale snapshot
    asset = db.session.scalar(select(Asset))
    for reviewer in approvers:
        transition(asset, reviewer, "approve")
    db.session.commit()


def test_marketer_publishes_and_rep_downloads_from_decision_stage(page_as, users, tmp_path):
    sign_off_by = reviewers()
    pdf = tmp_path / "roi-case-study.pdf"
    pdf.write_bytes(pdf_bytes("ROI case study"))

    marketer = page_as(users["marketer"])
    open_new_asset_form(marketer)
    marketer.get_by_label("Title").fill("Acme ROI case study")
    marketer.get_by_label("Summary").fill("How Acme paid back in five months.")
    marketer.get_by_label("Body (Markdown)").fill(BODY)
    choose(marketer, "Buyer stages", "Decision")
    marketer.get_by_label("Content type").select_option("Case Study")
    marketer.get_by_label("File", exact=True).set_input_files(pdf)
    marketer.get_by_role("button", name="Save draft").click()

    expect(marketer.get_by_role("status")).to_contain_text("Draft saved")
    expect(marketer.get_by_role("heading", name="Acme ROI case study", level=1)).to_be_visible()
    expect(marketer.get_by_role("button", name="Publish")).to_have_count(0)  # review first
    for reviewer in sign_off_by:
        invite_reviewer(marketer, reviewer)
    marketer.get_by_role("button", name="Submit for review").click()
    expect(marketer.get_by_role("status")).to_contain_text("Submitted for review")
    expect(marketer.get_by_text("In review", exact=True)).to_be_visible()
    approve_as(sign_off_by)
    marketer.reload()
    expect(marketer.get_by_text("Approved", exact=True)).to_be_visible()
    marketer.get_by_role("button", name="Publish").click()
    expect(marketer.get_by_role("status")).to_contain_text("Published. Reps now see")
    expect(marketer.get_by_role("button", name="Publish")).to_have_count(0)

    rep = page_as(users["rep"])
    decision = rep.get_by_role("region", name=re.compile(r"^Decision\b"))
    expect(
        decision.get_by_role("heading", name=re.compile(r"^Decision\b"), level=2)
    ).to_be_visible()
    expect(rep.get_by_role("region", name=re.compile(r"^Awareness\b"))).not_to_contain_text(
        "Acme ROI case study"
    )
    decision.get_by_role("link", name="Acme ROI case study").click()

    expect(rep.get_by_role("heading", name="Acme ROI case study", level=1)).to_be_visible()
    expect(rep.get_by_role("heading", name="Why finance teams switch")).to_be_visible()
    expect(rep.locator(".markdown strong")).to_have_text("under six months")
    expect(rep.get_by_text("## Why finance teams switch")).to_have_count(0)
    expect(rep.get_by_role("button", name="Publish")).to_have_count(0)

    with rep.expect_download() as download_info:
        rep.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename == "roi-case-study.pdf"
    with open(download.path(), "rb") as saved:
        received = saved.read()
    assert received.startswith(b"%PDF")
    assert received == pdf.read_bytes()
    assert asset_count() == 1
