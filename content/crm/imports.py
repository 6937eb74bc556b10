"""Importing a CRM opportunity export: upload, preview, import once, and the history.

An upload is checked as a whole (content.crm.export_file), planned row by row
(content.crm.plan) and kept, with its preview's counts, as a DealImport; nothing
is written to the deals until an admin confirms. The import plans again against the
database as it is then, and runs at most once per upload. The mapping of CRM stages to
buyer stages is in content.crm.stages. Services flush; views and the CLI commit.
"""

import dataclasses
import hashlib
import io
import json
import uuid
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from content.crm.export_file import CsvFile, check_filename, read_export
from content.crm.models import IMPORT_SOURCES, DealImport, ImportStatus
from content.crm.plan import ImportCounts, Plan, Progress, apply_plan, plan_export
from content.crm.rows import Reject
from content.crm.stages import ensure_mappings_on_first_use
from content.files.storage import file_store
from content.files.uploads import clean_original_name
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.jobs import enqueue, job
from portal.kernel.models import User, utcnow
from portal.kernel.notifications import notify
from portal.kernel.pagination import Page, paginate
from portal.kernel.permissions import can
from portal.kernel.sql import rows_changed

STORED_FILE_MISSING = "The uploaded file is no longer on the server: upload it again."


def _check_actor(actor: User | None) -> None:
    """``None`` is the command line, run by whoever operates the server."""
    if actor is not None and not can(actor, "import_deals"):
        raise PermissionDenied("Only admins import deals from the CRM.")


def read_file(raw: bytes, filename: str) -> CsvFile:
    """Check an export as a whole; a ValidationFailed says why the file is refused."""
    check_filename(filename)
    return read_export(raw, current_app.config["MAX_UPLOAD_BYTES"])


def preview_file(actor: User | None, raw: bytes, filename: str) -> Plan:
    """What importing this file would do now; writes no deal and keeps no record."""
    _check_actor(actor)
    export = read_file(raw, filename)
    ensure_mappings_on_first_use()
    return plan_export(export)


def legacy_import_folder() -> Path:
    """Where exports uploaded by earlier releases were kept (one host's instance folder);
    new ones go to the file store every host shares."""
    return Path(current_app.instance_path) / "imports"


def _store(raw: bytes) -> str:
    """Save the bytes under a generated name, in the store of uploaded files, so the host
    that runs the import needs not be the one that took the upload."""
    storage_name = f"{uuid.uuid4().hex}.csv"
    file_store().save(storage_name, io.BytesIO(raw))
    return storage_name


def _stored_bytes(storage_name: str) -> bytes | None:
    try:
        with file_store().open(storage_name) as stored:
            return stored.read()
    except FileNotFoundError:
        legacy = legacy_import_folder() / storage_name
        return legacy.read_bytes() if legacy.is_file() else None


def _record(deal_import: DealImport, counts: ImportCounts, rejects: list[Reject]) -> None:
    deal_import.created_count = counts.created
    deal_import.updated_count = counts.updated
    deal_import.unchanged_count = counts.unchanged
    deal_import.rejected_count = counts.rejected
    deal_import.rejects_json = json.dumps([dataclasses.asdict(reject) for reject in rejects])


