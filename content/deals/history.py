"""A deal's stage history: every change of its stage or status, when and from where.

``record_changes`` is the one writer. Whoever writes deals (the deal page, the API and
its upsert, the CRM import's bulk upserts) calls it after its own write, in the same
transaction, with the deals it wrote: it compares each deal with its current history row
in the database and appends a row where the stage or status differs, so a save that
changed only the amount adds nothing and no path repeats the comparison.

Two updates of one deal cannot lose a row: the caller's UPDATE of the deal holds the
deal's row lock (PostgreSQL) or the database's write lock (SQLite) until its commit, and
these statements run after it, so the second writer compares with the first one's row.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, and_, exists, false, insert, literal, or_, select, update
from sqlalchemy.orm import aliased, selectinload

from content.deals.models import ChangeSource, Deal, DealStageChange
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from portal.kernel.pagination import Page, first_rows

C = DealStageChange


def record_changes(
    deals: Iterable[int] | Select, source: ChangeSource, at: datetime | None = None
) -> None:
    """Append a history row, at ``at`` (now), for each of ``deals`` (ids, or a SELECT of
    ids) whose stage or status is not the one its current row holds, or that has none;
    then close the rows they replace. Flushes the session first: the comparison reads the
    deals as the database holds them."""
    db.session.flush()
    at = at or utcnow()
    ids = deals if isinstance(deals, Select) else select(Deal.id).where(Deal.id.in_(list(deals)))
    current = aliased(C)
    statement = insert(C).from_select(
        [
            "deal_id",
            "stage_id",
            "status",
            "from_stage_id",
            "from_status",
            "changed_at",
            "source",
            "known_since",
        ],  # fmt: skip
        select(
            Deal.id,
            Deal.stage_id,
            Deal.status,
            current.stage_id,
            current.status,
            literal(at, C.changed_at.type),
            literal(str(source), C.source.type),
            false(),
        )
        .outerjoin(current, and_(current.deal_id == Deal.id, current.ended_at.is_(None)))
        .where(
            Deal.id.in_(ids.scalar_subquery()),
            or_(
                current.id.is_(None),
                current.stage_id.is_distinct_from(Deal.stage_id),
                current.status != Deal.status,
            ),
        ),
    )
    db.session.execute(statement)
    newer = aliased(C)
    db.session.execute(
        update(C)
        .where(
            C.ended_at.is_(None),
            C.deal_id.in_(ids.scalar_subquery()),
            exists().where(newer.deal_id == C.deal_id, newer.id > C.id),
        )
        .values(ended_at=at)
        .execution_options(synchronize_session=False)
    )


HISTORY_SHOWN = 25  # the deal page's latest changes; a CRM syncing daily makes many


def stage_history(deal: Deal, shown: int = HISTORY_SHOWN) -> Page:
    """The deal's latest ``shown`` history rows, newest first, and how many there are."""
    return first_rows(
        select(C).where(C.deal_id == deal.id),
        shown,
        order=(C.changed_at.desc(), C.id.desc()),
        options=(selectinload(C.stage),),
    )
