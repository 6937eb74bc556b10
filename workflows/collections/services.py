"""Collections: who may build and edit them, and the rules that keep an ordered list
ordered. Assigning a collection to reps as an onboarding path is workflows.collections.paths.

Item positions are 1..n without gaps. Every change to a collection's items first bumps the
collection row's ``updated_at`` with an UPDATE: the row lock (PostgreSQL) or the write lock
(SQLite) makes concurrent writers to one collection queue, so each one reads the positions
its predecessor committed and none can break the unique constraints or lose an item.

An item is available only while its asset is live: an asset archived (or expired) later is
shown as no longer available.

Services flush, never commit: the caller commits once.
"""

from dataclasses import dataclass

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import selectinload

from content.library.models import Asset
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, check_text
from portal.kernel.extensions import db
from portal.kernel.machine import claim_row
from portal.kernel.models import AUTHORS, User, utcnow
from portal.kernel.pagination import Page, paginate
from portal.kernel.permissions import can, get_visible, rule
from portal.kernel.role_rules import roles_may
from workflows.collections.models import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    TITLE_MAX,
    Collection,
    CollectionItem,
    PathAssignment,
)

DIRECTIONS = {"up": -1, "down": 1}
ADD_CHOICES_MAX = 100

TITLE_MISSING = "Give the collection a title."
TITLE_TOO_LONG = f"Keep the title under {TITLE_MAX} characters."
DESCRIPTION_TOO_LONG = f"Keep the description under {DESCRIPTION_MAX:,} characters."
NOTE_TOO_LONG = f"Keep the note under {NOTE_MAX} characters."
ASSET_MISSING = "Choose an asset to add."
COLLECTION_MISSING = "Choose the collection to add the asset to."
ASSET_NOT_LIVE = "Add published assets only: reps cannot open this one."
ASSET_ALREADY_IN = "This asset is already in the collection."
ITEM_REMOVED = "This item was removed from the collection meanwhile; nothing was changed."


# ---- who may do what -------------------------------------------------------------------


_authors_may = roles_may(AUTHORS, "create_collection")


@rule("view", Collection)
def _may_view(_user, _collection: Collection) -> bool:
    """Everyone signed in browses collections; which items they see is decided per asset."""
    return True


@rule("edit", Collection)
@rule("delete", Collection)
def _may_edit(user: User, collection: Collection) -> bool:
    return collection.owner_id == user.id or user.is_admin


def get_collection(user: User, collection_id: int) -> Collection:
    """The collection if this user may see it; otherwise NotFound (never a 403)."""
    return get_visible(user, Collection, collection_id, "No such collection.")


def get_item(collection: Collection, item_id: int) -> CollectionItem:
    """An item of ``collection``; an item of another collection is NotFound."""
    item = db.session.get(CollectionItem, item_id)
    if item is None or item.collection_id != collection.id:
        raise NotFound(ITEM_REMOVED)
    return item


def _require(user: User, action: str, collection: Collection, message: str) -> None:
    if not can(user, action, collection):
        raise PermissionDenied(message)


def is_available(item: CollectionItem) -> bool:
    """Whether the item's asset is live, so a rep can open it and mark it done."""
    return item.asset.is_live


# ---- building --------------------------------------------------------------------------


def _cleaned(title: str, description: str) -> dict:
    values = {
        "title": " ".join((title or "").split()),
        "description": (description or "").replace("\r\n", "\n").strip(),
    }
    errors: dict[str, str] = {}
    check_text(errors, "title", values["title"], TITLE_MAX, TITLE_TOO_LONG, TITLE_MISSING)
    check_text(errors, "description", values["description"], DESCRIPTION_MAX, DESCRIPTION_TOO_LONG)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    return values


def _note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(NOTE_TOO_LONG, {"note": NOTE_TOO_LONG})
    return note


def create_collection(user: User, title: str, description: str = "") -> Collection:
    """A new, empty collection owned by ``user`` (a marketer or an admin)."""
    if not can(user, "create_collection"):
        raise PermissionDenied("Only marketers build collections.")
    collection = Collection(owner=user, **_cleaned(title, description))
    db.session.add(collection)
    db.session.flush()
    return collection


