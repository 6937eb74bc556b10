"""Bad input in the new-asset form is explained next to the field and saves nothing."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from content.library.models import Asset, StoredFile
from portal.kernel.extensions import db
from tests.browser.helpers import choose
from tests.factories import SQLITE_ONLY

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def open_form(page_signed_in, marketer) -> Page:
    page = page_signed_in(marketer, "/assets/new")
    expect(page.get_by_role("heading", name="New asset", level=1)).to_be_visible()
    return page


def saved_rows() -> tuple[int, int]:
    db.session.rollback()  # see what the server committed
    return (
        db.session.scalar(select(func.count(Asset.id))),
        db.session.scalar(select(func.count(StoredFile.id))),
    )


def test_empty_title_shows_field_error_and_creates_nothing(page_signed_in, users):
    page = open_form(page_signed_in, users["marketer"])
    page.get_by_label("Body (Markdown)").fill("A body without a title.")
    choose(page, "Buyer stages", "Awareness")
    page.get_by_role("button", name="Save draft").click()

    title = page.get_by_label("Title")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description("This field is required.")
    expect(page.get_by_role("alert")).to_contain_text("Title")
    # What was typed is kept, so nothing has to be entered twice.
    expect(page.get_by_label("Body (Markdown)")).to_have_value("A body without a title.")
    assert saved_rows() == (0, 0)


def test_text_file_renamed_pdf_is_refused(app, page_signed_in, users, tmp_path):
    fake = tmp_path / "brochure.pdf"
    fake.write_text("Just some notes, not a PDF at all.\n")
    page = open_form(page_signed_in, users["marketer"])
    page.get_by_label("Title").fill("Brochure")
    choose(page, "Buyer stages", "Awareness")
    page.get_by_label("File", exact=True).set_input_files(fake)
    page.get_by_role("button", name="Save draft").click()

    file_field = page.get_by_label("File", exact=True)
    expect(file_field).to_have_attribute("aria-invalid", "true")
    expect(file_field).to_have_accessible_description("The file's content is not a valid PDF file.")
    expect(page.get_by_role("alert")).to_contain_text("not a valid PDF")
    expect(page.get_by_label("Title")).to_have_value("Brochure")
    assert saved_rows() == (0, 0)
    assert not any(Path(app.config["UPLOAD_FOLDER"]).rglob("*")), "no bytes are kept either"
