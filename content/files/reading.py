"""Reading the text of uploaded files for search, after the upload has answered.

Reading a file can keep a process busy for many seconds (content.files.extraction bounds
how long), so an upload only stores the file, with extraction_status "pending", and the
``files.extract`` job (content.files.jobs) reads waiting files in the background. A file
is claimed with one conditional UPDATE that moves it to
"reading" and stamps the time: two indexers never read the same file, and a claim left
by a process that died is taken again once it is older than the longest a read can take.
Whatever happens to the reader, the stored file itself stays.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

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
from portal.kernel.models import utcnow
from portal.kernel.sql import rows_changed

# Beyond the extraction timeout, the time a reader may need to start and to record.
CLAIM_MARGIN = timedelta(minutes=1)


@dataclass(frozen=True)
class FileClaim:
    """A stored file this reader has claimed; ``claimed_at`` tells its claim from a later one."""

    file_id: int
    storage_name: str
    kind: str
    claimed_at: datetime


def _timeout() -> float:
    return current_app.config.get("EXTRACTION_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS


def _waiting(now: datetime):
    """Files to read: never claimed, or claimed by a reader that has surely given up."""
    expired = now - timedelta(seconds=_timeout()) - CLAIM_MARGIN
    return or_(
        StoredFile.extraction_status == PENDING,
        and_(
            StoredFile.extraction_status == READING,
            StoredFile.extraction_claimed_at < expired,
        ),
    )


def count_waiting_files() -> int:
    """How many stored files wait to be read (pending or with an abandoned claim)."""
    return db.session.scalar(select(func.count(StoredFile.id)).where(_waiting(utcnow()))) or 0


def claim_waiting_file() -> FileClaim | None:
    """Claim the oldest file waiting to be read, or None when there is none (or another
    reader won the race for it). Flushes; the caller commits before reading, so other
    readers see the claim."""
    now = utcnow()
    oldest = (
        select(StoredFile.id).where(_waiting(now)).order_by(StoredFile.id).limit(1)
    ).scalar_subquery()
    # The condition is repeated on the row itself: of two readers racing for it, only
    # the one whose UPDATE still finds it waiting gets it.
    claimed = db.session.execute(
        update(StoredFile)
        .where(StoredFile.id == oldest, _waiting(now))
        .values(extraction_status=READING, extraction_claimed_at=now)
        .returning(StoredFile.id, StoredFile.storage_name, StoredFile.kind)
        .execution_options(synchronize_session=False)
    ).first()
    if claimed is None:
        return None
    return FileClaim(claimed.id, claimed.storage_name, claimed.kind, now)


def read_claimed_file(claim: FileClaim) -> Extraction:
    """Extract the claimed file's text in a limited child process; touches no database,
    so no transaction is held open while a slow file is read."""
    try:
        with file_store().local_path(claim.storage_name) as path:
            return _extract(path, claim.kind)
    except FileNotFoundError:
        return Extraction("failed", "", "The stored file is missing.")


def record_extraction(claim: FileClaim, extraction: Extraction) -> bool:
    """Store what reading the file gave, if the claim is still this reader's (a reader
    presumed dead whose claim was taken again records nothing); returns whether it did.
    Flushes; the caller commits."""
    held = rows_changed(
        update(StoredFile)
        .where(
            StoredFile.id == claim.file_id,
            StoredFile.extraction_status == READING,
            StoredFile.extraction_claimed_at == claim.claimed_at,
        )
        .values(extraction_claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    if held != 1:
        return False
    # Written through the ORM (the row is now locked by the UPDATE above), so the search
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

    Commits each claim before reading and each result on its own, so an interruption
    keeps the work done and an abandoned claim is taken again later.
    """
    count = 0
    while (claim := claim_waiting_file()) is not None:
        db.session.commit()
        record_extraction(claim, read_claimed_file(claim))
        db.session.commit()
        count += 1
        if progress is not None:
            progress(1)
    return count


def _extract(path: Path, kind: str) -> Extraction:
    """Extract the stored file's text; an unexpected error costs the text, not the file."""
    try:
        return extract_text(path, kind, _timeout())
    except Exception:  # noqa: BLE001 - e.g. no process could be started; keep the file
        current_app.logger.warning("Text extraction of %s failed", path.name, exc_info=True)
        return Extraction("failed", "", UNREADABLE_NOTE)
