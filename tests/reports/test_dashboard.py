"""The reports dashboard: every report's headline numbers for the period, linked into it."""

from datetime import timedelta

from portal.kernel.reporting import Period, ReportFilters
from portal.reports.queries.content_usage import totals
from portal.reports.registry import in_order
from tests.portal.helpers import flashes


def test_the_dashboard_links_every_report_for_the_chosen_period(reader, world):
    first, last = world.today - timedelta(days=29), world.today

    response = reader.get(f"/reports?from={first}&to={last}")

    assert response.status_code == 200
    for spec in in_order():
        assert f'href="/reports/{spec.slug}?from={first}&amp;to={last}"' in response.text
        assert f">{spec.title}</a>" in response.text


def test_the_content_usage_headlines_are_the_periods_totals(reader, world):
    first, last = world.today - timedelta(days=29), world.today
    counts = totals(ReportFilters(Period(first, last)))

    response = reader.get(f"/reports?from={first}&to={last}")

    card = response.text.split('id="report-content-usage"')[1].split("</article>")[0]
    assert f"<dt>Assets used</dt><dd>{counts['assets']:,}</dd>" in card
    assert f"<dt>Buyer views</dt><dd>{counts['buyer_view']:,}</dd>" in card


def test_a_malformed_period_on_the_dashboard_is_a_message(reader):
    response = reader.get("/reports?from=last-week")

    assert response.status_code == 200
    assert flashes(response) == [
        "“last-week” is not a date. Write dates as YYYY-MM-DD, e.g. 2026-03-31."
    ]
