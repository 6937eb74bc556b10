"""Report 7, ghost-writing: every figure the database aggregates (counts per step, the
median days with the rep, rounds, the rep's edit share, published per rep and channel)
equals the one recomputed from the raw posts, for several periods; the page, its CSV and
the API show the same rows; an empty period shows the empty state."""

import csv
import io
from datetime import timedelta

import pytest

from portal.kernel.reporting import Period, ReportFilters, Sort
from portal.kernel.templating import format_days
from portal.reports import ghostwriting  # noqa: F401 - registers the report
from portal.reports.ghostwriting import SPEC
from portal.reports.queries.ghostwriting import (
    FIGURES,
    drafted_by_status,
    posts_by_channel,
    posts_by_rep,
    published_by_rep,
    totals,
)
from portal.reports.views import cell, json_value
from tests.reports import recompute_posts as recompute

CASES = {
    "last 90 days": {"days": 90},
    "last 30 days, edges at local midnight": {"days": 30},
    "last 7 days, up to today's midnight": {"days": 7},
    "one day with every step": {"days": 1, "ends_ago": 10},
    "everything": {"days": 130},
    "two months, long ago": {"days": 60, "ends_ago": 45},
}
QUERIES = {"reps": posts_by_rep, "channels": posts_by_channel, "published": published_by_rep}


def filters_for(world, days: int, ends_ago: int = 0) -> ReportFilters:
    last = world.today - timedelta(days=ends_ago)
    return ReportFilters(Period(last - timedelta(days=days - 1), last))


def everything(table: str, filters: ReportFilters, sort: Sort | None = None) -> list:
    sort = sort or SPEC.tables[table].default_sort
    return QUERIES[table](filters, sort, 1, 1000).items


@pytest.mark.parametrize("case", CASES)
def test_every_figure_equals_the_one_recomputed_from_the_raw_posts(world, case):
    filters = filters_for(world, **CASES[case])
    posts, period = recompute.load_posts(), filters.period

    by_rep = {
        row.key: {name: getattr(row, name) for name in FIGURES}
        for row in everything("reps", filters)
    }
    by_channel = {
        row.key: {name: getattr(row, name) for name in FIGURES}
        for row in everything("channels", filters)
    }
    published = {
        row.rep_id: {key: getattr(row, key) for key in ("linkedin", "blog", "newsletter", "total")}
        for row in everything("published", filters)
    }

    assert by_rep == recompute.by(posts, period, "rep_id") != {}
    assert by_channel == recompute.by(posts, period, "channel")
    assert published == recompute.published_by_rep(posts, period)
    assert drafted_by_status(period) == recompute.drafted_by_status(posts, period)
    assert totals(period) == recompute.totals(posts, period)


def test_the_median_takes_the_middle_one_or_the_mean_of_the_middle_two(world):
    """Within the last 30 days Ana has four answered posts (1, 1, 2 and 4 days with her:
    the mean of the middle two) and Kim one (3 days)."""
    rows = {row.name: row for row in everything("reps", filters_for(world, days=30))}

    assert (rows["Ana"].sent, rows["Ana"].median_days) == (4, 1.5)
    assert (rows["Kim"].sent, rows["Kim"].median_days) == (1, 3.0)


def test_a_period_counts_whole_days_of_the_portals_calendar(world):
    """Marcus's blog post was published at 23:59 local time 30 days ago, Kim's LinkedIn
    post at midnight today."""

    def published(days: int, ends_ago: int = 0) -> dict[str, tuple]:
        rows = everything("published", filters_for(world, days, ends_ago))
        return {row.name: (row.linkedin, row.blog) for row in rows}

    assert published(30)["Marcus"][1] == 0
    assert published(31)["Marcus"][1] == 1
    assert published(1) == {"Kim": (1, 0)}
    assert "Kim" not in published(2, ends_ago=1)


def test_a_rep_with_only_a_draft_has_no_review_figures(world):
    filters = filters_for(world, days=1, ends_ago=10)

    kim = next(row for row in everything("reps", filters) if row.name == "Kim")

    assert (kim.drafted, kim.sent) == (1, 0)
    assert (kim.median_days, kim.average_rounds, kim.rep_edit_share) == (None, None, None)


