"""A leader exports all data: reads what the archive holds, starts it, watches the
progress page turn into a download without reloading, and gets a ZIP of CSV files."""

import csv
import io
import zipfile

import pytest
from playwright.sync_api import expect

from portal.kernel.jobs import run_held
from tests.browser.helpers import open_nav
from tests.factories import make_asset

pytestmark = pytest.mark.browser


# The pages and the job do not depend on the database (tests/portal covers both).
@pytest.mark.parametrize("database", ["sqlite"])
def test_a_leader_exports_all_data_and_opens_the_archive(app, page_signed_in, users, tmp_path):
    make_asset(users["marketer"], "Pricing one-pager")
    run_held(app)
    leader = page_signed_in(users["leader"], "/library")

    open_nav(leader, users["leader"].name).get_by_role("link", name="Export all data").click()
    expect(leader.get_by_role("heading", name="Export all data", level=1)).to_be_visible()
    expect(leader.get_by_text("usage_events.csv")).to_be_visible()
    expect(leader.get_by_text("You have not exported anything yet.")).to_be_visible()
    leader.get_by_role("button", name="Start the export").click()

    expect(leader.get_by_role("status")).to_have_text(
        "Export started: this page shows its progress."
    )
    expect(leader.get_by_role("heading", name="Waiting to start")).to_be_visible()
    expect(leader.get_by_role("progressbar", name="Export progress")).to_be_visible()

    assert run_held(app) == 1  # as the job thread or a worker would

    # The page follows the job by itself: no reload, the download appears.
    download_link = leader.get_by_role("button", name="Download")
    expect(download_link).to_be_visible()
    expect(leader.get_by_role("heading", name="Ready")).to_be_visible()
    with leader.expect_download() as event:
        download_link.click()
    saved = tmp_path / event.value.suggested_filename
    event.value.save_as(saved)

    assert saved.name.startswith("tandem-export-")
    with zipfile.ZipFile(saved) as archive:
        names = set(archive.namelist())
        assets = list(csv.DictReader(io.StringIO(archive.read("assets.csv").decode())))
    assert "audit_log.csv" not in names  # the audit log is for admins
    assert {"README.txt", "manifest.json", "usage_events.csv"} <= names
    assert [(row["title"], row["status"]) for row in assets] == [("Pricing one-pager", "published")]
