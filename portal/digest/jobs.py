"""The weekly digest as a job on the schedule (TANDEM_DIGEST_SCHEDULE)."""

import logging

from flask import current_app

from portal.digest.views import send_week
from portal.digest.weeks import last_complete_week
from portal.kernel.jobs import job

log = logging.getLogger(__name__)


@job("digest.send", time_limit_seconds=3600)
def send_last_week() -> None:
    """Email everyone their digest of the last complete week, once per person and week
    (the claims make a second run, on this host or another, send nothing again). Failed
    emails raise, so the job is tried again later and retakes only those."""
    if not current_app.config.get("MAIL_SERVER"):
        log.info("No TANDEM_MAIL_SERVER: the weekly digest is not emailed")
        return
    week = last_complete_week()
    counts = send_week(week)
    log.info("Digest of %s: %s", week.label, counts)
    if counts["failed"]:
        raise RuntimeError(f"{counts['failed']} digest email(s) of {week.label} failed")
