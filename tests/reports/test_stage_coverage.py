"""Report 5, stage coverage: every stage's figures equal the ones recomputed from the raw
rows (assets, usage, ratings, content requests, searches) for several periods and filters;
each column sorts both ways; the CSV holds the page's rows; an empty period shows the empty
state."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from content.library.models import Stage
from portal.kernel.extensions import db
from portal.kernel.reporting import Sort
from portal.reports.coverage import COLUMNS, SPEC, coverage
from portal.reports.queries.coverage import stages_without_assets
from portal.reports.queries.requests import open_requests_total
from portal.reports.queries.searches import misses_total, misses_without_stage
from tests.reports import recompute_gaps
from tests.reports.recompute import Raw, filters_for

CASES = {
    "last 90 days": {"days": 90},
    "last 7 days": {"days": 7},
    "one day, 6 days ago": {"days": 1, "ends_ago": 6},
    "a month ending 30 days ago": {"days": 30, "ends_ago": 30},
    "case studies": {"days": 120, "content_type": "case-study"},
    "Jonas's assets": {"days": 60, "owner": "jonas"},
    "marketing team": {"days": 120, "team": "marketing"},
    "sales team, slide decks": {"days": 30, "content_type": "slide-deck", "team": "sales"},
}


@pytest.fixture(scope="module")
def raw(seeded) -> Raw:
    return Raw.load()


def by_stage(rows) -> dict[str, dict]:
    return {row.stage: {c.key: getattr(row, c.key) for c in COLUMNS} for row in rows}


@pytest.mark.parametrize("case", CASES)
def test_every_figure_equals_the_one_recomputed_from_the_raw_rows(world, raw, case):
    filters = filters_for(world, **CASES[case])

    page = coverage(filters, SPEC.tables[""].default_sort, 1, 100)

    expected = recompute_gaps.coverage(raw, filters)
    assert by_stage(page.items) == {row["stage"]: row for row in expected.values()}
    assert page.total == len(expected)
    assert stages_without_assets(filters) == sum(not row["assets"] for row in expected.values())
    assert open_requests_total(filters) == recompute_gaps.open_requests_total(raw, filters)
    without = recompute_gaps.misses_without_stage(raw, filters)
    assert misses_without_stage(filters) == without
    assert misses_total(filters) == recompute_gaps.misses_total(raw, filters)


def test_stages_come_in_journey_order_by_default(world):
    rows = coverage(filters_for(world, days=90), SPEC.tables[""].default_sort, 1, 100).items

    assert [row.stage_id for row in rows] == [
        world.stages[slug]
        for slug in ("awareness", "consideration", "decision", "onboarding", "expansion")
    ]


def test_a_request_asked_before_the_period_still_counts_while_unfinished(world):
    onboarding = world.stages["onboarding"]
    marketing = filters_for(world, days=7, team="marketing")

    rows = {row.stage_id: row for row in coverage(marketing, Sort("stage"), 1, 100).items}

    assert rows[onboarding].open_requests == 1, "Sofia's accepted request from 200 days ago"
    assert rows[world.stages["expansion"]].open_requests == 1, "Priya's, two days ago"
    assert rows[world.stages["expansion"]].misses == 1, "Sofia's search six days ago"


@pytest.mark.parametrize("key", [c.key for c in COLUMNS if c.sortable])
def test_each_column_sorts_both_ways_with_empty_values_last(world, key):
    filters = filters_for(world, days=30, content_type="case-study")
    position = {stage.id: stage.position for stage in db.session.scalars(select(Stage))}

    for descending in (True, False):
        rows = coverage(filters, Sort(key, descending), 1, 100).items
        values = [getattr(row, key) for row in rows]
        if key == "stage":
            values = [position[row.stage_id] for row in rows]
        present = [v for v in values if v is not None]
        assert values == present + [None] * (len(values) - len(present))
        assert present == sorted(present, reverse=descending)


def test_pages_split_the_same_order(world):
    filters = filters_for(world, days=90)
    whole = coverage(filters, Sort("events"), 1, 100).items

    pages = [coverage(filters, Sort("events"), n, 2).items for n in (1, 2, 3)]

    assert [r.stage_id for page in pages for r in page] == [r.stage_id for r in whole]


def test_a_page_past_the_end_is_empty_but_still_counts_the_stages(world):
    page = coverage(filters_for(world, days=90), Sort("stage", descending=False), 3, 3)

    assert (page.items, page.total) == ([], 5)


# ---- the page, its CSV and the API ---------------------------------------------------------


def test_the_csv_holds_exactly_the_rows_the_page_shows(reader, world):
    first = world.today - timedelta(days=29)
    url = f"/reports/stage-coverage?from={first}&to={world.today}&sort=assets&per_page=3&page=2"

    page = reader.get(url)
    download = reader.get(url + "&format=csv")
    api = reader.application.test_client().get(
        url.replace("/reports/", "/api/v1/reports/"), headers=reader.token_headers
    )

    assert page.status_code == download.status_code == api.status_code == 200
    lines = list(csv.reader(io.StringIO(download.text)))
    assert lines[0] == [column.label for column in COLUMNS]
    assert [line[0] for line in lines[1:]] == [item["stage"] for item in api.json["items"]]
    assert len(lines) == 3
    assert api.json["total"] == 5
    assert [int(line[1]) for line in lines[1:]] == [item["assets"] for item in api.json["items"]]
    shares = [float(line[3]) for line in lines[1:]]
    assert shares == [round(item["usage_share"], 4) for item in api.json["items"]]
    assert all(f'<th scope="row">{line[0]}</th>' in page.text for line in lines[1:])
    assert "found nothing without a stage chosen, by people with no open deal" in page.text


def test_an_empty_period_shows_the_empty_state(reader):
    response = reader.get("/reports/stage-coverage?from=2001-01-01&to=2001-01-31")

    assert response.status_code == 200
    assert SPEC.tables[""].empty in response.text


def test_the_dashboard_shows_the_headlines(reader):
    response = reader.get("/reports")

    assert response.status_code == 200
    assert "Stages with no live assets" in response.text
    assert "Searches that found nothing" in response.text
