"""A marketer fills the asset form as people expect forms to work: the multi-selects are
searchable (typing narrows the choices), and a save refused for a missing buyer stage keeps
the file already chosen, so the corrected save creates the asset with it."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from content.files.storage import file_store
from content.library.models import Asset
from portal.kernel.extensions import db
from portal.kernel.templating import format_size
from tests.browser.helpers import choose
from tests.factories import SQLITE_ONLY, pdf_bytes

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def test_marketer_picks_personas_by_typing_and_a_refused_save_keeps_the_file(
    page_signed_in, users, tmp_path
):
    content = pdf_bytes("Payback in five months")
    pdf = tmp_path / "roi-report.pdf"
    pdf.write_bytes(content)
    page = page_signed_in(users["marketer"], "/assets/new")

    page.get_by_label("Title").fill("ROI report")
    page.get_by_label("File", exact=True).set_input_files(pdf)
    personas = page.get_by_label("Personas", exact=True)
    personas.fill("cf")  # the list narrows to what matches the typing
    expect(page.locator("#personas-ts-dropdown").get_by_role("option")).to_have_text(["CFO"])
    personas.press("Enter")
    choose(page, "Personas", "VP Sales")
    expect(page.get_by_text("Hold Ctrl or ⌘ to choose several.")).to_have_count(0)
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_text("Choose at least one buyer stage.").first).to_be_visible()
    expect(page.locator("#file-kept")).to_have_text(
        f"Attached: roi-report.pdf ({format_size(len(content))}) — kept from your last try; "
        "choose another file to replace it."
    )
    choose(page, "Buyer stages", "Decision")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("status")).to_contain_text("Draft saved")
    expect(page.get_by_text("roi-report.pdf").first).to_be_visible()
    db.session.rollback()  # read what the server committed
    asset = db.session.scalar(select(Asset))
    assert sorted(p.name for p in asset.personas) == ["CFO", "VP Sales"]
    assert [s.name for s in asset.stages] == ["Decision"]
    stored = asset.latest_revision.file
    assert file_store().path(stored.storage_name).read_bytes() == content
