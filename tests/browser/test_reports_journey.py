"""A leader opens the reports, narrows content usage to one stage and the last 30 days,
sorts by deals used in, downloads the CSV, and the CSV holds exactly the table's rows."""

import csv
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.kernel.extensions import db
from portal.kernel.models import User
from tests.factories import SQLITE_ONLY
from tests.reports.seed import build_world

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def test_leader_narrows_sorts_and_downloads_the_content_usage_report(page_signed_in):
    world = build_world()
    leader = db.session.get(User, world.people["dana"])
    page = page_signed_in(leader, "/library")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    page.get_by_role("link", name="Content usage").click()
    expect(page.get_by_role("heading", name="Content usage", level=1)).to_be_visible()

    page.get_by_label("Stage").select_option(label="Decision")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("link", name="last 30 days").click()
    expect(page).to_have_url(re.compile(r"stage=decision"))
    expect(page.get_by_label("Stage")).to_have_value("decision")
    table = page.get_by_role("table", name="Content usage")
    table.get_by_role("link", name="Deals used in").click()
    expect(table.get_by_role("columnheader", name=re.compile("Deals used in"))).to_have_attribute(
        "aria-sort", "descending"
    )

    rows = table.locator("tbody tr")
    shown = [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()] for row in rows.all()
    ]
    assert shown, "the seeded world used decision-stage assets in the last 30 days"
    deals = [int(row[7]) for row in shown]
    assert deals == sorted(deals, reverse=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download these rows (CSV)").click()
    lines = list(csv.reader(Path(download.value.path()).read_text().splitlines()))

    # The download carries each asset's id after its title, for joining in other tools.
    assert lines[0][:4] == ["Asset", "Asset id", "Owner", "Views"]
    assert [line[0] for line in lines[1:]] == [row[0] for row in shown]
    assert all(line[1].isdigit() for line in lines[1:])
    assert [line[2:11] for line in lines[1:]] == [row[1:10] for row in shown]
