"""Report 3, evidence: per asset and per rep, every count of claims and verified claims
equals the one recomputed from the raw events, for several periods and filters; a buyer
view verifies a claim whenever it happened; the page, its CSV and the API show the same
rows."""

import csv
import html
import io
import json
import re
from itertools import product

import pytest

from portal.kernel.reporting import Sort
from portal.reports.evidence import ASSET_COLUMNS, REP_COLUMNS
from portal.reports.queries.evidence import FIGURES, evidence_by_asset, evidence_by_rep
from tests.reports import recompute_evidence
from tests.reports.recompute import Raw, filters_for, in_period

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
# table -> (rows query, the row's key in the recomputation, its figures, its columns)
TABLES = {
    "asset": (evidence_by_asset, "asset_id", (*FIGURES, "verified_share"), ASSET_COLUMNS),
    "rep": (evidence_by_rep, "user_id", (*FIGURES, "verified_share", "deals"), REP_COLUMNS),
}


@pytest.mark.parametrize("case", CASES)
def test_every_figure_equals_the_one_recomputed_from_the_raw_events(world, case):
    filters = filters_for(world, **CASES[case])
    raw = Raw.load()

    for table, (rows_of, key, figures, _columns) in TABLES.items():
        rows = rows_of(filters, Sort("claims"), 1, 1000)

        expected = recompute_evidence.evidence(raw, filters, by=table)
        assert rows.total == len(expected) > 0
        found = {
            getattr(row, key): {name: getattr(row, name) for name in figures} for row in rows.items
        }
        assert found == expected, table


def test_a_buyer_view_outside_the_period_still_verifies_a_claim(world):
    filters = filters_for(world, days=30)
    raw = Raw.load()
    views = {}
    for event in raw.events:
        if event.kind == "buyer_view":
            views.setdefault((event.deal_id, event.asset_id), []).append(event.created_at)

    claims = [e for e in raw.events_kept(filters) if e.kind == "used_in_deal"]
    confirmed_outside = [
        claim
        for claim in claims
        if views.get((claim.deal_id, claim.asset_id))
        and not any(
            in_period(when, filters.period) for when in views[(claim.deal_id, claim.asset_id)]
        )
    ]

    assert confirmed_outside, "the seeded world has such a claim"
    verified = sum(
        row.verified for row in evidence_by_asset(filters, Sort("claims"), 1, 1000).items
    )
    assert verified == sum((c.deal_id, c.asset_id) in views for c in claims)


def test_each_column_sorts_both_ways(world):
    filters = filters_for(world, days=120)

    for rows_of, _key, _figures, columns in TABLES.values():
        for column, descending in product([c for c in columns if c.sortable], (True, False)):
            rows = rows_of(filters, Sort(column.key, descending), 1, 1000).items
            values = [getattr(row, column.key) for row in rows]
            assert None not in values
            folded = [v.lower() if isinstance(v, str) else v for v in values]
            assert folded == sorted(folded, reverse=descending), column.key


def test_pages_split_the_same_order(world):
    filters = filters_for(world, days=120)
    whole = evidence_by_rep(filters, Sort("verified_share", False), 1, 1000).items

    pages = [evidence_by_rep(filters, Sort("verified_share", False), n, 2).items for n in (1, 2, 3)]

    assert [r.user_id for page in pages for r in page] == [r.user_id for r in whole[:6]]


# ---- the page, its chart, its CSV, the API and the dashboard ------------------------------


def test_the_csv_of_the_reps_tab_holds_exactly_the_rows_the_page_shows(reader, world):
    filters = filters_for(world, days=90)
    first, last = filters.period.first, filters.period.last
    url = (
        f"/reports/evidence?from={first}&to={last}&list=reps&sort=verified_share&per_page=3&page=2"
    )
    rows = evidence_by_rep(filters, Sort("verified_share"), 2, 3).items

    page = reader.get(url)
    download = reader.get(url + "&format=csv")
    api = reader.application.test_client().get(
        url.replace("/reports/", "/api/v1/reports/"), headers=reader.token_headers
    )

    assert page.status_code == download.status_code == api.status_code == 200
    assert "tandem-evidence-reps.csv" in download.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(download.text)))
    assert table[0] == [column.label for column in REP_COLUMNS]
    assert table[1:] == [
        [
            row.rep,
            *(str(getattr(row, c.key)) for c in REP_COLUMNS[1:-1]),
            str(round(row.verified_share, 4)),
        ]
        for row in rows
    ]
    assert all(f'<th scope="row">{row.rep}</th>' in page.text for row in rows)
    assert 'aria-current="page">By rep</a>' in page.text
    assert api.json["list"] == "reps"
    assert [item["verified_share"] for item in api.json["items"]] == [
        r.verified_share for r in rows
    ]


