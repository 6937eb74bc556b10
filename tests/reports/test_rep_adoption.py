"""Report 6, rep adoption: every rep's figures equal the ones recomputed from the raw rows
for several periods and teams; reps who did nothing are listed with zeros, deactivated ones
only when they did something; each column sorts both ways; the CSV holds the page's rows;
an empty period shows the empty state."""

import csv
import io
from datetime import timedelta

import pytest

from portal.kernel.reporting import Sort
from portal.reports.adoption import COLUMNS, SPEC
from portal.reports.queries.adoption import (
    BUCKETS,
    FIGURES,
    adoption_summary,
    rep_adoption,
    reps_per_share,
)
from tests.reports import recompute_adoption
from tests.reports.recompute import Raw, filters_for

CASES = {
    "last 90 days": {"days": 90},
    "last 7 days": {"days": 7},
    "one day, 5 days ago": {"days": 1, "ends_ago": 5},
    "a month ending 30 days ago": {"days": 30, "ends_ago": 30},
    "everything": {"days": 400},
    "sales team, a fortnight": {"days": 14, "team": "sales"},
}


@pytest.fixture(scope="module")
def raw(seeded) -> Raw:
    return Raw.load()


def found(page) -> dict[int, dict]:
    return {row.user_id: {key: getattr(row, key) for key in ("rep", *FIGURES)} for row in page}


@pytest.mark.parametrize("case", CASES)
def test_every_figure_equals_the_one_recomputed_from_the_raw_rows(world, raw, case):
    filters = filters_for(world, **CASES[case])

    page = rep_adoption(filters, SPEC.tables[""].default_sort, 1, 100)

    expected = recompute_adoption.adoption(raw, filters)
    assert found(page.items) == expected
    assert page.total == len(expected) > 0


@pytest.mark.parametrize("case", ["last 90 days", "one day, 5 days ago"])
def test_headlines_and_chart_equal_the_ones_recomputed(world, raw, case):
    filters = filters_for(world, **CASES[case])
    rows = recompute_adoption.adoption(raw, filters).values()
    closed = [row for row in rows if row["closed_deals"]]

    summary, buckets = adoption_summary(filters), reps_per_share(filters)

    assert summary == {
        "under_half": sum(row["content_share"] < 0.5 for row in closed),
        "no_assets": sum(row["assets_used"] == 0 for row in rows),
        "content_share": sum(row["deals_with_content"] for row in closed)
        / sum(row["closed_deals"] for row in closed),
    }
    shares = [row["content_share"] for row in closed]
    assert buckets == {
        "none": len(rows) - len(closed),
        "q1": sum(share < 0.25 for share in shares),
        "q2": sum(0.25 <= share < 0.5 for share in shares),
        "q3": sum(0.5 <= share < 0.75 for share in shares),
        "q4": sum(share >= 0.75 for share in shares),
    }
    assert list(buckets) == list(BUCKETS)


def test_idle_reps_show_with_zeros_and_deactivated_ones_only_when_active(world):
    people = world.people

    week = {
        row.user_id: row for row in rep_adoption(filters_for(world, 7), Sort("rep"), 1, 99).items
    }
    long_ago = filters_for(world, days=30, ends_ago=30)
    earlier = {row.user_id for row in rep_adoption(long_ago, Sort("rep"), 1, 99).items}

    lee = week[people["lee"]]
    assert (lee.assets_used, lee.views, lee.closed_deals, lee.content_share) == (0, 0, 0, None)
    assert (week[people["max"]].closed_deals, week[people["max"]].deals_with_content) == (2, 1)
    assert people["noor"] not in week
    assert people["lee"] in earlier
    assert people["max"] not in earlier
    assert not {people["dana"], people["priya"]} & set(week), "only reps"


def test_a_team_without_reps_shows_nothing(world):
    page = rep_adoption(filters_for(world, days=90, team="marketing"), Sort("rep"), 1, 99)

    assert (page.total, page.items) == (0, [])


@pytest.mark.parametrize("key", [c.key for c in COLUMNS if c.sortable])
def test_each_column_sorts_both_ways_with_empty_values_last(world, key):
    filters = filters_for(world, days=30)

    for descending in (True, False):
        rows = rep_adoption(filters, Sort(key, descending), 1, 100).items
        values = [getattr(row, key) for row in rows]
        present = [v for v in values if v is not None]
        assert values == present + [None] * (len(values) - len(present))
        if key == "rep":
            present = [v.lower() for v in present]
        assert present == sorted(present, reverse=descending)
        assert len(set(present)) > 1


def test_pages_split_the_same_order(world):
    filters = filters_for(world, days=30)
    whole = rep_adoption(filters, Sort("views"), 1, 100).items

    pages = [rep_adoption(filters, Sort("views"), n, 2).items for n in (1, 2, 3)]

    assert [r.user_id for page in pages for r in page] == [r.user_id for r in whole]


# ---- the page, its CSV and the API ---------------------------------------------------------


def test_the_csv_holds_exactly_the_rows_the_page_shows(reader, world):
    first = world.today - timedelta(days=59)
    url = f"/reports/rep-adoption?from={first}&to={world.today}&sort=views&dir=asc&per_page=4"

    page = reader.get(url)
    download = reader.get(url + "&format=csv")
    api = reader.application.test_client().get(
        url.replace("/reports/", "/api/v1/reports/"), headers=reader.token_headers
    )

    assert page.status_code == download.status_code == api.status_code == 200
    lines = list(csv.reader(io.StringIO(download.text)))
    assert lines[0] == [column.label for column in COLUMNS]
    assert len(lines) == 5
    assert api.json["total"] == 6
    items = api.json["items"]
    assert [line[0] for line in lines[1:]] == [item["rep"] for item in items]
    assert [int(line[2]) for line in lines[1:]] == [item["views"] for item in items]
    assert [line[7] for line in lines[1:]] == [
        "" if item["content_share"] is None else str(round(item["content_share"], 4))
        for item in items
    ]
    assert all(f'<th scope="row">{line[0]}</th>' in page.text for line in lines[1:])


def test_an_empty_period_shows_the_empty_state(reader):
    response = reader.get("/reports/rep-adoption?from=2001-01-01&to=2001-01-31")

    assert response.status_code == 200
    assert SPEC.tables[""].empty in response.text


def test_the_dashboard_shows_the_headlines(reader, world):
    response = reader.get(f"/reports?from={world.today - timedelta(days=5)}&to={world.today}")

    assert response.status_code == 200
    assert "Reps with content on under half their closed deals" in response.text
    assert "Closed deals with content" in response.text
