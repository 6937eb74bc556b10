"""An admin uploads a CRM export, reads the preview with the reason a row is refused,
imports it and sees what the import did."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from content.deals.models import Deal
from portal.kernel.extensions import db
from portal.kernel.jobs import job_queue, run_held
from tests.content.crm_exports import export, opportunity
from tests.factories import SQLITE_ONLY

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def test_admin_previews_and_imports_a_crm_export(page_signed_in, users):
    raw = export(
        [
            opportunity(1, name="Acme renewal", amount="$12,500"),
            opportunity(2, name="Globex expansion", stage="Closed Won"),
            opportunity(3, name="Initech pilot", owner="nobody@example.com"),
        ]
    )
    admin = page_signed_in(users["admin"], "/deals/import")
    expect(admin.get_by_role("heading", name="Import deals from your CRM", level=1)).to_be_visible()
    expect(admin.get_by_text("No imports yet.")).to_be_visible()

    admin.get_by_label("CRM export (CSV)").set_input_files(
        {"name": "pipeline.csv", "mimeType": "text/csv", "buffer": raw}
    )
    admin.get_by_role("button", name="Upload and preview").click()

    expect(admin.get_by_role("status")).to_have_text(
        "Preview ready: nothing is imported until you confirm."
    )
    expect(admin.get_by_role("heading", name="Import of “pipeline.csv”")).to_be_visible()
    expect(admin.get_by_role("row", name="Deals to create 2")).to_be_visible()
    refused = admin.get_by_role("row", name="0060000003")
    expect(refused).to_contain_text("no active user has the email “nobody@example.com”")
    expect(admin.get_by_role("row", name="Acme renewal")).to_contain_text("$12,500")

    admin.get_by_role("button", name="Import these deals").click()

    expect(admin.get_by_role("status")).to_have_text(
        "Imported: 2 created, 0 updated, 0 unchanged, 1 rejected."
    )
    expect(admin.get_by_role("heading", name="Imported", exact=True)).to_be_visible()
    expect(admin.get_by_role("button", name="Import these deals")).to_have_count(0)
    db.session.expire_all()
    names = db.session.scalars(select(Deal.name).order_by(Deal.name)).all()
    assert names == ["Acme renewal", "Globex expansion"]


def test_a_large_export_is_imported_in_the_background_and_the_admin_is_notified(
    app, page_signed_in, users
):
    app.config["CRM_IMPORT_INLINE_ROWS"] = 2
    raw = export([opportunity(n, name=f"Deal {n}") for n in range(1, 6)])
    admin = page_signed_in(users["admin"], "/deals/import")
    admin.get_by_label("CRM export (CSV)").set_input_files(
        {"name": "q4.csv", "mimeType": "text/csv", "buffer": raw}
    )
    admin.get_by_role("button", name="Upload and preview").click()
    job_queue(app).held.clear()

    admin.get_by_role("button", name="Import these deals").click()

    expect(admin.get_by_role("status")).to_have_text(
        "The import runs in the background: you will be notified when it is done, and this "
        "page shows what it did."
    )
    expect(admin.get_by_role("heading", name="Importing", exact=True)).to_be_visible()
    expect(admin.get_by_role("button", name="Import these deals")).to_have_count(0)

    assert run_held(app) == 1  # as the job thread or a worker would

    admin.reload()
    expect(admin.get_by_text("5 created, 0 updated, 0 unchanged, 0 rejected.")).to_be_visible()
    admin.get_by_role("link", name="Notifications: 1 unread").click()
    admin.get_by_role("button", name="Imported “q4.csv”: 5 created").click()
    expect(admin.get_by_role("heading", name="Imported", exact=True)).to_be_visible()
