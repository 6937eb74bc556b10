"""Text extraction for search: words come out of PDFs, decks and documents; bad files are
stored anyway with a reason authors can read; hostile files cannot hold a worker.

Uploads leave the text to the background reader (content.files.reading); the upload tests
here read waiting files as the search indexer does before it drains."""

import io
import os
import sys
import time

import docx
import pptx
import pytest
from pptx.util import Inches
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from content.files import extraction, zips
from content.files import reading as file_text
from content.files.extraction import MAX_CHARS, UNREADABLE_NOTE, Extraction, extract_text, normalise
from content.library.models import ExtractionStatus, StoredFile
from portal.kernel.extensions import db
from tests.content.helpers import asset_form, image_bytes, zip_bomb_docx
from tests.factories import make_asset, pdf_bytes

CORRUPT_PDF = b"%PDF-1.4 garbage that is not a PDF at all"


def test_every_outcome_of_extraction_is_a_status_the_database_accepts():
    # The child process imports no models, so extraction keeps its own tuple.
    assert set(extraction.STATUSES) <= set(ExtractionStatus)


def _encrypted_pdf(opened_with: str = "s3cret", text: str = "Board-only forecast") -> bytes:
    """A PDF that opens only with ``opened_with`` ("" locks it only against editing)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(text))))
    writer.encrypt(opened_with, owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _blank_pdf(blank_pages: int = 1, cover: str | None = None) -> bytes:
    """A PDF of blank pages, after a cover page with text when ``cover`` is given."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(cover)))) if cover else PdfWriter()
    for _ in range(blank_pages):
        writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _deck() -> bytes:
    """A slide with a title, a table, a grouped text box and speaker notes."""
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Pricing deck"
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    for (row, column), words in {
        (0, 0): "Tier",
        (0, 1): "Price",
        (1, 0): "Enterprise seats",
        (1, 1): "40 EUR",
    }.items():
        table.cell(row, column).text = words
    group = slide.shapes.add_group_shape()
    box = group.shapes.add_textbox(Inches(1), Inches(4), Inches(3), Inches(1))
    box.text_frame.text = "Grouped insight"
    slide.notes_slide.notes_text_frame.text = "Mention the   annual discount"
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _document(*paragraphs: str) -> bytes:
    """Paragraphs, then a table with a merged cell, then a closing paragraph."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Seats"
    table.cell(0, 1).text = "250"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "Rolled out in six weeks"
    document.add_paragraph("Closing\tthoughts")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _extract(tmp_path, name: str, content: bytes, kind: str, **kwargs) -> Extraction:
    path = tmp_path / name
    path.write_bytes(content)
    return extract_text(path, kind, **kwargs)


# ---- extract_text on files ----------------------------------------------------------------


def test_pdf_text_is_extracted(tmp_path):
    result = _extract(tmp_path, "brief.pdf", pdf_bytes("Quarterly pricing review"), "pdf")

    assert result == Extraction("extracted", "Quarterly pricing review", "")


def test_deck_text_comes_from_titles_tables_groups_and_speaker_notes(tmp_path):
    result = _extract(tmp_path, "deck.pptx", _deck(), "pptx")

    assert result.status == "extracted"
    assert result.text == (
        "Pricing deck\nTier | Price\nEnterprise seats | 40 EUR\nGrouped insight\n"
        "Mention the annual discount"
    )


def test_document_text_comes_from_paragraphs_and_table_cells(tmp_path):
    content = _document("Acme   case study", "", "", "Why they chose us.")

    result = _extract(tmp_path, "story.docx", content, "docx")

    assert result.status == "extracted"
    assert result.text == (
        "Acme case study\nWhy they chose us.\nSeats\n250\nRolled out in six weeks\nClosing thoughts"
    )


def test_whitespace_is_collapsed_and_characters_a_database_refuses_are_dropped():
    assert normalise("  Price \t list\x00\r\n\n\n\n\u00a0\nNext   line \ud800 ") == (
        "Price list\n\nNext line"
    )


@pytest.mark.parametrize(("name", "kind"), [("chart.png", "png"), ("photo.jpg", "jpeg")])
def test_images_are_skipped(tmp_path, name, kind):
    result = _extract(tmp_path, name, image_bytes("PNG" if kind == "png" else "JPEG"), kind)

    assert (result.status, result.text) == ("skipped", "")


def test_pdf_without_text_is_empty(tmp_path):
    result = _extract(tmp_path, "scan.pdf", _blank_pdf(), "pdf")

    assert result == Extraction("empty", "", "No text found in this file.")


@pytest.mark.parametrize(
    ("content", "note"),
    [
        (CORRUPT_PDF, "The PDF is damaged or not in a format we can read."),
        (_encrypted_pdf(), "The PDF is encrypted."),
    ],
    ids=["corrupt", "encrypted"],
)
def test_unreadable_pdf_fails_with_a_reason(tmp_path, content, note):
    assert _extract(tmp_path, "bad.pdf", content, "pdf") == Extraction("failed", "", note)


def test_pdf_locked_only_against_editing_is_still_read(tmp_path):
    content = _encrypted_pdf(opened_with="", text="Public price list")

    assert _extract(tmp_path, "locked.pdf", content, "pdf").text == "Public price list"


def test_damaged_word_document_fails_with_a_reason(tmp_path):
    content = _document("Draft")[:-200]

    result = _extract(tmp_path, "cut.docx", content, "docx")

    assert result == Extraction(
        "failed", "", "The Word document is damaged or not in a format we can read."
    )


def test_zip_bomb_is_refused_from_its_central_directory_without_a_child(tmp_path, monkeypatch):
    monkeypatch.setattr(extraction, "_child_command", lambda *_: pytest.fail("child started"))
    path = tmp_path / "bomb.docx"
    path.write_bytes(zip_bomb_docx())

    started = time.perf_counter()
    result = extract_text(path, "docx")

    assert time.perf_counter() - started < 0.5
    assert result == Extraction(
        "failed", "", "This Office file is compressed suspiciously tightly."
    )


def test_office_refusal_uses_the_upload_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(zips, "MAX_ZIP_ENTRIES", 5)

    result = _extract(tmp_path, "deck.pptx", _deck(), "pptx")

    assert result.note == "This Office file unpacks to more than we can safely read."


def test_only_the_first_500_pages_are_read(tmp_path):
    result = _extract(tmp_path, "long.pdf", _blank_pdf(blank_pages=501, cover="Cover"), "pdf")

    assert result == Extraction("extracted", "Cover", "Only the first 500 pages of 502 were read.")


def test_text_over_the_character_cap_is_cut_with_a_note(tmp_path):
    paragraph = "pricing " * 1400
    content = _document(*[paragraph] * 100)

    result = _extract(tmp_path, "long.docx", content, "docx")

    assert result.status == "extracted"
    assert MAX_CHARS - 10 < len(result.text) <= MAX_CHARS
    assert result.text.startswith("pricing pricing")
    assert result.note == "The text was cut at 1,000,000 characters."


# ---- the child process and its bounds -----------------------------------------------------


def test_a_child_over_the_timeout_is_killed_and_reported(tmp_path, monkeypatch):
    pid_file = tmp_path / "child.pid"
    sleeper = (
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(9)"
    )
    monkeypatch.setattr(extraction, "_child_command", lambda *_: [sys.executable, "-c", sleeper])

    started = time.perf_counter()
    result = _extract(tmp_path, "slow.pdf", pdf_bytes(), "pdf", timeout=0.5)

    assert time.perf_counter() - started < 2
    assert result == Extraction("failed", "", "Extraction took longer than 0.5 s.")
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_the_child_runs_under_a_memory_limit(tmp_path, monkeypatch):
    hog = "import content.files.extraction as e; e.limit_resources(); bytearray(2 * 1024**3)"
    monkeypatch.setattr(extraction, "_child_command", lambda *_: [sys.executable, "-c", hog])

    assert _extract(tmp_path, "big.pdf", pdf_bytes(), "pdf") == Extraction(
        "failed", "", UNREADABLE_NOTE
    )


def test_a_child_stopped_by_the_cpu_limit_is_reported(tmp_path, monkeypatch):
    # What the kernel does at RLIMIT_CPU, without spending the CPU seconds.
    spinner = (
        "import os, resource, signal; resource.setrlimit(resource.RLIMIT_CORE, (0, 0)); "
        "os.kill(os.getpid(), signal.SIGXCPU)"
    )
    monkeypatch.setattr(extraction, "_child_command", lambda *_: [sys.executable, "-c", spinner])

    result = _extract(tmp_path, "busy.pdf", pdf_bytes(), "pdf")

    assert result == Extraction("failed", "", "Extraction used more than 20 s of CPU.")


# ---- uploads ------------------------------------------------------------------------------


def _stored(asset) -> StoredFile:
    return asset.latest_revision.file


def _uploaded_and_read(owner, title: str, file: tuple[str, bytes]):
    """An asset with ``file``, once the background reader has read the file's text."""
    asset = make_asset(owner, title, file=file)
    file_text.read_waiting_files()
    db.session.expire_all()
    return asset


