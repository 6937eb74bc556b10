"""Onboarding paths: a collection assigned to reps, who may assign and follow them, the
rep's done marks, progress per rep, and the rep's paths on "My work".

An item counts towards a rep's progress only while its asset is live: an asset archived (or
expired) later is shown as no longer available and leaves both the total and the done
count, so a path never asks for something the rep cannot open.

Services flush, never commit: the caller commits once.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, delete, func, literal, select
from sqlalchemy.orm import selectinload

from content.library.models import Asset
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import OVERSEERS, Role, User, utcnow
from portal.kernel.notifications import notify
from portal.kernel.permissions import can, rule
from portal.kernel.reporting import local_today
from portal.kernel.role_rules import roles_may
from portal.kernel.sql import upsert_insert
from workflows.collections.models import Collection, CollectionItem, ItemDone, PathAssignment
from workflows.collections.services import ITEM_REMOVED, is_available

ASSIGNERS = OVERSEERS
FOLLOWERS = ASSIGNERS  # who sees every rep's progress
MY_PATHS_MAX = 10

REPS_MISSING = "Choose at least one rep."
REPS_NOT_ACTIVE = "Assign paths to active reps only."
DUE_IN_PAST = "The due date has passed; choose today or a later date."
COLLECTION_EMPTY = "Add at least one item before assigning the collection."
ITEM_UNAVAILABLE = "This item is no longer available, so it cannot be marked done."


# ---- who may do what -------------------------------------------------------------------


_assigners_may = roles_may(ASSIGNERS, ("assign", Collection))
# Every rep's progress; a rep sees only their own, on their path.
_followers_may = roles_may(FOLLOWERS, ("view_progress", Collection))


@rule("mark_done", PathAssignment)
def _may_mark(user: User, assignment: PathAssignment) -> bool:
    return assignment.rep_id == user.id


# ---- assigning and following -----------------------------------------------------------


def assignable_reps() -> Select:
    return select(User).where(User.role == Role.REP, User.active.is_(True)).order_by(User.name)


def live_item_count(collection: Collection) -> int:
    """Items a rep on this path can open and mark done."""
    count = db.session.scalar(
        select(func.count(CollectionItem.id))
        .join(Asset, Asset.id == CollectionItem.asset_id)
        .where(CollectionItem.collection_id == collection.id, Asset.live_clause())
    )
    return count or 0


def assign(
    collection: Collection, user: User, reps: list[User], due_on: date | None = None
) -> tuple[list[User], list[User]]:
    """Assign the collection to each rep as an onboarding path; return (newly assigned,
    already assigned). Each new rep is told once; assigning again changes nothing, even
    when two people assign at the same moment (the unique constraint decides)."""
    if not can(user, "assign", collection):
        raise PermissionDenied("Only marketers, leaders and admins assign paths.")
    errors = {}
    if not reps:
        errors["reps"] = REPS_MISSING
    elif any(not rep.is_rep or not rep.active for rep in reps):
        errors["reps"] = REPS_NOT_ACTIVE
    if due_on is not None and due_on < local_today():
        errors["due_on"] = DUE_IN_PAST
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    if not live_item_count(collection):
        raise ValidationFailed(COLLECTION_EMPTY)
    assigned: list[User] = []
    already: list[User] = []
    for rep in {rep.id: rep for rep in reps}.values():
        inserted = db.session.execute(
            upsert_insert(PathAssignment)
            .values(
                collection_id=collection.id,
                rep_id=rep.id,
                assigned_by_id=user.id,
                due_on=due_on,
                assigned_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["collection_id", "rep_id"])
            .returning(PathAssignment.id)
        ).scalar()
        (assigned if inserted is not None else already).append(rep)
    due = f", due {due_on.strftime('%-d %b %Y')}" if due_on else ""
    for rep in assigned:
        text = f"{user.name} assigned you the onboarding path “{collection.title}”{due}"
        notify(rep, "path_assigned", text, f"/collections/{collection.id}", actor=user)
    return assigned, already


def assignment_of(collection: Collection, rep: User) -> PathAssignment | None:
    return db.session.scalar(
        select(PathAssignment).where(
            PathAssignment.collection_id == collection.id, PathAssignment.rep_id == rep.id
        )
    )


def done_item_ids(assignment: PathAssignment | None) -> set[int]:
    if assignment is None:
        return set()
    return set(
        db.session.scalars(select(ItemDone.item_id).where(ItemDone.assignment_id == assignment.id))
    )


def mark(item: CollectionItem, user: User, done: bool) -> PathAssignment:
    """Mark the item done (or not done) on ``user``'s own path. Marking twice stores one
    row; an item whose asset is no longer available cannot be marked done."""
    assignment = assignment_of(item.collection, user)
    if assignment is None or not can(user, "mark_done", assignment):
        raise PermissionDenied("Only a rep with this onboarding path marks its items done.")
    if not done:
        db.session.execute(
            delete(ItemDone).where(
                ItemDone.assignment_id == assignment.id, ItemDone.item_id == item.id
            )
        )
        return assignment
    if not is_available(item):
        raise Conflict(ITEM_UNAVAILABLE)
    # The item may be removed while the rep marks it. On PostgreSQL the key-share lock
    # holds a removal off until this transaction ends; on SQLite the INSERT … SELECT runs
    # under the write lock, so a removed item inserts nothing instead of breaking the
    # foreign key.
    still_there = select(CollectionItem.id).where(CollectionItem.id == item.id)
    if db.session.scalar(still_there.with_for_update(key_share=True)) is None:
        raise NotFound(ITEM_REMOVED)
    db.session.execute(
        upsert_insert(ItemDone)
        .from_select(
            ["assignment_id", "item_id", "done_at"],
            select(
                literal(assignment.id),
                CollectionItem.id,
                literal(utcnow(), type_=ItemDone.done_at.type),
            ).where(CollectionItem.id == item.id),
        )
        .on_conflict_do_nothing(index_elements=["assignment_id", "item_id"])
    )
    return assignment


@dataclass
class Progress:
    """One rep's progress on one path: only available items count."""

    assignment: PathAssignment
    done: int
    total: int
    last_activity: datetime | None
    next_item: CollectionItem | None

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def overdue(self) -> bool:
        due = self.assignment.due_on
        return due is not None and not self.complete and due < local_today()


