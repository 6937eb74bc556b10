"""Report 10, deal stages: the funnel, the time in each stage, the time to win and the
comparison with and without the stage's content equal the figures recomputed from the raw
history rows, for several periods and the team filter; the page (with the funnel
partial), its CSV, the API and the dashboard card show them."""

import csv
import io

import pytest

from portal.kernel.models import utcnow
from portal.kernel.reporting import ReportFilters, Sort, wilson
from portal.reports.deal_stages import content_rows, cycle_rows, funnel_rows, time_rows
from portal.reports.queries.deal_stages import stage_funnel
from portal.reports.queries.stage_times import cycle_overall
from tests.reports import recompute_stages as expected
from tests.reports.recompute import filters_for
from tests.reports.recompute_stages import MIN_DEALS, History, quartiles
from tests.reports.stage_seed import seed_stage_histories

CASES = {
    "last 90 days": {"days": 90},
    "last 30 days": {"days": 30},
    "ended 40 days ago": {"days": 45, "ends_ago": 40},
    "everything": {"days": 200},
    "marketing team (owns no deals)": {"days": 200, "team": "marketing"},
}
EVERYTHING = Sort("position", descending=False)
CLOSE = pytest.approx  # julianday and epoch differences carry a float's rounding


@pytest.fixture(scope="module")
def histories(seeded):
    return seed_stage_histories(seeded.world)


def every(rows_of, filters: ReportFilters, sort: Sort = EVERYTHING) -> list:
    return rows_of(filters, sort, 1, 1000).items


@pytest.mark.parametrize("case", CASES)
def test_the_funnel_equals_the_one_recomputed_from_the_history(world, histories, case):
    filters = filters_for(world, **CASES[case])

    funnel = stage_funnel(filters)

    wanted = expected.funnel(History.load(), filters)
    names = ("reached", "moved_on", "won", "lost", "still_open", "conversion", "interval")
    assert {s.stage_id: {n: getattr(s, n) for n in names} for s in funnel} == wanted
    assert [s.position for s in funnel] == sorted(s.position for s in funnel)
    if "marketing" in case:
        assert not any(s.reached for s in funnel)
        assert every(funnel_rows, filters) == []
    else:
        assert sum(s.moved_on for s in funnel) > 0
        assert 0 < sum(s.won for s in funnel) < sum(s.reached for s in funnel)


@pytest.mark.parametrize("case", ["last 90 days", "everything", "ended 40 days ago"])
def test_time_in_stage_equals_the_quartiles_of_the_raw_stints(world, histories, case):
    filters = filters_for(world, **CASES[case])
    history = History.load()

    rows = every(time_rows, filters)
    now = utcnow()

    stints = expected.stint_days(history, filters)
    current = expected.current(history, filters, now)
    assert rows, "each case has stints"
    for row in rows:
        mine = [d for _deal, stage, d in stints if stage == row.stage_id]
        assert (row.stints, row.low, row.median, row.high) == CLOSE(quartiles(mine), abs=1e-4)
        assert row.now == current[row.stage_id][0]
        assert row.median_so_far == CLOSE(current[row.stage_id][1], abs=0.01)
    assert {row.stage_id for row in rows} == {
        stage for stage, (now_, _) in current.items() if now_
    } | {stage for _deal, stage, _d in stints}
    assert any(row.stints >= 4 for row in rows), "quartiles of more than a handful"


@pytest.mark.parametrize("case", ["last 90 days", "everything"])
def test_time_to_win_equals_the_raw_wins_per_rep_and_overall(world, histories, case):
    filters = filters_for(world, **CASES[case])
    history = History.load()

    rows = every(cycle_rows, filters, Sort("won"))
    overall = cycle_overall(filters)

    won = expected.wins(history, filters)
    by_rep: dict[int, list[float]] = {}
    for deal_id, days in won.items():
        by_rep.setdefault(history.raw.deals[deal_id].owner_id, []).append(days)
    assert {row.user_id: (row.won, row.low, row.median, row.high) for row in rows} == {
        rep: CLOSE(quartiles(days), abs=1e-4) for rep, days in by_rep.items()
    }
    assert [row.won for row in rows] == sorted((row.won for row in rows), reverse=True)
    assert (overall.count, overall.low, overall.median, overall.high) == CLOSE(
        quartiles(list(won.values())), abs=1e-4
    )
    assert overall.count >= 10