def update_collection(collection: Collection, user: User, title: str, description: str) -> None:
    """Change the title and description (the owner or an admin)."""
    _require(user, "edit", collection, "Only the collection's owner or an admin edits it.")
    values = _cleaned(title, description)
    collection.title = values["title"]
    collection.description = values["description"]
    collection.updated_at = utcnow()
    db.session.flush()


def delete_collection(collection: Collection, user: User) -> None:
    """Delete the collection with its items and every path assigned from it."""
    _require(user, "delete", collection, "Only the collection's owner or an admin deletes it.")
    db.session.delete(collection)
    db.session.flush()


def _lock(collection: Collection) -> list[CollectionItem]:
    """Queue behind other writers to this collection, then return its items as committed
    by them, in order. NotFound if the collection was deleted meanwhile."""
    if not claim_row(collection):
        raise NotFound("No such collection.")
    return list(
        db.session.scalars(
            select(CollectionItem)
            .where(CollectionItem.collection_id == collection.id)
            .order_by(CollectionItem.position)
            .execution_options(populate_existing=True)
        )
    )


def _set_position(item_id: int, position: int) -> None:
    db.session.execute(
        update(CollectionItem)
        .where(CollectionItem.id == item_id)
        .values(position=position)
        .execution_options(synchronize_session=False)
    )


def _finish(collection: Collection, items: list[CollectionItem]) -> None:
    """Make the session's view of the collection match the rows the UPDATEs wrote."""
    db.session.flush()
    db.session.expire(collection)
    for item in items:
        db.session.expire(item)


def add_item(
    collection: Collection, user: User, asset: Asset | None, note: str = ""
) -> CollectionItem:
    """Append a live asset with a note at the end of the collection."""
    _require(user, "edit", collection, "Only the collection's owner or an admin edits it.")
    note = _note(note)
    if asset is None:
        raise ValidationFailed(ASSET_MISSING, {"asset": ASSET_MISSING})
    if not asset.is_live:
        raise ValidationFailed(ASSET_NOT_LIVE, {"asset": ASSET_NOT_LIVE})
    items = _lock(collection)
    if any(item.asset_id == asset.id for item in items):
        raise Conflict(ASSET_ALREADY_IN, fields={"asset": ASSET_ALREADY_IN})
    item = CollectionItem(
        collection_id=collection.id, asset=asset, note=note, position=len(items) + 1
    )
    db.session.add(item)
    _finish(collection, items)
    return item


def _locked_index(item: CollectionItem) -> tuple[list[CollectionItem], int]:
    """Queue behind other writers to the item's collection; return its items and this
    item's index among them. NotFound when someone removed the item meanwhile."""
    items = _lock(item.collection)
    index = next((i for i, each in enumerate(items) if each.id == item.id), None)
    if index is None:
        raise NotFound(ITEM_REMOVED)
    return items, index


def edit_note(item: CollectionItem, user: User, note: str) -> None:
    """Change why the item is in the collection."""
    _require(user, "edit", item.collection, "Only the collection's owner or an admin edits it.")
    note = _note(note)
    items, index = _locked_index(item)
    items[index].note = note
    _finish(item.collection, [])


def move_item(item: CollectionItem, user: User, direction: str) -> bool:
    """Swap the item with its neighbour ``direction`` ("up" or "down"). False when it is
    already first or last (nothing changes)."""
    collection = item.collection
    _require(user, "edit", collection, "Only the collection's owner or an admin edits it.")
    if direction not in DIRECTIONS:
        raise ValidationFailed("Move an item up or down.", {"direction": "Choose up or down."})
    items, index = _locked_index(item)
    other = index + DIRECTIONS[direction]
    if not 0 <= other < len(items):
        return False
    mine, theirs = items[index].position, items[other].position
    # One row parks at a position no item has, so neither UPDATE meets the unique constraint.
    _set_position(item.id, -mine)
    _set_position(items[other].id, mine)
    _set_position(item.id, theirs)
    _finish(collection, items)
    return True


