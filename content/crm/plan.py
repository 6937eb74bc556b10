"""Planning and applying a CRM import: each row of an export becomes a deal to create,
a deal to update (with what changes), an unchanged deal, or a reject with its reason.

Planning writes nothing. Applying writes creates and updates in batches of atomic
upserts on the CRM id and never touches an unchanged deal, so importing a file twice
changes nothing the second time. A bad row is a reject; it never stops the good ones.
Everything a row needs (owners, existing deals, stage mappings) is read in a few
batched queries, never one per row.
"""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Row, or_, select
from sqlalchemy.exc import DataError, IntegrityError

from content.crm.export_file import CsvFile
from content.crm.rows import Change, Lookups, PlannedDeal, Reject, check_row, short
from content.crm.stages import StageResolver
from content.deals.history import record_changes
from content.deals.models import DEAL_STATUS_LABELS, ChangeSource, Deal, DealStageChange
from content.deals.services import event_data, format_money
from portal.kernel import events
from portal.kernel.extensions import db
from portal.kernel.models import User, normalize_email, utcnow
from portal.kernel.sql import refresh_statistics, upsert_insert
from portal.kernel.templating import format_date

logger = logging.getLogger(__name__)

LOOKUP_CHUNK = 500  # ids per IN (...) query
WRITE_BATCH = 500  # deals per upsert statement, well under both databases' parameter limits
COMPARED = ("name", "account", "amount_cents", "stage_id", "status", "close_date", "owner_id")
CHANGE_LABELS = {
    "name": "Name",
    "account": "Account",
    "amount_cents": "Amount",
    "stage_id": "Stage",
    "status": "Status",
    "close_date": "Close date",
    "owner_id": "Owner",
}
REFUSED_BY_DATABASE = (
    "The database refused this row (its owner or stage may have been removed since the "
    "preview); upload the file again to see why."
)

Progress = Callable[[int], None] | None


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created:,} created, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged, {self.rejected:,} rejected"
        )


@dataclass
class Plan:
    export: CsvFile
    creates: list[PlannedDeal]
    updates: list[PlannedDeal]
    unchanged: int
    rejects: list[Reject]
    unmapped: dict[str, int]  # CRM stage label → rows refused because it is not mapped

    @property
    def counts(self) -> ImportCounts:
        return ImportCounts(len(self.creates), len(self.updates), self.unchanged, len(self.rejects))


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---- the whole file -----------------------------------------------------------------------


def _owners_by_email(export: CsvFile) -> dict[str, User]:
    emails = sorted({normalize_email(row.cells["owner_email"]) for row in export.rows} - {""})
    owners = {}
    for chunk in _chunks(emails, LOOKUP_CHUNK):
        owners.update(
            {
                user.email: user
                for user in db.session.scalars(select(User).where(User.email.in_(chunk)))
            }
        )
    return owners


def _existing_deals(external_ids: list[str]) -> dict[str, Row]:
    """CRM id → the compared columns of the deal that has it (rows, not ORM objects)."""
    found = {}
    columns = [getattr(Deal, name) for name in COMPARED]
    for chunk in _chunks(external_ids, LOOKUP_CHUNK):
        query = select(Deal.external_id, *columns).where(Deal.external_id.in_(chunk))
        found.update({row.external_id: row for row in db.session.execute(query)})
    return found


def _checked_rows(export: CsvFile, lookups: Lookups) -> tuple[list[PlannedDeal], list[Reject]]:
    """Every row checked; a CRM id seen on an earlier line refuses the later rows."""
    planned: list[PlannedDeal] = []
    rejects: list[Reject] = []
    first_line: dict[str, int] = {}
    for row in export.rows:
        external_id = row.cells["external_id"]
        if external_id in first_line:
            reason = (
                f"Opportunity ID “{short(external_id)}” is also on line "
                f"{first_line[external_id]}; only that first row is imported."
            )
            rejects.append(Reject(row.line, short(external_id, 100), reason))
            continue
        if external_id:
            first_line[external_id] = row.line
        checked = check_row(row, lookups)
        if isinstance(checked, Reject):
            rejects.append(checked)
        else:
            planned.append(checked)
    return planned, rejects


def plan_export(export: CsvFile) -> Plan:
    """Classify every row of ``export`` against the database; writes nothing."""
    lookups = Lookups(
        _owners_by_email(export), StageResolver.load(), current_app.config["CRM_DATE_ORDER"]
    )
    planned, rejects = _checked_rows(export, lookups)
    existing = _existing_deals([deal.external_id for deal in planned])
    creates, updates, unchanged = [], [], 0
    for deal in planned:
        current = existing.get(deal.external_id)
        if current is None:
            creates.append(deal)
        elif any(getattr(current, name) != deal.values[name] for name in COMPARED):
            updates.append(deal)
        else:
            unchanged += 1
    _describe_changes(updates, existing, lookups)
    unmapped = {lookups.unmapped_labels[key]: rows for key, rows in lookups.unmapped.items()}
    return Plan(export, creates, updates, unchanged, rejects, unmapped)


def _describe_changes(updates: list[PlannedDeal], existing: dict, lookups: Lookups) -> None:
    """Fill in what each update changes, old → new, as people read it."""
    stages = {stage.id: stage.name for stage in lookups.resolver.by_key.values()}
    emails = {user.id: user.email for user in lookups.owners.values()}
    former = sorted({existing[deal.external_id].owner_id for deal in updates} - set(emails))
    for chunk in _chunks(former, LOOKUP_CHUNK):
        emails.update(db.session.execute(select(User.id, User.email).where(User.id.in_(chunk))))
    shown = {
        "amount_cents": format_money,
        "stage_id": lambda stage_id: stages.get(stage_id, "—"),
        "owner_id": lambda owner_id: emails.get(owner_id, "—"),
        "status": lambda status: DEAL_STATUS_LABELS.get(status, status),
        "close_date": lambda day: format_date(day) if day else "—",
    }
    for deal in updates:
        current = existing[deal.external_id]
        for name in COMPARED:
            old, new = getattr(current, name), deal.values[name]
            if old != new:
                show = shown.get(name, lambda text: text or "—")
                deal.changes.append(Change(CHANGE_LABELS[name], show(old), show(new)))


