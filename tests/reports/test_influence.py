"""Report 2, content influence: every count, rate, interval and difference equals the one
recomputed from the raw deals and attachments, for several periods and filters; assets
below the minimum sample show no rate and come last; the page, its CSV and the API show
the same rows."""

import csv
import io
import json
import re
from itertools import product

import pytest

from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.reporting import ReportFilters, Sort, wilson
from portal.reports.influence import COLUMNS
from portal.reports.queries.influence import MIN_DEALS, closed_deals, influence
from tests.factories import login
from tests.reports import recompute_influence
from tests.reports.recompute import Raw, filters_for

CASES = {
    "last 90 days": {"days": 90},
    "last 30 days": {"days": 30},
    "first day of the last 90": {"days": 1, "ends_ago": 89},
    "everything": {"days": 130},
    "ended 60 days ago": {"days": 45, "ends_ago": 60},
    "decision stage": {"days": 90, "stage": "decision"},
    "case studies by Priya": {"days": 120, "content_type": "case-study", "owner": "priya"},
    "sales team": {"days": 90, "team": "sales"},
    "marketing team (owns no deals)": {"days": 90, "team": "marketing"},
}
FIGURES = (
    "enough", "deals_with", "won_with", "rate_with", "interval_with", "deals_without",
    "won_without", "rate_without", "interval_without", "difference",
)  # fmt: skip


def everything(filters: ReportFilters, sort: Sort | None = None) -> list:
    return influence(filters, sort or Sort("difference"), 1, 1000).items


@pytest.mark.parametrize("case", CASES)
def test_every_figure_equals_the_one_recomputed_from_the_raw_deals(world, case):
    filters = filters_for(world, **CASES[case])

    rows = influence(filters, Sort("difference"), 1, 1000)

    expected = recompute_influence.influence(Raw.load(), filters)
    assert rows.total == len(expected)
    assert {row.asset_id: {name: getattr(row, name) for name in FIGURES} for row in rows.items} == (
        expected
    )
    if "marketing" in case:
        assert expected == {}
    else:
        assert expected, "each case but the team that owns no deals has rows"


def test_closed_deals_count_whole_days_of_the_portals_calendar(world):
    ninety, ninety_one = filters_for(world, days=90), filters_for(world, days=91)
    raw = Raw.load()

    counts = closed_deals(ninety), closed_deals(ninety_one)

    expected = [recompute_influence.closed_deals(raw, f) for f in (ninety, ninety_one)]
    assert [c.closed for c in counts] == [len(deals) for deals in expected]
    assert [c.won for c in counts] == [sum(deals.values()) for deals in expected]
    assert counts[1].closed > counts[0].closed, "a deal closes on the day before the 90"


def test_assets_below_the_minimum_sample_show_no_rate_and_come_last(world):
    periods = [filters_for(world, days=days) for days in (30, 90, 130)]

    pages = [everything(filters) for filters in periods]

    for rows in pages:
        enough = [row for row in rows if row.enough]
        short = [row for row in rows if not row.enough]
        assert rows == enough + short
        assert all(min(r.deals_with, r.deals_without) >= MIN_DEALS for r in enough)
        assert all(min(r.deals_with, r.deals_without) < MIN_DEALS for r in short)
        assert {row.status for row in enough} <= {"Enough data"}
        for row in short:
            assert row.status == "Not enough data: needs 5 closed deals with and without"
            assert (row.rate_with, row.interval_with, row.difference) == (None, None, None)
            assert (row.rate_without, row.interval_without) == (None, None)
    samples = {(row.enough, row.deals_with) for rows in pages for row in rows}
    assert {(True, MIN_DEALS), (False, MIN_DEALS - 1)} <= samples, "both sides of the line"


def test_each_column_sorts_both_ways_within_each_group(world):
    filters = filters_for(world, days=90)

    for key, descending in product([c.key for c in COLUMNS if c.sortable], (True, False)):
        rows = everything(filters, Sort(key, descending))
        assert [r.enough for r in rows] == sorted((r.enough for r in rows), reverse=True)
        for group in (True, False):
            values = [getattr(r, key) for r in rows if r.enough is group]
            present = [v for v in values if v is not None]
            assert values == present + [None] * (len(values) - len(present)), key
            folded = [v.lower() if isinstance(v, str) else v for v in present]
            assert folded == sorted(folded, reverse=descending), key


