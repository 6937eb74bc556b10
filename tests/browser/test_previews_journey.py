"""A marketer uploads a PDF; once the background job has rendered it, the board shows its
thumbnail and the asset page shows its pages one at a time, turned with the arrow keys."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from portal.kernel.jobs import run_held
from tests.browser.helpers import choose
from tests.factories import pdf_bytes

pytestmark = pytest.mark.browser


def _three_pages() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("Pricing overview"))))
    writer.add_blank_page(612, 792)
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Rendering and the viewer do not depend on the database (tests/content covers both).
@pytest.mark.parametrize("database", ["sqlite"])
def test_marketer_uploads_a_pdf_and_reads_its_pages(page_signed_in, users, tmp_path):
    pdf = tmp_path / "pricing.pdf"
    pdf.write_bytes(_three_pages())
    marketer = page_signed_in(users["marketer"], "/assets/new")
    marketer.get_by_label("Title").fill("Pricing overview")
    choose(marketer, "Buyer stages", "Awareness")
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


BEACON_PAGE = """<!doctype html><html><body>
<div data-beacon-url="/beacon" data-visit="visit-1">
  <section class="viewer" tabindex="0" aria-label="Pages of Deck" data-pages="2" data-item="7">
    <div class="viewer-controls" hidden>
      <button type="button" class="viewer-prev">Previous</button>
      <span class="viewer-counter" aria-live="polite">Page 1 of 2</span>
      <button type="button" class="viewer-next">Next</button>
    </div>
    <ol class="viewer-pages">
      <li class="viewer-page" data-page="1"><img data-src="/static/tandem.css" alt="Page 1"></li>
      <li class="viewer-page" data-page="2"><img data-src="/static/tandem.css" alt="Page 2"></li>
    </ol>
  </section>
</div>
<script src="/static/viewer.js"></script>
</body></html>"""


# The database plays no part: SQLite only.
@pytest.mark.parametrize("database", ["sqlite"])
def test_the_viewer_reports_the_time_each_page_was_read(page, live_server):
    """The sending side of reading beacons, on a stand-in buyer page."""
    beacons = []
    page.route(
        f"{live_server}/reader",
        lambda route: route.fulfill(body=BEACON_PAGE, content_type="text/html"),
    )
    page.route(
        f"{live_server}/beacon",
        lambda route: (beacons.append(route.request.post_data_json), route.fulfill(status=204)),
    )
    page.goto("/reader")
    page.wait_for_timeout(300)
    page.get_by_role("button", name="Next").click()
    page.wait_for_timeout(300)

    page.evaluate("window.dispatchEvent(new Event('pagehide'))")

    for _ in range(50):  # the beacon leaves asynchronously
        if beacons:
            break
        page.wait_for_timeout(50)
    (beacon,) = beacons
    assert (beacon["visit"], beacon["seq"]) == ("visit-1", 1)
    read = {view["page"]: view["ms"] for view in beacon["views"]}
    assert {view["item"] for view in beacon["views"]} == {7}
    assert set(read) == {1, 2}
    assert 200 <= read[1] < 5000
    assert 200 <= read[2] < 5000
