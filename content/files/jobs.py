"""The job that reads uploaded files' text after the upload has answered."""

from content.files.reading import read_waiting_files
from portal.kernel.jobs import job


@job("files.extract", time_limit_seconds=3600)
def extract() -> None:
    """Read every file waiting for its text (each read queues its assets for the index).

    Each file is claimed before it is read, so several workers share the waiting files and
    a claim left by a worker that died is taken again later (content.files.reading).
    """
    read_waiting_files()
