"""A marketer opens the campaign-results report from the reports dashboard, where the
content-consumption headline leads, and follows a campaign to its page to see what it
produced: its asset's use, the deal won with it, and who read the brief against who used
the asset."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from content.deals.models import Deal
from content.usage.events import record_verified
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from portal.kernel.reporting import local_today
from tests.factories import SQLITE_ONLY, make_asset
from workflows.campaigns.models import Campaign, CampaignRead

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def test_marketer_follows_a_campaign_from_the_report_to_its_results(page_signed_in, users):
    rep, marketer = users["rep"], users["marketer"]
    asset = make_asset(marketer, "Month-end ROI calculator")
    today = local_today()
    campaign = Campaign(
        name="Close faster in Q2", starts_on=today - timedelta(days=10), ends_on=today,
        key_messages="Six days faster.", status="published", owner=marketer,
        published_at=utcnow(), assets=[asset],
    )  # fmt: skip
    deal = Deal(
        name="Acme rollout", account="Acme", owner=rep, status="won", amount_cents=1_250_000
    )
    db.session.add_all([campaign, deal])
    db.session.flush()
    db.session.add(CampaignRead(campaign_id=campaign.id, user_id=rep.id))
    record_verified("share", asset.id, rep.id, deal_id=deal.id)
    db.session.commit()

    page = page_signed_in(marketer, "/reports")
    headline = page.get_by_role("region", name="Content consumption")
    expect(headline.get_by_text("1 of 1 active reps")).to_be_visible()
    page.get_by_role("link", name="Campaign results").click()
    row = page.get_by_role("row", name="Close faster in Q2")
    expect(row).to_contain_text("$12,500")
    row.get_by_role("link", name="Open").click()

    results = page.get_by_role("region", name="Results")
    expect(results.locator('[data-figure="uses"]')).to_have_text("1")
    expect(results.locator('[data-figure="won"]')).to_have_text("1 · $12,500")
    expect(results.get_by_role("table", name="Use of each asset")).to_contain_text(
        "Month-end ROI calculator"
    )
    expect(results.get_by_text("Read the brief and used its assets (1): Riley Rep")).to_be_visible()
    expect(results.get_by_text("Leaders and admins see which.")).to_be_visible()