def create_import(
    actor: User | None, raw: bytes, filename: str, source: str = "web"
) -> tuple[DealImport, Plan]:
    """Keep an uploaded export for preview and return it with its plan; no deal is
    written. A file refused as a whole (not text, missing columns…) keeps no record."""
    if source not in IMPORT_SOURCES:
        raise ValueError(f"Unknown import source {source!r}")
    plan = preview_file(actor, raw, filename)
    deal_import = DealImport(
        original_name=clean_original_name(filename),
        storage_name=_store(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        encoding=plan.export.encoding,
        uploaded_by_id=actor.id if actor is not None else None,
        source=source,
        status="previewed",
    )
    _record(deal_import, plan.counts, plan.rejects)
    db.session.add(deal_import)
    db.session.flush()
    return deal_import, plan


def get_import(actor: User, import_id: int) -> DealImport:
    """The import if this user may see it; otherwise NotFound (never a 403)."""
    deal_import = db.session.get(DealImport, import_id)
    if deal_import is None or not can(actor, "import_deals"):
        raise NotFound("No such import.")
    return deal_import


def preview(deal_import: DealImport) -> Plan:
    """What importing the stored file would do now (the database may have changed since
    the upload, and so may the stage mapping)."""
    raw = _stored_bytes(deal_import.storage_name)
    if raw is None:
        raise ValidationFailed(STORED_FILE_MISSING)
    return plan_export(read_export(raw, current_app.config["MAX_UPLOAD_BYTES"]))


def run_import(
    actor: User | None,
    deal_import: DealImport,
    plan: Plan | None = None,
    progress: Progress = None,
) -> ImportCounts:
    """Import a previewed upload: plan it against the database as it is now (or use the
    ``plan`` the caller just made of it) and write it. An upload imports once: a second
    run, even a concurrent one, is a Conflict that changes nothing."""
    _check_actor(actor)
    _claim(deal_import, ImportStatus.IMPORTED)
    return _write(deal_import, plan or preview(deal_import), progress)


def start_import(actor: User, deal_import: DealImport) -> None:
    """Hand a previewed upload to the ``deals.import`` job (after the commit), for a file
    too large to import while the admin waits; the admin is notified when it is done.
    A second start, or a start after the import, is a Conflict that changes nothing."""
    _check_actor(actor)
    _claim(deal_import, ImportStatus.IMPORTING)
    enqueue("deals.import", import_id=deal_import.id, actor_id=actor.id)


@job("deals.import", time_limit_seconds=3600)
def finish_import(import_id: int, actor_id: int) -> None:
    """Write an import ``start_import`` handed over, then tell the admin who started it.
    Safe to run twice: an import no longer in progress is left alone."""
    deal_import = db.session.get(DealImport, import_id)
    if deal_import is None or not deal_import.importing:
        return
    counts = _write(deal_import, preview(deal_import), None)
    # Until now imported_at said since when it was being imported.
    deal_import.status, deal_import.imported_at = ImportStatus.IMPORTED, utcnow()
    actor = db.session.get(User, actor_id)
    if actor is not None:
        notify(
            actor,
            "deals_imported",
            f"Imported “{deal_import.original_name}”: {counts}",
            f"/deals/import/{deal_import.id}",
        )


def _claim(deal_import: DealImport, status: ImportStatus) -> None:
    """Move a previewed upload to ``status`` in one conditional UPDATE, or raise the
    Conflict that says why it cannot be imported again."""
    claim = (
        update(DealImport)
        .where(DealImport.id == deal_import.id, DealImport.status == ImportStatus.PREVIEWED)
        .values(status=status, imported_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rows_changed(claim) == 1:
        return
    db.session.refresh(deal_import)
    assert deal_import.imported_at is not None, "the claim failed: it was imported"
    when = deal_import.imported_at.strftime("%-d %b %Y at %H:%M UTC")
    if deal_import.importing:
        raise Conflict(f"This file is being imported since {when}; nothing was changed.")
    raise Conflict(f"This file was already imported on {when}; nothing was changed.")


def _write(deal_import: DealImport, plan: Plan, progress: Progress) -> ImportCounts:
    counts, rejects = apply_plan(plan, progress)
    db.session.refresh(deal_import)
    _record(deal_import, counts, rejects)
    db.session.flush()
    return counts


def rejects_of(deal_import: DealImport) -> list[Reject]:
    """The rows refused: those of the import once it ran, else those of a fresh preview."""
    if deal_import.imported:
        return [Reject(**reject) for reject in deal_import.rejects]
    return preview(deal_import).rejects


def earlier_import(deal_import: DealImport) -> DealImport | None:
    """The latest other import of the very same file, if one was imported."""
    return db.session.scalar(
        select(DealImport)
        .where(
            DealImport.sha256 == deal_import.sha256,
            DealImport.id != deal_import.id,
            DealImport.status == "imported",
        )
        .order_by(DealImport.imported_at.desc())
        .limit(1)
    )


def import_history(page: int, per_page: int) -> Page:
    """Past uploads, newest first."""
    return paginate(
        select(DealImport),
        page,
        per_page,
        order=(DealImport.created_at.desc(), DealImport.id.desc()),
        options=(selectinload(DealImport.uploaded_by),),
    )