def remove_item(item: CollectionItem, user: User) -> None:
    """Take the item out; later items move up one, so positions stay 1..n."""
    collection = item.collection
    _require(user, "edit", collection, "Only the collection's owner or an admin edits it.")
    items, _index = _locked_index(item)
    db.session.execute(delete(CollectionItem).where(CollectionItem.id == item.id))
    # Renumber through negative positions: a single "position - 1" may collide row by row.
    db.session.execute(
        update(CollectionItem)
        .where(
            CollectionItem.collection_id == collection.id,
            CollectionItem.position > item.position,
        )
        .values(position=-(CollectionItem.position - 1))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(CollectionItem)
        .where(CollectionItem.collection_id == collection.id, CollectionItem.position < 0)
        .values(position=-CollectionItem.position)
        .execution_options(synchronize_session=False)
    )
    db.session.expunge(item)
    _finish(collection, [each for each in items if each.id != item.id])


# ---- reading ---------------------------------------------------------------------------


@dataclass
class Entry:
    """An item as one reader sees it. ``visible``: the reader may open the asset;
    ``available``: it is live, so it counts on a path and can be marked done."""

    item: CollectionItem
    visible: bool
    available: bool
    done: bool = False


def entries(collection: Collection, user: User, done_ids: set[int] | None = None) -> list[Entry]:
    """The items ``user`` may know of, in order. Marketers see every item (a not-live one
    flagged); others see items whose asset they may view, and an asset archived or expired
    since it was live as "no longer available". Drafts never published stay hidden."""
    done_ids = done_ids or set()
    shown = []
    for item in collection.items:
        visible = can(user, "view", item.asset)
        if visible or item.asset.live_revision_id is not None:
            shown.append(Entry(item, visible, is_available(item), item.id in done_ids))
    return shown


def collection_list(page: int, per_page: int) -> Page:
    """A page of collections, most recently changed first, with item and rep counts."""
    return paginate(
        select(Collection),
        page,
        per_page,
        order=(Collection.updated_at.desc(), Collection.id.desc()),
        options=(selectinload(Collection.owner),),
    )


def item_counts(collection_ids: list[int], user: User) -> dict[int, int]:
    """Items per collection that ``user`` would see as available."""
    query = (
        select(CollectionItem.collection_id, func.count(CollectionItem.id))
        .join(Asset, Asset.id == CollectionItem.asset_id)
        .where(CollectionItem.collection_id.in_(collection_ids))
        .group_by(CollectionItem.collection_id)
    )
    if not can(user, "view_drafts"):
        query = query.where(Asset.live_clause())
    return dict(db.session.execute(query).all())


def rep_counts(collection_ids: list[int]) -> dict[int, int]:
    """Reps assigned each collection."""
    return dict(
        db.session.execute(
            select(PathAssignment.collection_id, func.count(PathAssignment.id))
            .where(PathAssignment.collection_id.in_(collection_ids))
            .group_by(PathAssignment.collection_id)
        ).all()
    )


def collections_to_add_to(user: User, asset: Asset) -> list[Collection]:
    """Collections ``user`` may edit that do not hold ``asset`` yet, by title; empty when
    the asset is not live (only live assets can be added)."""
    if not asset.is_live or not can(user, "create_collection"):
        return []
    holding = select(CollectionItem.collection_id).where(CollectionItem.asset_id == asset.id)
    query = select(Collection).where(Collection.id.not_in(holding)).order_by(Collection.title)
    if not user.is_admin:
        query = query.where(Collection.owner_id == user.id)
    return list(db.session.scalars(query.limit(ADD_CHOICES_MAX)))


def addable_assets(collection: Collection) -> Select:
    """Live assets not yet in the collection, for the "add an item" choice."""
    present = select(CollectionItem.asset_id).where(CollectionItem.collection_id == collection.id)
    return select(Asset).where(Asset.live_clause(), Asset.id.not_in(present))
