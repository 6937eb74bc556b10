"""Upload checks and storage.

A file's type is decided by its bytes, not its name: the extension must agree with what
the content is. Office files are zip archives; their central directory is read before
anything unpacks them, so a zip bomb is refused in milliseconds. A stored file's text is
read for search later, outside the request (content.files.reading); a file whose text cannot
be read is still stored, with the reason.
"""

import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from content.files.storage import file_store
from content.files.zips import office_zip_refusal
from content.library.models import EXTRACTION_PENDING, FileKind, PreviewStatus, StoredFile
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.jobs import enqueue

KINDS: dict[str, tuple[str, set[str]]] = {
    FileKind.PDF: ("application/pdf", {".pdf"}),
    FileKind.PPTX: (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        {".pptx"},
    ),
    FileKind.DOCX: (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        {".docx"},
    ),
    FileKind.PNG: ("image/png", {".png"}),
    FileKind.JPEG: ("image/jpeg", {".jpg", ".jpeg"}),
}
ALLOWED_EXTENSIONS = sorted(ext for _mime, exts in KINDS.values() for ext in exts)


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    mime_type: str
    size: int
    sha256: str


def _zip_kind(stream: BinaryIO) -> str | None:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    refusal = office_zip_refusal(archive)
    if refusal:
        raise ValidationFailed(refusal)
    names = {info.filename for info in archive.infolist()}
    if "[Content_Types].xml" not in names:
        return None
    if "ppt/presentation.xml" in names:
        return FileKind.PPTX
    if "word/document.xml" in names:
        return FileKind.DOCX
    return None


def sniff_kind(stream: BinaryIO) -> str | None:
    """Return the file kind its bytes show, or None for anything we do not accept."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return FileKind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(stream)
        stream.seek(0)
        return kind
    return None


def check_upload(stream: BinaryIO, filename: str) -> CheckedUpload:
    """Validate size, extension and content of an upload; raise ValidationFailed if bad."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise ValidationFailed("The file is empty.", {"file": "The file is empty."})
    if size > limit:
        message = f"The file is larger than the {limit // (1024 * 1024)} MB limit."
        raise ValidationFailed(message, {"file": message})
    extension = Path(filename or "").suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        message = "Upload a PDF, PowerPoint (.pptx), Word (.docx), PNG or JPEG file."
        raise ValidationFailed(message, {"file": message})
    kind = sniff_kind(stream)
    if kind is None or extension not in KINDS[kind][1]:
        message = f"The file's content is not a valid {extension[1:].upper()} file."
        raise ValidationFailed(message, {"file": message})
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedUpload(kind, KINDS[kind][0], size, digest.hexdigest())


def clean_original_name(filename: str) -> str:
    """Keep the name a user gave for downloads, without any path or control characters."""
    name = Path((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>')
    return name[:200] or "file"


def send_stored(stored: StoredFile, inline: bool):
    """A response serving ``stored`` under its original name: shown in the browser when
    ``inline`` and the browser can show it (PDFs, images), else downloaded; never cached
    by shared caches."""
    response = file_store().response(
        stored.storage_name,
        mimetype=stored.mime_type,
        as_attachment=not (inline and stored.previewable),
        download_name=stored.original_name,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def store_upload(stream: BinaryIO, filename: str, uploader) -> StoredFile:
    """Check and save an upload under a generated name; returns the (flushed) StoredFile.

    The store writes the whole file or nothing (content.files.storage). The file's text is left
    "pending": reading it can take seconds, so the ``files.extract`` job does it after
    the upload has answered (content.files.reading); so are its page previews, made by
    the ``files.preview`` job (content.files.previewing).
    """
    checked = check_upload(stream, filename)
    storage_name = f"{uuid.uuid4().hex}{sorted(KINDS[checked.kind][1])[0]}"
    file_store().save(storage_name, stream)
    stored = StoredFile(
        original_name=clean_original_name(filename),
        mime_type=checked.mime_type,
        kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        storage_name=storage_name,
        uploaded_by_id=uploader.id,
        extraction_status=EXTRACTION_PENDING,
        preview_status=PreviewStatus.PENDING,
    )
    db.session.add(stored)
    db.session.flush()
    enqueue("files.extract")
    enqueue("files.preview")
    return stored