def test_with_and_without_the_stages_content_uses_the_influence_rules(world, histories):
    filters = filters_for(world, days=200)
    history = History.load()

    rows = every(content_rows, filters)

    found = expected.entries(history, filters)
    stints = expected.stint_days(history, filters)
    won = expected.wins(history, filters)
    assert rows == sorted(rows, key=lambda row: not row.enough)
    assert {row.enough for row in rows} == {True, False}, "both sides of the minimum"
    for row in rows:
        sides = {
            used: [o for (_d, s), o in found.items() if s == row.stage_id and o["used"] == used]
            for used in (True, False)
        }
        moved = {used: sum(o["moved"] for o in sides[used]) for used in sides}
        assert (row.deals_with, row.moved_with) == (len(sides[True]), moved[True])
        assert (row.deals_without, row.moved_without) == (len(sides[False]), moved[False])
        enough = min(len(sides[True]), len(sides[False])) >= MIN_DEALS
        assert row.enough == enough
        if enough:
            assert row.status == "Enough data"
            assert row.rate_with == moved[True] / len(sides[True])
            assert row.interval_with == wilson(moved[True], len(sides[True]))
            assert row.interval_without == wilson(moved[False], len(sides[False]))
            assert row.difference == CLOSE(row.rate_with - row.rate_without)
        else:
            assert row.status == (
                "Not enough data: needs 5 deals that reached the stage with and without"
            )
            assert (row.rate_with, row.interval_with, row.difference) == (None, None, None)
        spent = {
            used: [
                d for deal, s, d in stints if s == row.stage_id and history.used(deal, s) == used
            ]
            for used in (True, False)
        }
        taken = {
            used: [d for deal, d in won.items() if history.used(deal, row.stage_id) == used]
            for used in (True, False)
        }
        for medians, groups in (
            ((row.days_with, row.days_without), spent),
            ((row.cycle_with, row.cycle_without), taken),
        ):
            if min(len(groups[True]), len(groups[False])) >= MIN_DEALS:
                assert medians == CLOSE(
                    (quartiles(groups[True])[2], quartiles(groups[False])[2]), abs=1e-4
                )
            else:
                assert medians == (None, None)
    assert any(row.days_with is not None for row in rows)
    assert any(row.cycle_with is not None for row in rows)


def test_the_page_csv_api_and_dashboard_show_the_same_figures(reader, world, histories):
    filters = filters_for(world, days=90)
    first, last = filters.period.first, filters.period.last
    funnel = stage_funnel(filters)
    url = f"/reports/deal-stages?from={first}&to={last}"

    page = reader.get(url)
    download = reader.get(url + "&format=csv")
    api = reader.application.test_client().get(
        f"/api/v1/reports/deal-stages?from={first}&to={last}&list=time",
        headers=reader.token_headers,
    )
    dashboard = reader.get(f"/reports?from={first}&to={last}")

    assert page.status_code == download.status_code == api.status_code == 200
    shown = [s for s in funnel if s.reached]
    for step in shown:
        assert f'aria-label="{step.stage}: {step.reached} deals reached"' in page.text
    table = list(csv.reader(io.StringIO(download.text)))
    assert table[0][:4] == ["Stage", "Reached", "Moved on", "Moved on (share)"]
    assert [row[:3] for row in table[1:]] == [
        [s.stage, str(s.reached), str(s.moved_on)] for s in funnel
    ]
    times = every(time_rows, filters)
    assert [(item["stage"], item["stints"], item["median"]) for item in api.json["items"]] == [
        (row.stage, row.stints, row.median) for row in times
    ]
    reached = sum(s.reached for s in funnel)
    assert "Deal stages" in dashboard.text
    assert f"<dt>Stage entries</dt><dd>{reached:,}</dd>" in dashboard.text