# ---- writing ------------------------------------------------------------------------------


def _row(deal: PlannedDeal, now) -> dict:
    return deal.values | {
        "external_id": deal.external_id,
        "source": "import",
        "created_at": now,
        "updated_at": now,
    }


def _insert_new():
    """Insert deals whose CRM id is new, returning the ids inserted; an id created
    meanwhile (by the API) is skipped here and goes through _update_changed instead."""
    return (
        upsert_insert(Deal)
        .on_conflict_do_nothing(index_elements=[Deal.external_id])
        .returning(Deal.external_id)
    )


def _update_changed():
    """Upsert deals by CRM id, returning the ids written. A row changes only where a
    value differs, so an unchanged deal keeps its updated_at."""
    statement = upsert_insert(Deal)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[Deal.external_id],
        set_={name: new[name] for name in (*COMPARED, "updated_at")},
        where=or_(*(getattr(Deal, name).is_distinct_from(new[name]) for name in COMPARED)),
    ).returning(Deal.external_id)


def _write(deals: list[PlannedDeal], statement, now) -> tuple[set[str], list[PlannedDeal]]:
    """(ids written, deals refused). One executemany per batch, in a savepoint; if the
    database refuses the batch, its deals are written one by one so that a refused row
    costs only itself. The stage history of the deals written goes with them."""
    written, refused = _upsert(deals, statement, now)
    if written:
        imported = select(Deal.id).where(Deal.external_id.in_(sorted(written)))
        record_changes(imported, ChangeSource.IMPORT)
    return written, refused


def _upsert(deals: list[PlannedDeal], statement, now) -> tuple[set[str], list[PlannedDeal]]:
    try:
        with db.session.begin_nested():
            rows = [_row(deal, now) for deal in deals]
            return set(db.session.scalars(statement, rows)), []
    except (IntegrityError, DataError):
        logger.warning("A batch of imported deals was refused; retrying row by row")
    written: set[str] = set()
    refused: list[PlannedDeal] = []
    for deal in deals:
        try:
            with db.session.begin_nested():
                written.update(db.session.scalars(statement, [_row(deal, now)]))
        except (IntegrityError, DataError):
            logger.warning("Import line %s refused by the database", deal.line, exc_info=True)
            refused.append(deal)
    return written, refused


def _publish(deals: list[PlannedDeal], written: set[str], change: str) -> None:
    """One ``deal.updated`` event per deal of a batch the database wrote: one query for
    their ids and one publish for the batch, however many rows it holds."""
    if not written:
        return
    ids = dict(
        db.session.execute(
            select(Deal.external_id, Deal.id).where(Deal.external_id.in_(sorted(written)))
        ).all()
    )
    events.publish_many(
        "deal.updated",
        [
            event_data(
                ids[deal.external_id],
                deal.external_id,
                deal.values,
                deal.stage_name,
                deal.owner_email,
                "import",
                change,
            )
            for deal in deals
            if deal.external_id in written and deal.external_id in ids
        ],
    )


class _GrowingTables:
    """Counts the deals an import writes and refreshes the planner's statistics of the
    deals and their history each time the count doubles, from two batches on: the
    history writer's statements join both tables, and planned from the counts of an
    emptied table they scan the history once per deal (a 10,000-row import then took
    minutes instead of seconds)."""

    def __init__(self) -> None:
        self.written = 0
        self.next_refresh = 2 * WRITE_BATCH

    def grew(self, rows: int) -> None:
        self.written += rows
        if self.written >= self.next_refresh:
            refresh_statistics(Deal, DealStageChange)
            self.next_refresh = 2 * self.written


def apply_plan(plan: Plan, progress: Progress = None) -> tuple[ImportCounts, list[Reject]]:
    """Write the plan's creates and updates; returns what happened and every reject
    (the plan's and any row the database refused). ``progress(n)`` hears of each row."""
    advance = progress or (lambda _rows: None)
    counts = ImportCounts(unchanged=plan.unchanged)
    rejects = list(plan.rejects)
    advance(plan.unchanged + len(plan.rejects))
    now = utcnow()
    insert_new, update_changed = _insert_new(), _update_changed()
    statistics = _GrowingTables()
    taken = []
    for batch in _chunks(plan.creates, WRITE_BATCH):
        written, refused = _write(batch, insert_new, now)
        statistics.grew(len(written))
        _publish(batch, written, "created")
        counts.created += len(written)
        rejects += [Reject(deal.line, deal.external_id, REFUSED_BY_DATABASE) for deal in refused]
        taken += [deal for deal in batch if deal.external_id not in written and deal not in refused]
        advance(len(written) + len(refused))
    for batch in _chunks(plan.updates + taken, WRITE_BATCH):
        written, refused = _write(batch, update_changed, now)
        statistics.grew(len(written))
        _publish(batch, written, "updated")
        counts.updated += len(written)
        counts.unchanged += len(batch) - len(written) - len(refused)
        rejects += [Reject(deal.line, deal.external_id, REFUSED_BY_DATABASE) for deal in refused]
        advance(len(batch))
    counts.rejected = len(rejects)
    return counts, sorted(rejects, key=lambda reject: reject.line)
