"""Content consumption: the headline's figures (active reps who used content per evidence
tier, live assets used, the period before and the weekly trend) and the adoption report's
"By team" list equal the ones recomputed from the raw rows, on both databases; the
dashboard shows them, and the list's page, CSV and JSON agree."""

import csv
import io
from dataclasses import asdict
from datetime import timedelta

import pytest

from content.usage.models import UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.reporting import Period, ReportFilters
from portal.reports.queries.consumption import Consumption, consumption_headline, team_consumption
from tests.factories import make_user
from tests.reports import recompute_consumption
from tests.reports.recompute import Raw, filters_for
from tests.reports.seed import at_local
from tests.reports.seed_campaigns import add_campaigns

CASES = {
    "last 30 days": {"days": 30},
    "sales team, a fortnight ending a week ago": {"days": 14, "ends_ago": 7, "team": "sales"},
}


@pytest.fixture(scope="module")
def raw(seeded) -> Raw:
    """The world with campaigns, reads and feedback, and Zoe, a marketing-team rep who
    downloaded an asset two days ago."""
    world = seeded.world
    add_campaigns(world)
    zoe = make_user("rep", "zoe@example.com", "Zoe", department="marketing")
    world.people["zoe"] = zoe.id
    db.session.add(
        UsageEvent(
            asset_id=world.assets["deck"],
            kind="download",
            evidence="verified",
            user_id=zoe.id,
            created_at=at_local(world.today - timedelta(days=2), 16),
        )
    )
    db.session.commit()
    return Raw.load()


def figures(consumption: Consumption) -> dict:
    found = asdict(consumption)
    del found["first_day"]
    return found


@pytest.mark.parametrize("case", CASES)
def test_the_headline_equals_the_figures_recomputed_from_the_raw_rows(world, raw, case):
    filters = filters_for(world, **CASES[case])
    period = filters.period
    before = Period(period.first - timedelta(days=period.days), period.first - timedelta(days=1))

    headline = consumption_headline(filters)

    team = filters.team
    assert figures(headline.current) == recompute_consumption.consumption(raw, period, team)
    assert figures(headline.previous) == recompute_consumption.consumption(raw, before, team)
    weeks = recompute_consumption.weeks(period.last)
    assert [week.first_day for week in headline.trend] == [week.first for week in weeks]
    assert [figures(week) for week in headline.trend] == [
        recompute_consumption.consumption(raw, week, team) for week in weeks
    ]
    now = headline.current
    assert 0 < now.reps_using["any"] <= now.active_reps
    assert now.assets_used < now.live_assets
    assert headline.change("reps") == pytest.approx(now.rep_share() - headline.previous.rep_share())


def test_a_sign_in_makes_a_rep_active_but_not_for_a_deactivated_account(world, raw):
    filters = filters_for(world, days=5)
    lee, noor = (db.session.get(User, world.people[key]) for key in ("lee", "noor"))
    counted = consumption_headline(filters).current.active_reps

    lee.last_login_at = None  # Lee only signed in, three days ago
    db.session.flush()
    without_lee = consumption_headline(filters).current.active_reps
    noor.active = True  # Noor signed in yesterday, but her account is deactivated
    db.session.flush()
    with_noor = consumption_headline(filters).current.active_reps
    db.session.rollback()

    assert counted == recompute_consumption.consumption(raw, filters.period)["active_reps"]
    assert (without_lee, with_noor) == (counted - 1, counted)


def test_the_team_list_equals_the_figures_recomputed_per_team(world, raw):
    filters = filters_for(world, days=30)

    rows = {row.team: row for row in team_consumption(filters)}

    assert set(rows) == {"Sales", "Marketing"}
    for team, row in rows.items():
        expected = recompute_consumption.consumption(raw, filters.period, team.lower())
        using = expected["reps_using"]
        assert (row.active_reps, row.reps_using) == (expected["active_reps"], using["any"])
        assert (row.verified, row.self_reported, row.imported) == (
            using["verified"],
            using["self_reported"],
            using["imported"],
        )
        assert row.using_share == using["any"] / expected["active_reps"]
    only_marketing = team_consumption(filters_for(world, days=30, team="marketing"))
    assert [row.team for row in only_marketing] == ["Marketing"]


def test_the_dashboard_shows_the_headline_with_its_trend(reader, world, raw):
    first = world.today - timedelta(days=29)
    headline = consumption_headline(ReportFilters(Period(first, world.today)))
    now = headline.current

    response = reader.get(f"/reports?from={first}&to={world.today}")

    assert response.status_code == 200
    section = response.text.split('id="consumption-heading"')[1].split("</section>")[0]
    share = f"{now.rep_share() * 100:.0f}%"
    assert f'data-figure="rep-share">{share}</dd>' in section
    assert f"{now.reps_using['any']} of {now.active_reps} active reps" in section
    assert f"{now.assets_used} of {now.live_assets} live assets" in section
    assert section.count('<tr><th scope="row">') == 4 + 8  # the tiers, then eight weeks
    assert "Active reps: rep accounts that are not deactivated" in section


def test_the_team_list_page_csv_and_json_agree(reader, world, raw):
    first = world.today - timedelta(days=29)
    url = f"/reports/rep-adoption?from={first}&to={world.today}&list=teams&sort=team&dir=asc"
    rows = team_consumption(filters_for(world, days=30))

    page = reader.get(url)
    download = reader.get(url + "&format=csv")
    api = reader.application.test_client().get(
        url.replace("/reports/", "/api/v1/reports/"), headers=reader.token_headers
    )

    assert page.status_code == download.status_code == api.status_code == 200
    assert '<th scope="row">Marketing</th>' in page.text
    assert 'aria-current="page">By team</a>' in page.text
    lines = list(csv.reader(io.StringIO(download.text)))
    assert lines[0][:3] == ["Team", "Active reps", "Used content"]
    by_team = {row.team: row for row in rows}
    assert [line[0] for line in lines[1:]] == ["Marketing", "Sales"]
    assert [int(line[1]) for line in lines[1:]] == [
        by_team[t].active_reps for t in ("Marketing", "Sales")
    ]
    assert api.json["list"] == "teams"
    assert [item["reps_using"] for item in api.json["items"]] == [
        by_team[t].reps_using for t in ("Marketing", "Sales")
    ]
    assert api.json["total"] == 2
