"""The export's background jobs: making an archive, and the sweep that deletes expired
archives and asks again for exports whose job was lost.

The archive is written to a temporary file in the instance folder, then saved in the
store of uploaded files under a generated name, so any host may answer its download.
Progress is committed after each page of rows, so the requester's page follows it.
"""

import logging
import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from content.files.storage import file_store
from portal.export import services
from portal.export.archive import write_zip
from portal.export.models import DataExport, ExportStatus
from portal.export.table import Scope
from portal.kernel.extensions import db
from portal.kernel.jobs import enqueue_now, job
from portal.kernel.models import User, utcnow
from portal.kernel.permissions import can

log = logging.getLogger(__name__)

FAILED = (
    "The export could not be made: the error was logged for the portal's admins. "
    "Start it again; if it fails again, tell an admin."
)
NOT_ALLOWED = "Your account may no longer export data."
# A message waits at most this long in a busy queue before the sweep sends another.
LOST_AFTER = timedelta(minutes=5)


@job("export.build", max_retries=2, time_limit_seconds=services.BUILD_SECONDS)
def build(export_id: int) -> None:
    """Make the archive of export ``export_id`` for its requester. A second run, or a run
    after another job took it, finds it claimed and does nothing."""
    claimed_at = services.claim(export_id)
    if claimed_at is None:
        return
    db.session.commit()
    export = db.session.get(DataExport, export_id)
    assert export is not None
    user = db.session.get(User, export.requested_by_id)
    if user is None or not can(user, "export_data"):
        services.record_failure(export_id, claimed_at, NOT_ALLOWED)
        return
    try:
        storage_name, size = _make_archive(Scope(user), export_id, claimed_at)
    except Exception:  # noqa: BLE001 - the requester is told; the details go to the log
        db.session.rollback()
        log.exception("The export %s failed", export_id)
        services.record_failure(export_id, claimed_at, FAILED)
        return
    if not services.record_ready(export_id, claimed_at, storage_name, size):
        # Another job took the export over meanwhile: its archive is the one kept.
        file_store().delete(storage_name)


def _make_archive(scope: Scope, export_id: int, claimed_at: datetime) -> tuple[str, int]:
    """Write the archive, then store it; returns its storage name and size."""
    folder = Path(current_app.instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)

    def progress(current_file: str, rows_done: int, rows_total: int) -> None:
        services.record_progress(export_id, claimed_at, current_file, rows_done, rows_total)
        db.session.commit()

    with tempfile.TemporaryFile(dir=folder) as partial:
        summary = write_zip(scope, partial, progress)
        size = partial.tell()
        partial.seek(0)
        storage_name = f"{uuid.uuid4().hex}.zip"
        file_store().save(storage_name, partial)
    log.info("Export %s: %s rows in %s", export_id, f"{summary.total:,}", storage_name)
    return storage_name, size


@job("export.sweep")
def sweep() -> None:
    """Delete the archives of expired exports, and ask again for the exports whose job
    was lost or died. Safe to run twice: each step finds only what is left."""
    now = utcnow()
    for export in services.expired_exports(now):
        if export.storage_name:
            file_store().delete(export.storage_name)
        export.status, export.storage_name = ExportStatus.EXPIRED, None
    db.session.commit()
    for export_id in services.abandoned_exports(now, LOST_AFTER):
        enqueue_now("export.build", export_id=export_id)
