"""Campaign results: each campaign's figures (use of its assets within its dates, the
deals that used them and how they stand, buyer opens, readers, feedback) equal the ones
recomputed from the raw rows on both databases; the campaign's page shows them to
marketing and leaders only; the report compares the period's campaigns as a page, a CSV
file and JSON."""

import csv
import io
from datetime import timedelta

import pytest

from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.reporting import Sort
from portal.reports.campaign_results import COLUMNS
from portal.reports.queries.campaign_results import campaign_results as report_rows
from tests.factories import login
from tests.reports import recompute_consumption
from tests.reports.recompute import Raw, filters_for
from tests.reports.seed_campaigns import Campaigns, add_campaigns
from workflows.campaigns.models import Campaign
from workflows.campaigns.results import campaign_figures, campaign_results

FIGURES = (
    "assets", "views", "uses", "shares", "buyer_opens", "reps_using", "deals", "won", "lost",
    "open", "won_cents", "open_cents", "readers", "feedback", "feedback_by_kind",
)  # fmt: skip


@pytest.fixture(scope="module")
def campaigns(seeded) -> Campaigns:
    return add_campaigns(seeded.world)


@pytest.fixture(scope="module")
def raw(campaigns) -> Raw:
    return Raw.load()


def test_every_campaigns_figures_equal_the_ones_recomputed_from_the_raw_rows(campaigns, raw):
    listed = [db.session.get_one(Campaign, campaign_id) for campaign_id in campaigns.ids.values()]

    found = campaign_figures(listed)

    for key, campaign_id in campaigns.ids.items():
        expected = recompute_consumption.campaign(raw, campaign_id)
        assert {name: getattr(found[campaign_id], name) for name in FIGURES} == {
            name: expected[name] for name in FIGURES
        }, key
    push = found[campaigns.ids["push"]]
    assert push.uses > 0
    assert push.deals > 0
    assert push.readers == 2  # Max read it too, but his account is deactivated
    assert push.feedback_by_kind == {"objection": 2, "competitor": 1}


def test_one_campaigns_results_list_its_assets_deals_and_reps(campaigns, raw):
    campaign = db.session.get_one(Campaign, campaigns.ids["push"])
    expected = recompute_consumption.campaign(raw, campaign.id)

    results = campaign_results(campaign)

    assert sorted(a.asset_id for a in results.assets) == sorted(a.id for a in campaign.assets)
    assert sum(a.uses for a in results.assets) == expected["uses"]
    assert sum(a.buyer_opens for a in results.assets) == expected["buyer_opens"]
    assert results.room_opens == 1
    statuses = [deal.status for deal in results.deals]
    assert len(statuses) == expected["deals"]
    assert statuses == sorted(statuses, key=["won", "open", "lost"].index)
    users = {raw.users[user_id].name for user_id in expected["used_by"]}
    reps = results.reps
    assert users
    assert set(reps.read_and_used) | set(reps.used_unread) == users
    assert set(reps.read_and_used) | set(reps.read_only) == {"Riley", "Ana"}


def test_the_report_compares_the_periods_published_campaigns(world, campaigns, raw):
    filters = filters_for(world, days=90)

    page = report_rows(filters, Sort("uses"), 1, 50)

    by_name = {row.campaign: row for row in page.items}
    assert set(by_name) == {"Campaign push", "Campaign wave"}  # no draft, none long over
    for key in ("push", "wave"):
        expected = recompute_consumption.campaign(raw, campaigns.ids[key])
        row = by_name[f"Campaign {key}"]
        assert (row.uses, row.deals, row.won, row.won_cents, row.readers) == (
            expected["uses"], expected["deals"], expected["won"], expected["won_cents"],
            expected["readers"],
        )  # fmt: skip
        closed = expected["won"] + expected["lost"]
        assert row.win_rate == (expected["won"] / closed if closed else None)
    uses = [row.uses for row in page.items]
    assert uses == sorted(uses, reverse=True)
    ascending = report_rows(filters, Sort("campaign", descending=False), 1, 1)
    assert (ascending.total, [row.campaign for row in ascending.items]) == (2, ["Campaign push"])


def test_the_report_page_csv_and_json_agree(reader, world, campaigns):
    first = world.today - timedelta(days=89)
    url = f"/reports/campaign-results?from={first}&to={world.today}&sort=campaign&dir=asc"

    page = reader.get(url)
    download = reader.get(url + "&format=csv")
    api = reader.application.test_client().get(
        url.replace("/reports/", "/api/v1/reports/"), headers=reader.token_headers
    )

    assert page.status_code == download.status_code == api.status_code == 200
    lines = list(csv.reader(io.StringIO(download.text)))
    assert lines[0] == [column.label for column in COLUMNS]
    assert [line[0] for line in lines[1:]] == ["Campaign push", "Campaign wave"]
    items = api.json["items"]
    assert [item["campaign"] for item in items] == ["Campaign push", "Campaign wave"]
    assert [int(line[7]) for line in lines[1:]] == [item["uses"] for item in items]
    assert f'href="/campaigns/{campaigns.ids["push"]}"' in page.text
    empty = reader.get("/reports/campaign-results?from=2001-01-01&to=2001-01-31")
    assert "No published campaign ran in this period." in empty.text


def test_the_campaign_page_shows_results_to_marketing_and_leaders_only(seeded, campaigns):
    world, path = seeded.world, f"/campaigns/{campaigns.ids['push']}"
    campaign = db.session.get_one(Campaign, campaigns.ids["push"])
    figures = campaign_figures([campaign])[campaign.id]
    pages = {}
    for key in ("priya", "dana", "kim"):
        person = db.session.get_one(User, world.people[key])
        pages[key] = login(seeded.app.test_client(), person).get(path).text

    assert 'id="results-heading"' in pages["priya"]
    assert f'data-figure="uses">{figures.uses:,}</dd>' in pages["priya"]
    assert f'data-figure="deals">{figures.deals}</dd>' in pages["dana"]
    assert 'aria-label="Deals that used its assets"' in pages["dana"]  # leaders read deals
    assert 'aria-label="Deals that used its assets"' not in pages["priya"]
    assert "Leaders and admins see which." in pages["priya"]
    assert 'id="results-heading"' not in pages["kim"]  # reps read the brief, not its results
