"""The jobs that read uploaded files' text and render their page previews after the upload
has answered, and the one that deletes the files kept for refused forms once they expire."""

from content.files.pending import prune_pending
from content.files.previewing import render_waiting_previews
from content.files.reading import read_waiting_files
from portal.kernel.jobs import job


@job("files.extract", time_limit_seconds=3600)
def extract() -> None:
    """Read every file waiting for its text (each read queues its assets for the index).

    Each file is claimed before it is read, so several workers share the waiting files and
    a claim left by a worker that died is taken again later (content.files.reading).
    """
    read_waiting_files()


@job("files.preview", time_limit_seconds=3600)
def preview() -> None:
    """Render the page previews of every file waiting for them.

    Each file is claimed before it is rendered, so several workers share the waiting files
    and a claim left by a worker that died is taken again later (content.files.previewing).
    """
    render_waiting_previews()


@job("files.prune_pending")
def prune() -> None:
    """Delete the files kept for refused forms whose time is up (content.files.pending).

    Safe to run twice at once: deleting a file already gone does nothing."""
    prune_pending()
