"""Reading uploaded files' text after the upload has answered: uploads leave the file
"pending", the background reader claims each waiting file once, records what it read,
and a reader that died leaves a claim that is taken again later."""

import io
import sys
import threading
import time
from datetime import timedelta

from sqlalchemy import select, update

from content.files import extraction
from content.files import reading as file_text
from content.files.extraction import Extraction
from content.files.reading import claim_waiting_file, read_waiting_files, record_extraction
from content.files.storage import file_store
from content.library.models import StoredFile
from content.library.services import AssetInput, revise_asset
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from tests.content.helpers import asset_form
from tests.factories import make_asset, pdf_bytes

CORRUPT_PDF = b"%PDF-1.4 garbage that is not a PDF at all"


def _file(file_id: int) -> StoredFile:
    db.session.expire_all()
    return db.session.get(StoredFile, file_id)


def _upload(owner, title: str = "Pricing review", text_line: str = "Quarterly pricing review"):
    """The stored file of a new asset holding a one-page PDF with ``text_line``."""
    asset = make_asset(owner, title, file=(f"{title}.pdf", pdf_bytes(text_line)))
    return asset.latest_revision.file


# ---- uploads answer before the text is read -------------------------------------------------


def test_an_upload_stores_the_file_as_pending_without_reading_it(client_as, monkeypatch):
    # A reader that would take ten seconds: the upload must not wait for it.
    sleeper = "import time; time.sleep(10)"
    monkeypatch.setattr(extraction, "_child_command", lambda *_: [sys.executable, "-c", sleeper])
    content = pdf_bytes("Quarterly pricing review")
    data = asset_form("Pricing review", body="")
    data["file"] = (io.BytesIO(content), "review.pdf")

    started = time.perf_counter()
    response = client_as("marketer").form("/assets/new", data)
    elapsed = time.perf_counter() - started

    assert response.status_code == 302
    assert elapsed < 3
    stored = db.session.scalar(select(StoredFile))
    assert (stored.extraction_status, stored.extracted_text) == ("pending", None)
    assert file_store().path(stored.storage_name).read_bytes() == content


def test_reading_records_the_text_of_every_waiting_file(marketer):
    first = _upload(marketer, "Pricing review", "Quarterly pricing review")
    second = _upload(marketer, "Security brief", "Encryption at rest")

    assert read_waiting_files() == 2

    assert _file(first.id).extracted_text == "Quarterly pricing review"
    assert (_file(second.id).extraction_status, _file(second.id).extracted_text) == (
        "extracted",
        "Encryption at rest",
    )
    assert _file(second.id).extraction_claimed_at is None
    assert read_waiting_files() == 0


def test_a_file_that_cannot_be_read_is_kept_and_marked_failed(marketer):
    asset = make_asset(marketer, "Board pack", file=("board.pdf", CORRUPT_PDF))
    stored = asset.latest_revision.file

    read_waiting_files()

    stored = _file(stored.id)
    assert (stored.extraction_status, stored.extraction_note) == (
        "failed",
        "The PDF is damaged or not in a format we can read.",
    )
    assert file_store().path(stored.storage_name).read_bytes() == CORRUPT_PDF


def test_a_file_missing_from_the_volume_is_marked_failed(marketer):
    stored = _upload(marketer)
    file_store().path(stored.storage_name).unlink()

    read_waiting_files()

    assert (_file(stored.id).extraction_status, _file(stored.id).extraction_note) == (
        "failed",
        "The stored file is missing.",
    )


def test_a_revision_made_while_the_file_waits_keeps_the_file_and_gets_its_text(marketer):
    asset = make_asset(marketer, "Pricing review", file=("review.pdf", pdf_bytes("Quokka")))
    data = AssetInput(title="Pricing review, revised", stages=list(asset.stages))
    revision = revise_asset(asset, marketer, asset.latest_revision_id, data)
    db.session.commit()

    read_waiting_files()

    assert revision.file_id == asset.revisions[0].file_id
    assert _file(revision.file_id).extracted_text == "Quokka"


# ---- claims --------------------------------------------------------------------------------


def test_two_readers_at_once_read_each_file_once(app, marketer, monkeypatch):
    ids = {_upload(marketer, f"Brief {n}", f"Brief number {n}").id for n in range(3)}
    reads: list[str] = []
    lock = threading.Lock()
    real_extract = file_text.extract_text

    def slow_extract(path, kind, timeout):
        with lock:
            reads.append(path.name)
        time.sleep(0.3)  # long enough for the other reader to look for work meanwhile
        return real_extract(path, kind, timeout)

    monkeypatch.setattr(file_text, "extract_text", slow_extract)
    counts: list[int] = []
    start = threading.Barrier(2)

    def reader():
        with app.app_context():
            start.wait()
            counts.append(read_waiting_files())
            db.session.remove()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(counts) == 2
    assert sum(counts) == 3
    assert len(reads) == len(set(reads)) == 3
    assert {_file(file_id).extraction_status for file_id in ids} == {"extracted"}


def test_a_claim_left_by_a_reader_that_died_is_taken_again_once_it_is_old(app, marketer):
    stored = _upload(marketer)
    abandoned = claim_waiting_file()
    db.session.commit()

    assert read_waiting_files() == 0  # the claim may still be alive
    assert _file(stored.id).text_waiting

    timeout = timedelta(seconds=app.config["EXTRACTION_TIMEOUT_SECONDS"])
    db.session.execute(
        update(StoredFile)
        .where(StoredFile.id == stored.id)
        .values(extraction_claimed_at=utcnow() - timeout - file_text.CLAIM_MARGIN)
    )
    db.session.commit()

    assert read_waiting_files() == 1
    assert _file(stored.id).extracted_text == "Quarterly pricing review"
    # The reader presumed dead comes back late: what it read is not recorded.
    assert not record_extraction(abandoned, Extraction("failed", "", "Too late."))
    db.session.commit()
    assert _file(stored.id).extraction_status == "extracted"


# ---- what authors see -----------------------------------------------------------------------


def test_the_asset_page_says_the_file_is_being_read_then_what_came_of_it(client_as, marketer):
    asset = make_asset(marketer, "Pricing review", file=("review.pdf", pdf_bytes("Quokka")))
    author, rep = client_as("marketer"), client_as("rep")

    waiting_page = author.get(f"/assets/{asset.id}").text
    waiting_form = author.get(f"/assets/{asset.id}/edit").text
    rep_page = rep.get(f"/assets/{asset.id}").text
    read_waiting_files()
    read_page = author.get(f"/assets/{asset.id}").text

    assert "Reading the file… Its words become searchable in a moment" in waiting_page
    assert "Reading the file…" in waiting_form
    assert "review.pdf" in rep_page
    assert "Reading the file" not in rep_page
    assert "Reading the file" not in read_page
    assert "Text read: the file's words are searchable." in read_page
