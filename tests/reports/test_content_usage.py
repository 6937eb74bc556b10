"""Report 1, content usage: every figure the database aggregates equals the one recomputed
from the raw events, for several periods and filters; the page, its CSV and the API show
the same rows; periods count whole days in the portal's time zone."""

import csv
import io
import re
from datetime import timedelta

import pytest

from portal.kernel.reporting import Sort
from portal.reports.content_usage import COLUMNS
from portal.reports.queries.content_usage import FIGURES, content_usage, usage_per_week
from tests.portal.helpers import flashes
from tests.reports import recompute
from tests.reports.recompute import Raw, filters_for

CASES = {
    "last 90 days": {"days": 90},
    "last 7 days": {"days": 7},
    "one day": {"days": 1, "ends_ago": 10},
    "everything": {"days": 130},
    "decision stage": {"days": 90, "stage": "decision"},
    "case studies by Priya": {"days": 120, "content_type": "case-study", "owner": "priya"},
    "marketing team": {"days": 120, "team": "marketing"},
    "sales team, awareness": {"days": 60, "stage": "awareness", "team": "sales"},
}


@pytest.mark.parametrize("case", CASES)
def test_every_figure_equals_the_one_recomputed_from_the_raw_events(world, case):
    filters = filters_for(world, **CASES[case])

    rows = content_usage(filters, Sort("views"), 1, 1000)

    expected = recompute.content_usage(Raw.load(), filters)
    assert rows.total == len(expected) > 0
    found = {
        row.asset_id: {
            name: getattr(row, name) for name in (*FIGURES, "rating_average", "rating_count")
        }
        for row in rows.items
    }
    assert found == expected
    assert all(type(row.revenue) is int for row in rows.items), "cents stay integers"


@pytest.mark.parametrize("key", [c.key for c in COLUMNS if c.sortable])
def test_each_column_sorts_both_ways_with_empty_values_last(world, key):
    filters = filters_for(world, days=120)

    for descending in (True, False):
        values = [
            getattr(r, key) for r in content_usage(filters, Sort(key, descending), 1, 1000).items
        ]
        present = [v for v in values if v is not None]
        assert values == present + [None] * (len(values) - len(present))
        if key not in {"title", "owner"}:
            assert present == sorted(present, reverse=descending)


def test_pages_split_the_same_order(world):
    filters = filters_for(world, days=120)
    whole = content_usage(filters, Sort("deals"), 1, 1000).items

    pages = [content_usage(filters, Sort("deals"), n, 3).items for n in (1, 2, 3)]

    assert [r.asset_id for page in pages for r in page] == [r.asset_id for r in whole[:9]]


def test_weekly_usage_buckets_days_of_the_portals_calendar(world):
    filters = filters_for(world, days=30)

    weeks = usage_per_week(filters)

    expected: dict[str, list[int]] = {}
    for event in Raw.load().events_kept(filters):
        week = (recompute.local_day(event.created_at) - filters.period.first).days // 7
        expected.setdefault(event.kind, [0] * 5)[week] += 1
    assert weeks == expected


# ---- the page, its CSV and the API ---------------------------------------------------------


def test_the_csv_holds_exactly_the_rows_the_page_shows(reader, world):
    first = world.today - timedelta(days=119)
    url = f"/reports/content-usage?from={first}&to={world.today}&sort=deals&per_page=4&page=2"

    page = reader.get(url)
    download = reader.get(url + "&format=csv")
    api = reader.application.test_client().get(
        url.replace("/reports/", "/api/v1/reports/"), headers=reader.token_headers
    )

    assert page.status_code == 200
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(download.text)))
    # The asset's id follows its title, so other systems can join the rows to assets.
    assert table[0] == [COLUMNS[0].label, "Asset id", *(column.label for column in COLUMNS[1:])]
    titles = [row[0] for row in table[1:]]
    assert len(titles) == 4
    assert all(f'<a href="/assets/{row[1]}">{row[0]}</a>' in page.text for row in table[1:]), (
        "the id is the asset the page links"
    )
    # The table scrolls sideways inside its own box, which keyboard users can focus.
    assert re.search(
        r'<div class="table-scroll" role="region" aria-label="Content usage" tabindex="0">\s*'
        r'<table class="report-table" aria-label="Content usage">',
        page.text,
    )
    assert [(item["title"], str(item["asset_id"])) for item in api.json["items"]] == [
        (row[0], row[1]) for row in table[1:]
    ]
    assert list(api.json["items"][0])[:2] == ["title", "asset_id"]
    assert [int(row[8]) for row in table[1:]] == [item["deals"] for item in api.json["items"]]
    assert api.json["period"]["time_zone"] == "America/New_York"


def test_a_malformed_date_is_a_clear_message_and_the_default_period(reader):
    response = reader.get("/reports/content-usage?from=2026-02-30")

    assert response.status_code == 200
    assert flashes(response) == [
        "“2026-02-30” is not a date. Write dates as YYYY-MM-DD, e.g. 2026-03-31."
    ]


def test_a_reversed_period_is_refused_with_a_message(reader, world):
    response = reader.get(
        f"/reports/content-usage?from={world.today}&to={world.today - timedelta(days=3)}"
    )

    assert flashes(response) == ["The period ends before it starts: swap the dates."]


def test_an_empty_period_shows_an_empty_state(reader):
    response = reader.get("/reports/content-usage?from=2001-01-01&to=2001-01-31")

    assert response.status_code == 200
    assert (
        "No asset was viewed, downloaded, shared or used in a deal in this period." in response.text
    )


def test_the_api_refuses_a_malformed_date_with_422(reader):
    response = reader.application.test_client().get(
        "/api/v1/reports/content-usage?to=yesterday", headers=reader.token_headers
    )

    assert response.status_code == 422
    assert response.json["error"]["fields"] == {
        "to": "“yesterday” is not a date. Write dates as YYYY-MM-DD, e.g. 2026-03-31."
    }


@pytest.mark.parametrize("key", [c.key for c in COLUMNS if c.sortable])
def test_pages_of_two_split_every_order_with_ties_and_empty_values(world, key):
    """A page is chosen among the assets whose figure can reach it: ties at a page's edge
    and empty figures must still fall on the page the whole order puts them on."""
    filters = filters_for(world, days=120)
    for descending in (True, False):
        whole = content_usage(filters, Sort(key, descending), 1, 1000)
        pages = [content_usage(filters, Sort(key, descending), n, 2) for n in (1, 2, 3, 4)]

        assert {page.total for page in pages} == {whole.total}
        split = [row.asset_id for page in pages for row in page.items]
        assert split == [row.asset_id for row in whole.items[:8]]


def test_a_page_past_the_last_is_empty_and_says_how_many_there_are(world):
    filters = filters_for(world, days=120)
    whole = content_usage(filters, Sort("views"), 1, 1000)

    past = content_usage(filters, Sort("views"), 50, 1000)

    assert past.items == []
    assert past.total == whole.total > 0