def test_the_asset_tab_is_the_default_and_links_each_asset(reader, world):
    filters = filters_for(world, days=90)
    rows = evidence_by_asset(filters, Sort("claims"), 1, 100).items

    url = f"/reports/evidence?from={filters.period.first}&to={filters.period.last}"

    page = reader.get(url)
    download = reader.get(url + "&format=csv&per_page=100")
    api = reader.application.test_client().get(
        url.replace("/reports/", "/api/v1/reports/") + "&per_page=100",
        headers=reader.token_headers,
    )

    assert 'aria-current="page">By asset</a>' in page.text
    assert all(f'/assets/{row.asset_id}">{row.title}</a>' in page.text for row in rows)
    table = list(csv.reader(io.StringIO(download.text)))
    assert table[0][:3] == ["Asset", "Asset id", "Owner"]
    assert [(line[0], int(line[1])) for line in table[1:]] == [
        (row.title, row.asset_id) for row in rows
    ]
    assert [item["asset_id"] for item in api.json["items"]] == [row.asset_id for row in rows]


def test_the_chart_splits_each_reps_claims_into_verified_and_not(reader, world):
    filters = filters_for(world, days=90)
    expected = recompute_evidence.evidence(Raw.load(), filters, by="rep")
    names = {person_id: name for name, person_id in world.people.items()}
    top = sorted(expected.items(), key=lambda item: (-item[1]["claims"], names[item[0]]))[:10]

    page = reader.get(f"/reports/evidence?from={filters.period.first}&to={filters.period.last}")

    chart = json.loads(re.search(r'id="chart-data-1">(.*?)</script>', page.text, re.S).group(1))
    assert chart["labels"] == [names[person_id].title() for person_id, _row in top]
    assert chart["series"] == {
        "Verified": [row["verified"] for _id, row in top],
        "Not verified": [row["claims"] - row["verified"] for _id, row in top],
    }
    # Its text alternative names the highest bar of each series, and points at the table
    # holding every number, which scrolls inside its own box on a narrow screen.
    canvas = re.search(r'<canvas data-chart="chart-data-1"([^>]*)>', page.text).group(1)
    label = html.unescape(re.search(r'aria-label="([^"]*)"', canvas).group(1))
    verified = chart["series"]["Verified"]
    best = chart["labels"][verified.index(max(verified))]
    title = f"Claims verified by a buyer: top {len(top)} reps by claims"
    assert label.startswith(f"{title}: bar chart of {len(top)} bars.")
    assert f" Verified: highest {max(verified)} ({best})." in label
    assert 'aria-describedby="chart-table-1"' in canvas
    box = page.text.split('id="chart-table-1"')[0].rsplit("<div ", 1)[1]
    assert box.startswith('class="table-scroll" role="region" aria-label="Numbers behind')
    assert 'tabindex="0"' in box


def test_the_dashboard_shows_the_claims_and_the_share_verified(reader, world):
    filters = filters_for(world, days=30)
    rows = recompute_evidence.evidence(Raw.load(), filters, by="asset").values()
    claims, verified = sum(r["claims"] for r in rows), sum(r["verified"] for r in rows)
    self_reported = sum(r["self_reported"] for r in rows)

    response = reader.get(f"/reports?from={filters.period.first}&to={filters.period.last}")

    card = response.text.split('id="report-evidence"')[1].split("</article>")[0]
    assert f"<dt>Claims (self-reported)</dt><dd>{self_reported}</dd>" in card
    assert f"<dt>Claims (imported)</dt><dd>{claims - self_reported}</dd>" in card
    assert f"<dt>Verified by a buyer</dt><dd>{verified / claims * 100:.0f}%</dd>" in card


@pytest.mark.parametrize("tab", ["assets", "reps"])
def test_an_empty_period_shows_an_empty_state(reader, tab):
    response = reader.get(f"/reports/evidence?from=2001-01-01&to=2001-01-31&list={tab}")

    assert response.status_code == 200
    assert "No content was recorded as used in a deal in this period." in response.text
