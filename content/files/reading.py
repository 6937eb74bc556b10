"""Reading the text of uploaded files for search, after the upload has answered.

Reading a file can keep a process busy for many seconds (content.files.extraction bounds
how long), so an upload only stores the file, with extraction_status "pending", and the
``files.extract`` job (content.files.jobs) reads waiting files in the background. A file
is claimed by moving it to "reading" (content.files.claims): two indexers never read the
same file, and a claim left by a process that died is taken again once it is older than
the longest a read can take. Whatever happens to the reader, the stored file itself stays.
"""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask import current_app

from content.files.claims import Claim, Step
from content.files.extraction import (
    DEFAULT_TIMEOUT_SECONDS,
    UNREADABLE_NOTE,
    Extraction,
    extract_text,
)
from content.files.storage import file_store
from content.library.models import EXTRACTION_PENDING as PENDING
from content.library.models import EXTRACTION_READING as READING
from content.library.models import StoredFile
from portal.kernel.extensions import db

# Beyond the extraction timeout, the time a reader may need to start and to record.
CLAIM_MARGIN = timedelta(minutes=1)


def _timeout() -> float:
    return current_app.config.get("EXTRACTION_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS


TEXT_STEP = Step(
    status=StoredFile.extraction_status,
    claimed_at=StoredFile.extraction_claimed_at,
    waiting_value=PENDING,
    working_value=READING,
    timeout=_timeout,
    margin=CLAIM_MARGIN,
)


def count_waiting_files() -> int:
    """How many stored files wait to be read (pending or with an abandoned claim)."""
    return TEXT_STEP.count_waiting()


def claim_waiting_file() -> Claim | None:
    """Claim the oldest file waiting to be read, or None when there is none (or another
    reader won the race for it). Flushes; the caller commits before reading, so other
    readers see the claim."""
    return TEXT_STEP.claim_oldest()


def read_claimed_file(claim: Claim) -> Extraction:
    """Extract the claimed file's text in a limited child process; touches no database,
    so no transaction is held open while a slow file is read."""
    try:
        with file_store().local_path(claim.storage_name) as path:
            return _extract(path, claim.kind)
    except FileNotFoundError:
        return Extraction("failed", "", "The stored file is missing.")


def record_extraction(claim: Claim, extraction: Extraction) -> bool:
    """Store what reading the file gave, if the claim is still this reader's (a reader
    presumed dead whose claim was taken again records nothing); returns whether it did.
    Flushes; the caller commits."""
    if not TEXT_STEP.release(claim):
        return False
    # Written through the ORM (the row is now locked by the release's UPDATE), so the search
    # outbox sees the change and queues every asset whose revisions hold this file.
    stored = db.session.get(StoredFile, claim.file_id, populate_existing=True)
    assert stored is not None, "the UPDATE above found it"
    stored.extracted_text = extraction.text or None
    stored.extraction_status = extraction.status
    stored.extraction_note = extraction.note
    db.session.flush()
    return True


def read_waiting_files(progress: Callable[[int], object] | None = None) -> int:
    """Read every file waiting for its text, oldest first; returns how many were read.

    Each claim and each result is committed on its own (Step.work_through), so an
    interruption keeps the work done and an abandoned claim is taken again later.
    """
    return len(TEXT_STEP.work_through(_read_and_record, progress))


def _read_and_record(claim: Claim) -> bool:
    return record_extraction(claim, read_claimed_file(claim))


def _extract(path: Path, kind: str) -> Extraction:
    """Extract the stored file's text; an unexpected error costs the text, not the file."""
    try:
        return extract_text(path, kind, _timeout())
    except Exception:  # noqa: BLE001 - e.g. no process could be started; keep the file
        current_app.logger.warning("Text extraction of %s failed", path.name, exc_info=True)
        return Extraction("failed", "", UNREADABLE_NOTE)
