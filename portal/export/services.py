"""Starting an export, finding a person's exports and recording what the job did.

A person has at most one unfinished export: the service refuses a second, and a unique
index on the unfinished rows stops two requests that race past that check. Services
flush; the view commits, and the job is sent after the commit.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.export.models import ERROR_MAX, DataExport, ExportStatus
from portal.kernel.errors import Conflict, PermissionDenied
from portal.kernel.extensions import db
from portal.kernel.jobs import enqueue
from portal.kernel.models import User, utcnow
from portal.kernel.pagination import Page, paginate
from portal.kernel.permissions import can, get_visible
from portal.kernel.sql import rows_changed

# The build job's time limit and a margin: a claim older than this was left by a job
# that died, and may be taken again.
BUILD_SECONDS = 3600
CLAIM_LIFE = timedelta(seconds=BUILD_SECONDS + 300)
ALREADY_RUNNING = "Your export is still being made: wait for it to finish."


def unfinished_export(user: User) -> DataExport | None:
    """The person's export that is waiting or being made, if any."""
    return db.session.scalar(
        select(DataExport).where(
            DataExport.requested_by_id == user.id,
            DataExport.status.in_((ExportStatus.QUEUED, ExportStatus.RUNNING)),
        )
    )


def start_export(user: User) -> DataExport:
    """Ask for an archive of everything ``user`` may read; the ``export.build`` job makes
    it after the commit. A Conflict when one of theirs is still being made."""
    if not can(user, "export_data"):
        raise PermissionDenied("Only admins and leaders export the portal's data.")
    if unfinished_export(user) is not None:
        raise Conflict(ALREADY_RUNNING)
    export = DataExport(requested_by_id=user.id, status=ExportStatus.QUEUED)
    try:
        with db.session.begin_nested():
            db.session.add(export)
    except IntegrityError:
        raise Conflict(ALREADY_RUNNING) from None
    enqueue("export.build", export_id=export.id)
    return export


def get_export(user: User, export_id: int) -> DataExport:
    """The export if it is ``user``'s; otherwise NotFound, whether it exists or not."""
    return get_visible(user, DataExport, export_id, "No such export.")


def exports_of(user: User, page: int, per_page: int) -> Page:
    """The person's exports, newest first."""
    return paginate(
        select(DataExport).where(DataExport.requested_by_id == user.id),
        page,
        per_page,
        order=(DataExport.created_at.desc(), DataExport.id.desc()),
    )


def download_name(export: DataExport) -> str:
    """The archive's file name as the browser saves it."""
    made = export.finished_at or export.created_at
    return f"tandem-export-{made:%Y-%m-%d-%H%M}.zip"


# ---- the job's claim and its record -------------------------------------------------------


def claim(export_id: int) -> datetime | None:
    """Take a waiting export (or one whose claim was left by a job that died) for this
    job in one conditional UPDATE; returns the claim's time, or None when there is
    nothing to do. Flushes; the job commits before working."""
    now = utcnow()
    taken = rows_changed(
        update(DataExport)
        .where(
            DataExport.id == export_id,
            or_(
                DataExport.status == ExportStatus.QUEUED,
                and_(
                    DataExport.status == ExportStatus.RUNNING,
                    DataExport.claimed_at < now - CLAIM_LIFE,
                ),
            ),
        )
        .values(status=ExportStatus.RUNNING, claimed_at=now, rows_done=0, current_file="")
        .execution_options(synchronize_session=False)
    )
    return now if taken == 1 else None


def _while_claimed(export_id: int, claimed_at: datetime, **values: object) -> bool:
    """Write ``values`` on the export if the claim is still this job's."""
    return (
        rows_changed(
            update(DataExport)
            .where(
                DataExport.id == export_id,
                DataExport.status == ExportStatus.RUNNING,
                DataExport.claimed_at == claimed_at,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        == 1
    )


def record_progress(
    export_id: int, claimed_at: datetime, current_file: str, rows_done: int, rows_total: int
) -> bool:
    """Record where the job is; False when the claim is no longer its own."""
    return _while_claimed(
        export_id,
        claimed_at,
        current_file=current_file,
        rows_done=rows_done,
        rows_total=rows_total,
    )


def record_ready(export_id: int, claimed_at: datetime, storage_name: str, size: int) -> bool:
    """The archive is stored: it may be downloaded until it expires."""
    now = utcnow()
    hours = current_app.config["EXPORT_HOURS"]
    return _while_claimed(
        export_id,
        claimed_at,
        status=ExportStatus.READY,
        storage_name=storage_name,
        size=size,
        current_file="",
        finished_at=now,
        expires_at=now + timedelta(hours=hours),
    )


def record_failure(export_id: int, claimed_at: datetime, message: str) -> bool:
    """The job could not make the archive; the person may start another."""
    return _while_claimed(
        export_id,
        claimed_at,
        status=ExportStatus.FAILED,
        error=message[:ERROR_MAX],
        finished_at=utcnow(),
    )


def expired_exports(now: datetime, limit: int = 100) -> list[DataExport]:
    """Ready exports past their time, whose archives the sweep deletes."""
    return list(
        db.session.scalars(
            select(DataExport)
            .where(DataExport.status == ExportStatus.READY, DataExport.expires_at <= now)
            .order_by(DataExport.id)
            .limit(limit)
        )
    )


def abandoned_exports(now: datetime, waited: timedelta) -> list[int]:
    """Exports whose job message was lost (waiting longer than ``waited``) or whose job
    died (a claim past its life): the sweep asks for their job again."""
    return list(
        db.session.scalars(
            select(DataExport.id).where(
                or_(
                    and_(
                        DataExport.status == ExportStatus.QUEUED,
                        DataExport.created_at < now - waited,
                    ),
                    and_(
                        DataExport.status == ExportStatus.RUNNING,
                        DataExport.claimed_at < now - CLAIM_LIFE,
                    ),
                )
            )
        )
    )