def test_the_interval_is_wilsons_score_interval():
    """Textbook values: the recomputation uses the same function, so check it here."""
    low, high = wilson(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    assert [round(end, 4) for end in wilson(0, 5)] == [0.0, 0.4345]
    assert wilson(0, 0) is None


def test_pages_split_the_same_order(world):
    filters = filters_for(world, days=130)
    whole = everything(filters, Sort("deals_with"))

    pages = [influence(filters, Sort("deals_with"), n, 2).items for n in (1, 2, 3, 4)]

    assert [r.asset_id for page in pages for r in page] == [r.asset_id for r in whole[:8]]


# ---- the page, its chart, its CSV, the API and the dashboard ------------------------------


def _number(value) -> str:
    return "" if value is None else str(round(value, 4))


def _csv_cells(row) -> list[str]:
    low_with, high_with = row.interval_with or (None, None)
    low_without, high_without = row.interval_without or (None, None)
    return [
        row.title, str(row.asset_id), row.owner, str(row.deals_with), str(row.won_with),
        _number(row.rate_with),
        _number(low_with), _number(high_with), str(row.deals_without), str(row.won_without),
        _number(row.rate_without), _number(low_without), _number(high_without),
        _number(row.difference), row.status,
    ]  # fmt: skip


def _page_across_the_line(rows: list) -> tuple[int, int]:
    """A page number and size whose page holds the last asset with enough data and the
    first without."""
    first_short = next(n for n, row in enumerate(rows) if not row.enough)
    per_page = next(size for size in (2, 3, 4, 5) if first_short % size)
    return first_short // per_page + 1, per_page


def test_the_csv_holds_exactly_the_rows_the_page_shows(reader, world):
    filters = filters_for(world, days=90)
    first, last = filters.period.first, filters.period.last
    page_number, per_page = _page_across_the_line(everything(filters, Sort("deals_with")))
    url = (
        f"/reports/influence?from={first}&to={last}&sort=deals_with"
        f"&per_page={per_page}&page={page_number}"
    )
    rows = influence(filters, Sort("deals_with"), page_number, per_page).items

    page = reader.get(url)
    download = reader.get(url + "&format=csv")
    api = reader.application.test_client().get(
        url.replace("/reports/", "/api/v1/reports/"), headers=reader.token_headers
    )

    assert page.status_code == download.status_code == api.status_code == 200
    table = list(csv.reader(io.StringIO(download.text)))
    assert table[0][1] == "Asset id"
    assert table[0][5:8] == [
        "Win rate with it",
        "95 % interval with it (low)",
        "95 % interval with it (high)",
    ]
    assert table[1:] == [_csv_cells(row) for row in rows]
    assert {row.enough for row in rows} == {True, False}, "the page mixes both groups"
    assert all(f">{row.title}</a>" in page.text for row in rows)
    assert "not enough data" in page.text
    assert "association, not proof of cause" in page.text
    assert [item["asset_id"] for item in api.json["items"]] == [row.asset_id for row in rows]
    assert [item["interval_with"] for item in api.json["items"]] == [
        list(row.interval_with) if row.interval_with else None for row in rows
    ]


def _chart(page) -> dict:
    found = re.search(r'id="chart-data-1">(.*?)</script>', page.text, re.S)
    return json.loads(found.group(1))


def test_the_chart_compares_win_rates_of_the_assets_with_enough_data(reader, world):
    filters = filters_for(world, days=90)
    expected = recompute_influence.influence(Raw.load(), filters)
    top = sorted(
        (row for row in expected.values() if row["enough"]), key=lambda row: -row["deals_with"]
    )

    chart = _chart(reader.get(f"/reports/influence?from={filters.period.first}"))

    assert chart["series"] == {
        "With it": [round(row["rate_with"] * 100, 1) for row in top],
        "Without it": [round(row["rate_without"] * 100, 1) for row in top],
    }


def test_the_dashboard_shows_closed_deals_and_assets_with_enough_data(reader, world):
    filters = filters_for(world, days=30)
    raw = Raw.load()
    closed = recompute_influence.closed_deals(raw, filters)
    enough = sum(row["enough"] for row in recompute_influence.influence(raw, filters).values())

    response = reader.get(f"/reports?from={filters.period.first}&to={filters.period.last}")

    card = response.text.split('id="report-influence"')[1].split("</article>")[0]
    assert f"<dt>Closed deals</dt><dd>{len(closed)}</dd>" in card
    assert f"<dt>Assets with enough data</dt><dd>{enough}</dd>" in card


def test_an_empty_period_shows_an_empty_state(reader):
    response = reader.get("/reports/influence?from=2001-01-01&to=2001-01-31")

    assert response.status_code == 200
    assert "No closed deal of this period had content attached." in response.text


def test_reps_do_not_see_the_report(seeded, world):
    rep = login(seeded.app.test_client(), db.session.get(User, world.people["riley"]))

    assert rep.get("/reports/influence").status_code == 404
