"""An admin uploads a CRM export, reads the preview with the reason a row is refused,
imports it and sees what the import did."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from content.deals.models import Deal
from portal.kernel.extensions import db
from tests.content.crm_exports import export, opportunity

pytestmark = pytest.mark.browser


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
