"""The search index's background jobs: draining the outbox, and retrying on its own an
asset that could not be indexed with the others."""

import logging
import time

from flask import current_app

from portal.kernel.jobs import job
from search import indexing

log = logging.getLogger(__name__)

# How long a job waits for another process to let go of the index writer.
WRITER_WAIT_SECONDS = 5.0
LAYOUT_CHECKED = "search_layout_checked"


@job("search.index")
def index() -> None:
    """Index what the outbox holds (asked for after every commit that adds to it, and by
    the schedule's sweep, which also brings the ranking signals whose delay has passed).
    Another process holding the writer drains it instead."""
    _rebuild_if_outdated()
    indexing.drain()


@job("search.index_asset")
def index_asset(asset_id: int) -> None:
    """Index one asset that failed with others; raising retries it with a growing delay."""
    deadline = time.monotonic() + WRITER_WAIT_SECONDS
    while not indexing.index_asset(asset_id):
        if time.monotonic() > deadline:
            raise RuntimeError("Another process kept the search index writer; trying later")
        time.sleep(0.2)


def _rebuild_if_outdated() -> None:
    """After an upgrade that changed the index layout, rebuild it from the database (once
    per process) rather than answer from an index the search code can no longer read."""
    if current_app.extensions.get(LAYOUT_CHECKED):
        return
    backend = indexing.get_backend()
    if backend.outdated():
        log.warning("The search index has an older layout; rebuilding it from the database")
        try:
            count = indexing.rebuild(backend)
        except RuntimeError:  # another process holds the writer: it does the work
            log.info("Another process is writing the search index; not rebuilding here")
            return
        log.warning("Rebuilt the search index: %s assets", count)
    current_app.extensions[LAYOUT_CHECKED] = True
