"""An admin finds an asset whose indexing gave up, retries it from the Jobs page, and a rep
then finds the asset through search."""

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete

from portal.kernel.extensions import db
from portal.kernel.jobs import FailedJob, job_queue, run_held
from search.models import SearchOutbox
from tests.browser.helpers import open_nav
from tests.factories import SQLITE_ONLY, make_asset

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def test_admin_retries_a_failed_index_job_and_the_asset_becomes_findable(app, page_as, users):
    asset = make_asset(users["marketer"], "Quokka pricing sheet")
    # As the indexer leaves an asset it could not index: out of the outbox, its own job
    # retried until it gave up.
    db.session.execute(delete(SearchOutbox).where(SearchOutbox.asset_id == asset.id))
    db.session.add(
        FailedJob(
            name="search.index_asset",
            arguments=json.dumps({"asset_id": asset.id}),
            error="Traceback …\nOSError: [Errno 28] No space left on device",
            attempts=7,
        )
    )
    db.session.commit()
    job_queue(app).held.clear()

    rep = page_as(users["rep"])
    rep.goto("/search?q=quokka")
    expect(rep.get_by_text("Nothing matches")).to_be_visible()

    admin = page_as(users["admin"])
    open_nav(admin, "Admin").get_by_role("link", name="Jobs").click()
    expect(admin.get_by_role("heading", name="Background jobs")).to_be_visible()
    row = admin.get_by_role("row").filter(has_text="search.index_asset")
    expect(row).to_contain_text("No space left on device")
    row.get_by_role("button", name="Retry").click()

    expect(admin.get_by_role("status")).to_have_text("The job search.index_asset is queued again.")
    expect(admin.get_by_text("No job has given up.")).to_be_visible()

    assert run_held(app) == 1  # as a worker would
    rep.goto("/search?q=quokka")
    expect(rep.get_by_role("link", name="Quokka pricing sheet")).to_be_visible()