@pytest.mark.parametrize("table", QUERIES)
def test_each_column_sorts_both_ways_with_empty_values_last(world, table):
    filters = filters_for(world, days=130)

    for column in SPEC.tables[table].columns:
        for descending in (True, False):
            rows = everything(table, filters, Sort(column.key, descending))
            values = [getattr(row, column.key) for row in rows]
            present = [value for value in values if value is not None]
            assert values == present + [None] * (len(values) - len(present)), column.key
            if column.key == "name":
                present = [value.lower() for value in present]
            assert present == sorted(present, reverse=descending), column.key


def test_pages_split_the_same_order(world):
    filters = filters_for(world, days=130)
    whole = everything("channels", filters, Sort("median_days"))

    pages = [posts_by_channel(filters, Sort("median_days"), n, 2).items for n in (1, 2)]

    assert [row.key for page in pages for row in page] == [row.key for row in whole]
    assert posts_by_channel(filters, Sort("median_days"), 1, 2).total == len(whole) == 3


# ---- the page, its CSV and the API ---------------------------------------------------------


@pytest.mark.parametrize("table", QUERIES)
def test_the_csv_and_the_api_hold_exactly_the_rows_the_page_shows(reader, world, table):
    filters = filters_for(world, days=90)
    period = f"from={filters.period.first}&to={filters.period.last}"
    url = f"/reports/ghost-writing?{period}&list={table}&sort=name&dir=asc&per_page=2&page=2"
    columns = SPEC.tables[table].columns
    shown = QUERIES[table](filters, Sort("name", descending=False), 2, 2).items

    page = reader.get(url)
    download = reader.get(url + "&format=csv")
    api = reader.application.test_client().get(
        url.replace("/reports/", "/api/v1/reports/"), headers=reader.token_headers
    )

    assert page.status_code == download.status_code == api.status_code == 200
    assert shown, "page 2 has rows"
    assert all(f'<th scope="row">{row.name}</th>' in page.text for row in shown)
    table_rows = list(csv.reader(io.StringIO(download.text)))
    assert table_rows[0] == [column.label for column in columns]
    assert table_rows[1:] == [
        [str(part) for column in columns for part in cell(column, getattr(row, column.key))]
        for row in shown
    ]
    assert api.json["items"] == [
        {column.key: json_value(column, getattr(row, column.key)) for column in columns}
        for row in shown
    ]


def test_the_page_shows_figures_charts_and_notes(reader, world):
    response = reader.get("/reports/ghost-writing?list=channels")

    assert response.status_code == 200
    assert "Posts drafted in the period, by status now" in response.text
    assert "Published per rep and channel" in response.text
    assert 'aria-current="page">By channel</a>' in response.text
    assert "Median days with the rep" in response.text


def test_the_dashboard_card_shows_posts_published_and_the_median(reader, world):
    filters = filters_for(world, days=30)
    expected = recompute.totals(recompute.load_posts(), filters.period)

    response = reader.get(f"/reports?from={filters.period.first}&to={filters.period.last}")

    card = response.text.split('id="report-ghost-writing"')[1].split("</article>")[0]
    assert f"<dt>Posts published</dt><dd>{expected['published']}</dd>" in card
    median = format_days(expected["median_days"])
    assert f"<dt>Median time with the rep</dt><dd>{median}</dd>" in card


@pytest.mark.parametrize("table", QUERIES)
def test_an_empty_period_shows_the_empty_state(reader, table):
    response = reader.get(f"/reports/ghost-writing?from=2001-01-01&to=2001-01-31&list={table}")

    assert response.status_code == 200
    assert SPEC.tables[table].empty in response.text
    assert "<canvas" not in response.text


def test_an_empty_period_leaves_the_dashboard_card_blank(reader):
    response = reader.get("/reports?from=2001-01-01&to=2001-01-31")

    card = response.text.split('id="report-ghost-writing"')[1].split("</article>")[0]
    assert "<dt>Posts published</dt><dd>0</dd>" in card
    assert "<dt>Median time with the rep</dt><dd>—</dd>" in card