def test_uploading_through_the_form_stores_the_text(client_as):
    data = asset_form("Pricing review", body="")
    data["file"] = (io.BytesIO(pdf_bytes("Quarterly pricing review")), "review.pdf")

    response = client_as("marketer").form("/assets/new", data)
    file_text.read_waiting_files()

    assert response.status_code == 302
    stored = db.session.scalar(select(StoredFile))
    assert (stored.extraction_status, stored.extraction_note) == ("extracted", "")
    assert stored.extracted_text == "Quarterly pricing review"


def test_images_are_stored_as_skipped(marketer):
    stored = _stored(_uploaded_and_read(marketer, "Chart", file=("chart.png", image_bytes("PNG"))))

    assert (stored.extraction_status, stored.extracted_text) == ("skipped", None)


@pytest.mark.parametrize(
    ("content", "note"),
    [
        (CORRUPT_PDF, "The PDF is damaged or not in a format we can read."),
        (_encrypted_pdf(), "The PDF is encrypted."),
    ],
    ids=["corrupt", "encrypted"],
)
def test_unreadable_pdf_is_stored_and_explained_to_authors_only(client_as, marketer, content, note):
    asset = _uploaded_and_read(marketer, "Board pack", file=("board.pdf", content))
    author, rep = client_as("marketer"), client_as("rep")

    download = rep.get(f"/assets/{asset.id}/file")
    author_page = author.get(f"/assets/{asset.id}").text
    rep_page = rep.get(f"/assets/{asset.id}").text

    assert download.status_code == 200
    assert download.data == content
    assert _stored(asset).extraction_status == "failed"
    assert f"Text not extracted: {note}" in author_page
    assert "board.pdf" in rep_page
    assert "Text not extracted" not in rep_page


