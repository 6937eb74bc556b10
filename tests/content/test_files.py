"""Upload checks: the type is decided by the bytes, sizes are bounded, zip bombs are cheap."""

import hashlib
import io
import time
import zipfile

import pytest

from content.files import uploads as files
from content.files import zips
from content.files.uploads import check_upload, clean_original_name, sniff_kind
from tests.content.helpers import docx_bytes, image_bytes, office_zip, pptx_bytes, zip_bomb_docx
from tests.factories import pdf_bytes

MB = 1024 * 1024


def _check(content: bytes, filename: str):
    return check_upload(io.BytesIO(content), filename)


def _refusal(content: bytes, filename: str) -> str:
    with pytest.raises(files.ValidationFailed) as caught:
        _check(content, filename)
    return caught.value.message


@pytest.mark.parametrize(
    ("make", "filename", "kind", "mime"),
    [
        (pdf_bytes, "brief.pdf", "pdf", "application/pdf"),
        (lambda: image_bytes("PNG"), "chart.png", "png", "image/png"),
        (lambda: image_bytes("JPEG"), "photo.jpg", "jpeg", "image/jpeg"),
        (lambda: image_bytes("JPEG"), "photo.JPEG", "jpeg", "image/jpeg"),
        (docx_bytes, "case-study.docx", "docx", files.KINDS["docx"][0]),
        (pptx_bytes, "pitch.pptx", "pptx", files.KINDS["pptx"][0]),
    ],
)
def test_accepted_kinds_are_recognised_by_content(bare_app, make, filename, kind, mime):
    content = make()

    checked = _check(content, filename)

    assert (checked.kind, checked.mime_type, checked.size) == (kind, mime, len(content))
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_executable_is_refused_by_extension(bare_app):
    message = _refusal(b"MZ\x90\x00" + bytes(100), "setup.exe")

    assert message == "Upload a PDF, PowerPoint (.pptx), Word (.docx), PNG or JPEG file."


def test_file_without_extension_is_refused(bare_app):
    assert "Upload a PDF" in _refusal(pdf_bytes(), "brief")


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"just some text, honest", "notes.pdf", "not a valid PDF file"),
        (image_bytes("PNG"), "chart.pdf", "not a valid PDF file"),
        (pdf_bytes(), "brief.png", "not a valid PNG file"),
        (docx_bytes(), "deck.pptx", "not a valid PPTX file"),
        (pptx_bytes(), "doc.docx", "not a valid DOCX file"),
        (office_zip(["readme.txt"]), "plain-zip.docx", "not a valid DOCX file"),
        (b"PK\x03\x04 truncated nonsense", "broken.docx", "not a valid DOCX file"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(bare_app, content, filename, message):
    assert message in _refusal(content, filename)


def test_empty_file_is_refused(bare_app):
    assert _refusal(b"", "brief.pdf") == "The file is empty."


def test_file_over_the_configured_limit_is_refused(bare_app):
    too_big = b"%PDF-1.4\n" + bytes(2 * MB)

    assert _refusal(too_big, "big.pdf") == "The file is larger than the 2 MB limit."


def test_file_exactly_at_the_limit_is_accepted(bare_app):
    at_limit = b"%PDF-1.4\n" + bytes(2 * MB - 9)

    assert _check(at_limit, "edge.pdf").size == 2 * MB


def test_zip_bomb_disguised_as_docx_is_refused_quickly(bare_app):
    bomb = zip_bomb_docx()
    assert len(bomb) < 200 * 1024

    started = time.perf_counter()
    message = _refusal(bomb, "totally-normal.docx")

    assert time.perf_counter() - started < 0.5
    assert message == "This Office file is compressed suspiciously tightly."


def test_office_file_declaring_too_much_data_is_refused(bare_app, monkeypatch):
    monkeypatch.setattr(zips, "MAX_ZIP_UNCOMPRESSED", 64 * 1024)
    content = office_zip(
        ["[Content_Types].xml", "word/document.xml"],
        payload=bytes(range(256)) * 200,
        compression=zipfile.ZIP_STORED,
    )

    assert "unpacks to more than we can safely read" in _refusal(content, "large.docx")


def test_office_file_with_too_many_entries_is_refused(bare_app, monkeypatch):
    monkeypatch.setattr(zips, "MAX_ZIP_ENTRIES", 50)
    names = ["[Content_Types].xml", "word/document.xml"] + [f"word/p{i}.xml" for i in range(60)]

    assert "unpacks to more than" in _refusal(office_zip(names), "many.docx")


def test_sniffing_leaves_the_stream_at_the_start():
    stream = io.BytesIO(docx_bytes())

    assert sniff_kind(stream) == "docx"
    assert stream.tell() == 0


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Q3 pricing.pdf", "Q3 pricing.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\me\\deck.pptx", "deck.pptx"),
        ('evil"<name>.pdf', "evilname.pdf"),
        ("tab\there\n.pdf", "tabhere.pdf"),
        ("", "file"),
    ],
)
def test_original_names_lose_paths_and_unsafe_characters(given, kept):
    assert clean_original_name(given) == kept
