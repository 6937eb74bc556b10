"""The board, an asset page, search results and a report look as their stored references
do, on a laptop (1366 px) and on a phone (375 px).

The data is fixed (names, titles, summaries); what moves with the clock (dates, the
report's period) is masked. When a layout changes on purpose, regenerate the references
with TANDEM_UPDATE_SCREENSHOTS=1 and look at them before committing (see the README).
"""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.screenshots import assert_matches_reference
from tests.factories import SQLITE_ONLY, make_asset
from tests.search.helpers import index_now

pytestmark = [pytest.mark.browser, SQLITE_ONLY]

WIDTHS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 375, "height": 812}}
LIBRARY = [
    # title, stages, content type, summary
    ("Security whitepaper", ("awareness", "consideration"), "whitepaper",
     "How the platform keeps buyers' data safe."),
    ("Pricing one-pager", ("decision",), "one-pager", "Plans, prices and what each includes."),
    ("ROI calculator", ("decision",), "roi-calculator", "Payback in six months."),
    ("Customer story: Acme", ("consideration",), "case-study", "Acme closes in 3 days."),
    ("Onboarding checklist", ("onboarding",), "one-pager", "The first thirty days, week by week."),
    ("Security FAQ", ("consideration", "decision"), "one-pager", "Answers to security reviews."),
]  # fmt: skip


def both_widths(page: Page, name: str, ready, mask=(), top=None) -> None:
    """Compare the page at both widths; ``ready`` is a locator visible once it is laid
    out, ``top`` one scrolled to the top of the viewport first (the page's own top if
    None)."""
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        expect(ready).to_be_visible()
        if top is not None:
            top.evaluate("element => element.scrollIntoView({block: 'start'})")
        assert_matches_reference(page, f"{name}-{width}", mask=[page.locator(m) for m in mask])


def test_board_asset_search_and_report_match_their_references(page_signed_in, users):
    marketer = users["marketer"]
    assets = {
        title: make_asset(
            marketer,
            title,
            stages=stages,
            content_type=kind,
            summary=summary,
            body=f"{summary}\n\n- One point\n- Another point",
        )
        for title, stages, kind, summary in LIBRARY
    }
    index_now()
    # Dates and relative times change every day.
    dates = ["time"]

    rep = page_signed_in(users["rep"], "/library")
    both_widths(rep, "board", rep.get_by_role("heading", name="Library", level=1), dates)
    rep.goto(f"/assets/{assets['Security whitepaper'].id}")
    heading = rep.get_by_role("heading", name="Security whitepaper", level=1)
    both_widths(rep, "asset", heading, dates)
    rep.goto("/search?q=security")
    both_widths(rep, "search", rep.get_by_role("region", name="Results"), dates)

    # The report's charts and table rather than its notes; the period is today's.
    leader = page_signed_in(users["leader"], "/reports/stage-coverage")
    table = leader.get_by_role("table", name="Stage coverage", exact=True)
    period = ["input[type=date]", ".report-filters + p.meta"]
    both_widths(
        leader,
        "report",
        table,
        period,
        top=leader.get_by_role("navigation", name="Stage coverage lists"),
    )
