"""Report 4, unused and stale: both tables equal the ones recomputed from the raw rows for
several periods and filters; each column sorts both ways; the CSV holds the page's rows;
an empty period shows the empty state."""

import csv
import io
from datetime import timedelta

import pytest

from portal.kernel.reporting import Sort
from portal.reports.gaps import SPEC, STALE_COLUMNS, UNUSED_COLUMNS
from portal.reports.queries.gaps import gap_counts, stale_assets, unused_assets
from tests.reports import recompute_gaps
from tests.reports.recompute import Raw, filters_for

CASES = {
    "last 90 days": {"days": 90},
    "last 7 days": {"days": 7},
    "one day, 10 days ago": {"days": 1, "ends_ago": 10},
    "a month ending 30 days ago": {"days": 30, "ends_ago": 30},
    "decision stage, one week": {"days": 7, "stage": "decision"},
    "case studies by Priya, a fortnight": {
        "days": 14,
        "content_type": "case-study",
        "owner": "priya",
    },
    "Jonas, 3 days ending yesterday": {"days": 3, "ends_ago": 1, "owner": "jonas"},
}
TABLES = {"unused": (unused_assets, UNUSED_COLUMNS), "stale": (stale_assets, STALE_COLUMNS)}
# Periods whose tables have several rows, some with empty values
BUSY = {"unused": {"days": 1, "ends_ago": 10}, "stale": {"days": 7}}


@pytest.fixture(scope="module")
def raw(seeded) -> Raw:
    return Raw.load()


def figures(rows, columns) -> dict[int, dict]:
    return {row.asset_id: {c.key: getattr(row, c.key) for c in columns} for row in rows}


@pytest.mark.parametrize("case", CASES)
def test_unused_assets_equal_the_ones_recomputed_from_the_raw_rows(world, raw, case):
    filters = filters_for(world, **CASES[case])

    page = unused_assets(filters, SPEC.tables["unused"].default_sort, 1, 1000)

    expected = recompute_gaps.unused(raw, filters)
    assert figures(page.items, UNUSED_COLUMNS) == expected
    assert page.total == len(expected) == gap_counts(filters)["unused"]


@pytest.mark.parametrize("case", CASES)
def test_stale_assets_equal_the_ones_recomputed_from_the_raw_rows(world, raw, case):
    filters = filters_for(world, **CASES[case])

    page = stale_assets(filters, SPEC.tables["stale"].default_sort, 1, 1000)

    expected = recompute_gaps.stale(raw, filters, world.today)
    assert figures(page.items, STALE_COLUMNS) == expected
    assert page.total == len(expected) == gap_counts(filters)["stale"]


def test_only_assets_reps_could_use_in_the_period_are_unused(world):
    a = world.assets

    week = {
        row.asset_id for row in unused_assets(filters_for(world, 7), Sort("title"), 1, 99).items
    }
    before_fresh = filters_for(world, days=30, ends_ago=11)
    earlier = {row.asset_id for row in unused_assets(before_fresh, Sort("title"), 1, 99).items}

    assert {a["quiet"], a["fresh"], a["overdue"]} <= week
    assert a["fresh"] not in earlier, "published after that period ended"
    assert not {a["draft"], a["expired"], a["old"]} & (week | earlier), "not live"


def test_overdue_days_count_to_the_periods_last_day(world):
    rows = stale_assets(filters_for(world, days=30, ends_ago=10), Sort("days_overdue"), 1, 9)

    assert [(row.asset_id, row.days_overdue) for row in rows.items] == [
        (world.assets["overdue"], 30)
    ], "Asset stale was not due yet 10 days ago"


@pytest.mark.parametrize(
    ("table", "key"),
    [(name, c.key) for name, (_, columns) in TABLES.items() for c in columns if c.sortable],
)
def test_each_column_sorts_both_ways_with_empty_values_last(world, table, key):
    rows_of, _ = TABLES[table]
    filters = filters_for(world, **BUSY[table])

    for descending in (True, False):
        values = [getattr(r, key) for r in rows_of(filters, Sort(key, descending), 1, 99).items]
        present = [v for v in values if v is not None]
        assert len(present) > 1
        assert values == present + [None] * (len(values) - len(present))
        if key in {"title", "owner", "content_type"}:
            present = [v.lower() for v in present]
        assert present == sorted(present, reverse=descending)


def test_pages_split_the_same_order(world):
    filters = filters_for(world, **BUSY["unused"])
    whole = unused_assets(filters, Sort("rating_average"), 1, 99).items

    pages = [unused_assets(filters, Sort("rating_average"), n, 2).items for n in (1, 2, 3)]

    assert [r.asset_id for page in pages for r in page] == [r.asset_id for r in whole[:6]]


# ---- the page, its CSV and the API ---------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_the_csv_holds_exactly_the_rows_the_page_shows(reader, world, table):
    first = world.today - timedelta(days=6)
    url = f"/reports/unused-and-stale?from={first}&to={world.today}&list={table}&per_page=2"

    page = reader.get(url)
    download = reader.get(url + "&format=csv")
    api = reader.application.test_client().get(
        url.replace("/reports/", "/api/v1/reports/"), headers=reader.token_headers
    )

    assert page.status_code == download.status_code == api.status_code == 200
    columns = TABLES[table][1]
    lines = list(csv.reader(io.StringIO(download.text)))
    assert lines[0] == [columns[0].label, "Asset id", *(column.label for column in columns[1:])]
    titles = [line[0] for line in lines[1:]]
    assert titles
    assert [item["title"] for item in api.json["items"]] == titles
    assert [str(item["asset_id"]) for item in api.json["items"]] == [line[1] for line in lines[1:]]
    assert all(f">{title}</a>" in page.text for title in titles)
    assert api.json["list"] == table
    assert api.json["total"] >= len(titles)


@pytest.mark.parametrize("table", TABLES)
def test_an_empty_period_shows_the_empty_state(reader, table):
    response = reader.get(f"/reports/unused-and-stale?from=2001-01-01&to=2001-01-31&list={table}")

    assert response.status_code == 200
    assert SPEC.tables[table].empty.replace("'", "&#39;") in response.text


def test_the_dashboard_shows_the_headlines(reader):
    response = reader.get("/reports")

    assert response.status_code == 200
    assert "Live assets unused" in response.text
    assert "Past their review date" in response.text
