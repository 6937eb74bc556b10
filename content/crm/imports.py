"""Importing a CRM opportunity export: upload, preview, import once, and the history.

An upload is checked as a whole (content.crm.export_file), planned row by row
(content.crm.plan) and kept, with its preview's counts, as a DealImport; nothing
is written to the deals until an admin confirms. The import plans again against the
database as it is then, and runs at most once per upload. The mapping of CRM stages to
buyer stages is in content.crm.stages. Services flush; views and the CLI commit.
"""

import dataclasses
import hashlib
import json
import os
import uuid
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from content.crm.export_file import CsvFile, check_filename, read_export
from content.crm.models import IMPORT_SOURCES, DealImport
from content.crm.plan import ImportCounts, Plan, Progress, apply_plan, plan_export
from content.crm.rows import Reject
from content.crm.stages import ensure_mappings_on_first_use
from content.files.uploads import clean_original_name
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
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


def import_folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _store(raw: bytes) -> str:
    """Save the bytes under a generated name; written to a temporary name and renamed,
    so no half-written file ever carries a name the database refers to."""
    storage_name = f"{uuid.uuid4().hex}.csv"
    folder = import_folder()
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"{storage_name}.part"
    partial.write_bytes(raw)
    os.replace(partial, folder / storage_name)
    return storage_name


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
    path = import_folder() / deal_import.storage_name
    if not path.is_file():
        raise ValidationFailed(STORED_FILE_MISSING)
    return plan_export(read_export(path.read_bytes(), current_app.config["MAX_UPLOAD_BYTES"]))


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
    claim = (
        update(DealImport)
        .where(DealImport.id == deal_import.id, DealImport.status == "previewed")
        .values(status="imported", imported_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rows_changed(claim) != 1:
        db.session.refresh(deal_import)
        assert deal_import.imported_at is not None, "the claim failed: it was imported"
        when = deal_import.imported_at.strftime("%-d %b %Y at %H:%M UTC")
        raise Conflict(f"This file was already imported on {when}; nothing was changed.")
    counts, rejects = apply_plan(plan or preview(deal_import), progress)
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