def _progress(assignment: PathAssignment, items: list[CollectionItem], done: dict) -> Progress:
    """``done`` maps an item id to when this rep marked it done."""
    available = [item for item in items if is_available(item)]
    return Progress(
        assignment=assignment,
        done=sum(1 for item in available if item.id in done),
        total=len(available),
        last_activity=max(done.values(), default=None),
        next_item=next((item for item in available if item.id not in done), None),
    )


def _done_by_assignment(assignment_ids: list[int]) -> dict[int, dict[int, datetime]]:
    done: dict[int, dict[int, datetime]] = {key: {} for key in assignment_ids}
    rows = db.session.execute(
        select(ItemDone.assignment_id, ItemDone.item_id, ItemDone.done_at).where(
            ItemDone.assignment_id.in_(assignment_ids)
        )
    )
    for assignment_id, item_id, done_at in rows:
        done[assignment_id][item_id] = done_at
    return done


def progress_table(collection: Collection, user: User) -> list[Progress]:
    """Progress per rep, by rep name: every rep for marketers, leaders and admins; a rep
    sees only their own row."""
    query = (
        select(PathAssignment)
        .join(User, User.id == PathAssignment.rep_id)
        .where(PathAssignment.collection_id == collection.id)
        .options(selectinload(PathAssignment.rep))
        .order_by(User.name, User.id)
    )
    if not can(user, "view_progress", collection):
        query = query.where(PathAssignment.rep_id == user.id)
    assignments = db.session.scalars(query).all()
    done = _done_by_assignment([a.id for a in assignments])
    items = list(collection.items)
    return [_progress(a, items, done[a.id]) for a in assignments]


def my_paths(rep: User) -> list[Progress]:
    """The rep's onboarding paths with their progress, unfinished and soonest due first."""
    assignments = db.session.scalars(
        select(PathAssignment)
        .where(PathAssignment.rep_id == rep.id)
        .options(
            selectinload(PathAssignment.collection)
            .selectinload(Collection.items)
            .selectinload(CollectionItem.asset)
        )
        .order_by(PathAssignment.assigned_at.desc(), PathAssignment.id.desc())
        .limit(MY_PATHS_MAX)
    ).all()
    done = _done_by_assignment([a.id for a in assignments])
    rows = [_progress(a, list(a.collection.items), done[a.id]) for a in assignments]
    return sorted(rows, key=lambda p: (p.complete, p.assignment.due_on or date.max))
