"""Making page previews of uploaded files, after the upload has answered.

An upload stores its file with preview_status "pending"; the ``files.preview`` job
(content.files.jobs) renders waiting files one by one in a limited child process
(content.files.rendering) and copies the images beside the file in the file store
(names from content.files.previews). As with reading text (content.files.reading), a file
is claimed by moving it to "rendering" (content.files.claims): two renderers never render
the same file, and a claim left by a process that died is taken again once it is older
than the longest a rendering can take. The outcome is "ready" with the page count, or
"failed" with a short note for authors; the file itself always stays.
"""

import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update

from content.files.claims import Claim, Step
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
from portal.kernel.sql import rows_changed

# Beyond the rendering timeout, the time a renderer may need to start and to store images.
CLAIM_MARGIN = timedelta(minutes=2)
# What `previews rebuild --missing` renders: files without pages to show.
MISSING = (PreviewStatus.ABSENT, PreviewStatus.FAILED, PreviewStatus.PENDING)


def _timeout() -> float:
    return current_app.config.get("PREVIEW_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS


def _max_pages() -> int:
    return current_app.config.get("PREVIEW_MAX_PAGES") or DEFAULT_MAX_PAGES


PREVIEW_STEP = Step(
    status=StoredFile.preview_status,
    claimed_at=StoredFile.preview_claimed_at,
    waiting_value=PreviewStatus.PENDING,
    working_value=PreviewStatus.RENDERING,
    timeout=_timeout,
    margin=CLAIM_MARGIN,
)


def count_waiting_previews() -> int:
    """How many stored files wait for their previews (pending or with an abandoned claim)."""
    return PREVIEW_STEP.count_waiting()


def claim_waiting_preview() -> Claim | None:
    """Claim the oldest file waiting for its previews, or None when there is none (or
    another renderer won the race for it). Flushes; the caller commits before rendering,
    so other renderers see the claim."""
    return PREVIEW_STEP.claim_oldest()


def render_claimed_file(claim: Claim) -> Rendering:
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


def record_rendering(claim: Claim, rendering: Rendering) -> bool:
    """Store the outcome if the claim is still this renderer's (a renderer presumed dead
    whose claim was taken again records nothing); returns whether it did. Flushes."""
    ready = rendering.status == "ready" and rendering.pages > 0
    return PREVIEW_STEP.release(
        claim,
        preview_status=PreviewStatus.READY if ready else PreviewStatus.FAILED,
        preview_pages=rendering.pages if ready else 0,
        preview_note=(rendering.note or ("" if ready else UNREADABLE_NOTE))[:300],
    )


def render_waiting_previews(progress: Callable[[int], object] | None = None) -> list[str]:
    """Render every file waiting for its previews, oldest first; returns the status each
    rendering this call recorded got ("ready" or "failed").

    Each claim and each outcome is committed on its own (Step.work_through), so an
    interruption keeps the work done and an abandoned claim is taken again later.
    """
    outcomes = PREVIEW_STEP.work_through(_render_and_record, progress)
    return [outcome for outcome in outcomes if outcome is not None]


def _render_and_record(claim: Claim) -> str | None:
    """Render and record the claimed file: the status recorded, or None if the claim
    was lost meanwhile."""
    rendering = render_claimed_file(claim)
    if not record_rendering(claim, rendering):
        return None
    return "ready" if rendering.status == "ready" else "failed"


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
