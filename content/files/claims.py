"""Claiming stored files for a slow background step, such as reading their text
(content.files.reading) or rendering their page previews (content.files.previewing).

A step owns a pair of StoredFile columns: a status and the time of the claim. An upload
leaves the status at the step's waiting value; a worker claims a file with one
conditional UPDATE that moves it to the working value and stamps the time, so two workers
never take the same file, and a claim left by a process that died is taken again once it
is older than the longest the work can take (the step's timeout plus a margin). A worker
records its outcome only while the claim is still its own: one presumed dead that comes
back late records nothing. The slow work runs between commits, so no transaction is held
open meanwhile.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute

from content.library.models import StoredFile
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from portal.kernel.sql import rows_changed

Outcome = TypeVar("Outcome")


@dataclass(frozen=True)
class Claim:
    """A stored file this worker has claimed; ``claimed_at`` tells its claim from a later one."""

    file_id: int
    storage_name: str
    kind: str
    claimed_at: datetime


@dataclass(frozen=True)
class Step:
    """A background step over stored files: which columns hold its status and its claim,
    the status values for "waiting" and "being worked on", and how long a claim lives:
    ``timeout()`` seconds (read when asked, from the app's settings) plus ``margin``,
    the time a worker may need to start and to record."""

    status: InstrumentedAttribute[str]
    claimed_at: InstrumentedAttribute[datetime | None]
    waiting_value: str
    working_value: str
    timeout: Callable[[], float]
    margin: timedelta

    def waiting(self, now: datetime) -> ColumnElement[bool]:
        """Files to work on: never claimed, or claimed by a worker that has surely given up."""
        expired = now - timedelta(seconds=self.timeout()) - self.margin
        return or_(
            self.status == self.waiting_value,
            and_(self.status == self.working_value, self.claimed_at < expired),
        )

    def count_waiting(self) -> int:
        """How many stored files wait for this step (pending or with an abandoned claim)."""
        waiting = select(func.count(StoredFile.id)).where(self.waiting(utcnow()))
        return db.session.scalar(waiting) or 0

    def claim_oldest(self) -> Claim | None:
        """Claim the oldest file waiting for this step, or None when there is none (or
        another worker won the race for it). Flushes; the caller commits before working,
        so other workers see the claim."""
        now = utcnow()
        oldest = (
            select(StoredFile.id).where(self.waiting(now)).order_by(StoredFile.id).limit(1)
        ).scalar_subquery()
        # The condition is repeated on the row itself: of two workers racing for it, only
        # the one whose UPDATE still finds it waiting gets it.
        claimed = db.session.execute(
            update(StoredFile)
            .where(StoredFile.id == oldest, self.waiting(now))
            .values({self.status.key: self.working_value, self.claimed_at.key: now})
            .returning(StoredFile.id, StoredFile.storage_name, StoredFile.kind)
            .execution_options(synchronize_session=False)
        ).first()
        if claimed is None:
            return None
        return Claim(claimed.id, claimed.storage_name, claimed.kind, now)

    def release(self, claim: Claim, **outcome: object) -> bool:
        """End ``claim``, writing the ``outcome`` columns with it, if it is still this
        worker's (a worker presumed dead whose claim was taken again changes nothing);
        returns whether it was. Flushes; the caller commits."""
        held = rows_changed(
            update(StoredFile)
            .where(
                StoredFile.id == claim.file_id,
                self.status == self.working_value,
                self.claimed_at == claim.claimed_at,
            )
            .values({**outcome, self.claimed_at.key: None})
            .execution_options(synchronize_session=False)
        )
        return held == 1

    def work_through(
        self,
        work: Callable[[Claim], Outcome],
        progress: Callable[[int], object] | None = None,
    ) -> list[Outcome]:
        """Claim every waiting file in turn, oldest first, and ``work`` on it (which
        records its outcome with ``release``); returns what ``work`` returned for each.

        Commits each claim before working and each outcome on its own, so an interruption
        keeps the work done and an abandoned claim is taken again later. ``progress`` is
        told of each file done.
        """
        outcomes = []
        while (claim := self.claim_oldest()) is not None:
            db.session.commit()
            outcomes.append(work(claim))
            db.session.commit()
            if progress is not None:
                progress(1)
        return outcomes