def test_authors_are_told_when_a_file_has_no_text(client_as, marketer):
    asset = _uploaded_and_read(marketer, "Scanned contract", file=("scan.pdf", _blank_pdf()))

    author_page = client_as("marketer").get(f"/assets/{asset.id}").text
    rep_page = client_as("rep").get(f"/assets/{asset.id}").text

    assert "No text found in this file." in author_page
    assert "No text found" not in rep_page


def test_configured_timeout_applies_to_uploads(app, marketer):
    app.config["EXTRACTION_TIMEOUT_SECONDS"] = 0.01

    stored = _stored(_uploaded_and_read(marketer, "Brief", file=("brief.pdf", pdf_bytes())))

    assert (stored.extraction_status, stored.extraction_note) == (
        "failed",
        "Extraction took longer than 0.01 s.",
    )


def test_an_extraction_crash_never_costs_the_upload(app, marketer, monkeypatch, caplog):
    def crash(*_args):
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(file_text, "extract_text", crash)

    asset = _uploaded_and_read(marketer, "Brief", file=("brief.pdf", pdf_bytes()))

    assert (_stored(asset).extraction_status, _stored(asset).extraction_note) == (
        "failed",
        UNREADABLE_NOTE,
    )
    assert "Text extraction of" in caplog.text
