"""A marketer uploads a PDF; once the background job has rendered it, the board shows its
thumbnail and the asset page shows its pages one at a time, turned with the arrow keys."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from portal.kernel.jobs import run_held
from tests.factories import pdf_bytes

pytestmark = pytest.mark.browser


def _three_pages() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("Pricing overview"))))
    writer.add_blank_page(612, 792)
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_marketer_uploads_a_pdf_and_reads_its_pages(page_signed_in, users, tmp_path):
    pdf = tmp_path / "pricing.pdf"
    pdf.write_bytes(_three_pages())
    marketer = page_signed_in(users["marketer"], "/assets/new")
    marketer.get_by_label("Title").fill("Pricing overview")
    marketer.get_by_label("Buyer stages").select_option("Awareness")
    marketer.get_by_label("File", exact=True).set_input_files(pdf)
    marketer.get_by_role("button", name="Save draft").click()
    expect(marketer.get_by_role("status")).to_contain_text("Draft saved")
    expect(marketer.get_by_text("Preparing the page preview")).to_be_visible()

    run_held()  # the files.preview job, as the job thread would run it

    marketer.goto("/library?status=draft")
    card = marketer.get_by_role("article", name="Pricing overview")
    expect(card.locator("img.thumb")).to_be_visible()
    assert card.locator("img.thumb").evaluate("img => img.naturalWidth") == 320

    requested = []
    marketer.on("request", lambda request: requested.append(request.url))
    card.get_by_role("link", name="Pricing overview").click()
    viewer = marketer.get_by_role("region", name="Pages of Pricing overview")
    expect(viewer.get_by_text("Page 1 of 3")).to_be_visible()
    expect(viewer.get_by_role("button", name="Previous page")).to_be_disabled()
    expect(viewer.get_by_alt_text("Page 1 of 3 of Pricing overview")).to_be_visible()
    expect(viewer.get_by_alt_text("Page 2 of 3 of Pricing overview")).to_have_attribute(
        "src", "/assets/1/revisions/1/pages/2"
    )
    # Only the shown page and its neighbour have been asked for.
    assert not [url for url in requested if url.endswith("/pages/3")]

    viewer.focus()
    marketer.keyboard.press("ArrowRight")
    expect(viewer.get_by_text("Page 2 of 3")).to_be_visible()
    expect(viewer.get_by_alt_text("Page 2 of 3 of Pricing overview")).to_be_visible()
    expect(viewer.get_by_alt_text("Page 1 of 3 of Pricing overview")).to_be_hidden()
    viewer.get_by_role("button", name="Next page").click()
    expect(viewer.get_by_text("Page 3 of 3")).to_be_visible()
    expect(viewer.get_by_role("button", name="Next page")).to_be_disabled()
    marketer.keyboard.press("ArrowLeft")
    expect(viewer.get_by_text("Page 2 of 3")).to_be_visible()
