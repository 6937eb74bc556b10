"""Making page previews of uploaded files, after the upload has answered.

An upload stores its file with preview_status "pending"; the ``files.preview`` job
(content.files.jobs) renders waiting files one by one in a limited child process
(content.files.rendering) and copies the images beside the file in the file store
(names from content.files.previews). As with reading text (content.files.reading), a file
is claimed with one conditional UPDATE that moves it to "rendering" and stamps the time:
two renderers never render the same file, and a claim left by a process that died is taken
again once it is older than the longest a rendering can take. The outcome is "ready" with
the page count, or "failed" with a short note for authors; the file itself always stays.
"""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from content.files.previews import page_name, thumbnail_name
from content.files.rendering import (
    DEFAULT_MAX_PAGES,
    DEFAULT_TIMEOUT_SECONDS,
    UNREADABLE_NOTE,
    Rendering,
    render_pages,
)
from content.files.storage import file_store
from content.library.models import PreviewStatus, StoredFile
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from portal.kernel.sql import rows_changed

# Beyond the rendering timeout, the time a renderer may need to start and to store images.
CLAIM_MARGIN = timedelta(minutes=2)
# What `previews rebuild --missing` renders: files without pages to show.
MISSING = (PreviewStatus.ABSENT, PreviewStatus.FAILED, PreviewStatus.PENDING)


@dataclass(frozen=True)
class PreviewClaim:
    """A stored file this renderer has claimed; ``claimed_at`` tells its claim from a later one."""

    file_id: int
    storage_name: str
    kind: str
    claimed_at: datetime


def _timeout() -> float:
    return current_app.config.get("PREVIEW_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS


def _max_pages() -> int:
    return current_app.config.get("PREVIEW_MAX_PAGES") or DEFAULT_MAX_PAGES


def _waiting(now: datetime):
    """Files to render: never claimed, or claimed by a renderer that has surely given up."""
    expired = now - timedelta(seconds=_timeout()) - CLAIM_MARGIN
    return or_(
        StoredFile.preview_status == PreviewStatus.PENDING,
        and_(
            StoredFile.preview_status == PreviewStatus.RENDERING,
            StoredFile.preview_claimed_at < expired,
        ),
    )


def count_waiting_previews() -> int:
    """How many stored files wait for their previews (pending or with an abandoned claim)."""
    return db.session.scalar(select(func.count(StoredFile.id)).where(_waiting(utcnow()))) or 0


def claim_waiting_preview() -> PreviewClaim | None:
    """Claim the oldest file waiting for its previews, or None when there is none (or
    another renderer won the race for it). Flushes; the caller commits before rendering,
    so other renderers see the claim."""
    now = utcnow()
    oldest = (
        select(StoredFile.id).where(_waiting(now)).order_by(StoredFile.id).limit(1)
    ).scalar_subquery()
    # The condition is repeated on the row itself: of two renderers racing for it, only
    # the one whose UPDATE still finds it waiting gets it.
    claimed = db.session.execute(
        update(StoredFile)
        .where(StoredFile.id == oldest, _waiting(now))
        .values(preview_status=PreviewStatus.RENDERING, preview_claimed_at=now)
        .returning(StoredFile.id, StoredFile.storage_name, StoredFile.kind)
        .execution_options(synchronize_session=False)
    ).first()
    if claimed is None:
        return None
    return PreviewClaim(claimed.id, claimed.storage_name, claimed.kind, now)


def render_claimed_file(claim: PreviewClaim) -> Rendering:
    """Render the claimed file's pages in a limited child process and store the images
    beside it; touches no database, so no transaction is held open meanwhile."""
    stored = StoredFile(storage_name=claim.storage_name)  # names only; never added
    try:
        with (
            file_store().local_path(claim.storage_name) as path,
            tempfile.TemporaryDirectory(prefix="tandem-preview-") as work,
        ):
            folder = Path(work)
            rendering = render_pages(path, claim.kind, folder, _timeout(), _max_pages())
            if rendering.status == "ready":
                _store_images(stored, folder, rendering.pages)
            return rendering
    except FileNotFoundError:
        return Rendering("failed", 0, "The stored file is missing.")
    except Exception:  # noqa: BLE001 - e.g. no process could be started; keep the file
        current_app.logger.warning(
            "Rendering the previews of %s failed", claim.storage_name, exc_info=True
        )
        return Rendering("failed", 0, UNREADABLE_NOTE)


def _store_images(stored: StoredFile, folder: Path, pages: int) -> None:
    """Copy the rendered images to the file store; a missing one raises FileNotFoundError."""
    store = file_store()
    with open(folder / "thumb.webp", "rb") as thumb:
        store.save(thumbnail_name(stored), thumb)
    for number in range(1, pages + 1):
        with open(folder / f"page-{number}.webp", "rb") as page:
            store.save(page_name(stored, number), page)


def record_rendering(claim: PreviewClaim, rendering: Rendering) -> bool:
    """Store the outcome if the claim is still this renderer's (a renderer presumed dead
    whose claim was taken again records nothing); returns whether it did. Flushes."""
    ready = rendering.status == "ready" and rendering.pages > 0
    held = rows_changed(
        update(StoredFile)
        .where(
            StoredFile.id == claim.file_id,
            StoredFile.preview_status == PreviewStatus.RENDERING,
            StoredFile.preview_claimed_at == claim.claimed_at,
        )
        .values(
            preview_status=PreviewStatus.READY if ready else PreviewStatus.FAILED,
            preview_pages=rendering.pages if ready else 0,
            preview_note=(rendering.note or ("" if ready else UNREADABLE_NOTE))[:300],
            preview_claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return held == 1


def render_waiting_previews(progress: Callable[[int], object] | None = None) -> list[str]:
    """Render every file waiting for its previews, oldest first; returns the status each
    rendering this call recorded got ("ready" or "failed").

    Commits each claim before rendering and each outcome on its own, so an interruption
    keeps the work done and an abandoned claim is taken again later.
    """
    outcomes = []
    while (claim := claim_waiting_preview()) is not None:
        db.session.commit()
        rendering = render_claimed_file(claim)
        if record_rendering(claim, rendering):
            outcomes.append("ready" if rendering.status == "ready" else "failed")
        db.session.commit()
        if progress is not None:
            progress(1)
    return outcomes


def request_previews(missing_only: bool) -> int:
    """Mark files to be rendered again: every file, or with ``missing_only`` those without
    pages to show (absent, failed or pending). Returns how many wait now. Flushes."""
    chosen = update(StoredFile).values(preview_status=PreviewStatus.PENDING)
    if missing_only:
        chosen = chosen.where(StoredFile.preview_status.in_(MISSING))
    else:
        # A live renderer's claim is left alone: its file gets fresh pages anyway.
        chosen = chosen.where(StoredFile.preview_status != PreviewStatus.RENDERING)
    rows_changed(chosen.execution_options(synchronize_session=False))
    return count_waiting_previews()


def preview_counts() -> dict[str, int]:
    """How many stored files are in each preview status (every status, zeros included)."""
    counted = dict(
        db.session.execute(
            select(StoredFile.preview_status, func.count(StoredFile.id)).group_by(
                StoredFile.preview_status
            )
        ).all()
    )
    return {status.value: counted.get(status.value, 0) for status in PreviewStatus}


def failed_previews(limit: int = 50) -> list[StoredFile]:
    """The most recent files whose preview failed, for the authors' list."""
    return list(
        db.session.scalars(
            select(StoredFile)
            .where(StoredFile.preview_status == PreviewStatus.FAILED)
            .order_by(StoredFile.id.desc())
            .limit(limit)
        )
    )
