"""Deal rooms: a rep makes a room for one of their deals, fills it with live external
assets in an order, writes a note, sets when it expires, and sends its link, which is
shown once. Services flush; callers commit.

The link's token is 32 random bytes of which only the SHA-256 is kept; issuing a new
link replaces the token, so the old link stops working at once.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from content.deals.models import Deal
from content.library.models import Asset, AssetRevision
from content.rooms.models import Room, RoomItem
from content.usage import share_links
from portal.kernel.errors import (
    Conflict,
    Gone,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    check_text,
)
from portal.kernel.extensions import db
from portal.kernel.models import User, hash_token, utcnow
from portal.kernel.permissions import can, get_visible
from portal.kernel.sql import rows_changed

TITLE_MAX = 200
NOTE_MAX = 5000
ITEMS_MAX = 50
MAX_DAYS = share_links.MAX_DAYS
TITLE_MISSING = "Give the room a title the buyer will recognise."
TITLE_TOO_LONG = f"Keep the title under {TITLE_MAX} characters."
NOTE_TOO_LONG = f"Keep the note under {NOTE_MAX} characters."
DAYS_INVALID = f"Rooms last from 1 to {MAX_DAYS} days."
TOO_MANY_ITEMS = f"A room holds at most {ITEMS_MAX} assets."
NOT_YOURS = "Only the rep who owns this deal changes its rooms."


def default_days() -> int:
    """How long a new room lasts unless the rep says: the share links' default."""
    return share_links.default_days()


def check_days(value) -> int:
    """Days from 1 to MAX_DAYS, from a number or digits; empty is the default."""
    return share_links.check_days(value, DAYS_INVALID)


def _cleaned(title: str | None, note: str | None, errors: dict[str, str]) -> tuple[str, str]:
    """The title and note as kept; what is wrong with them noted in ``errors``."""
    title = " ".join((title or "").split())
    note = (note or "").strip()
    check_text(errors, "title", title, TITLE_MAX, TITLE_TOO_LONG, TITLE_MISSING)
    if len(note) > NOTE_MAX:
        errors["note"] = NOTE_TOO_LONG
    return title, note


def _refuse_any(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)


def _checked(title: str | None, note: str | None) -> tuple[str, str]:
    errors: dict[str, str] = {}
    title, note = _cleaned(title, note, errors)
    _refuse_any(errors)
    return title, note


def _view_only(asset: Asset, chosen: bool | None) -> bool:
    """What the rep chose, or the share links' default (decks view only)."""
    return share_links.view_only_by_default(asset) if chosen is None else chosen


def _roomable(user: User, asset: Asset | None) -> Asset:
    """``asset`` when ``user`` may put it in front of a buyer: live, external, readable."""
    if asset is None or not can(user, "view", asset):
        raise NotFound("No such asset.")
    if asset.internal:
        raise Conflict("This asset is internal only: it cannot be put in front of buyers.")
    if not can(user, "share", asset):
        raise Conflict("Only published assets go in a room.")
    return asset


@dataclass
class NewItem:
    """An asset to put in a room; ``view_only`` None takes the default for its file."""

    asset: Asset | None
    view_only: bool | None = None


def create_room(
    user: User,
    deal: Deal,
    title: str | None,
    note: str | None = "",
    items: Sequence[NewItem] = (),
    expires_in_days=None,
) -> tuple[Room, str]:
    """Make a room for ``deal`` (one of ``user``'s own) with ``items`` in that order.

    Returns the room and its clear token, which is shown once.
    """
    if not can(user, "view", deal):
        raise NotFound("No such deal.")
    if not can(user, "make_room", deal):
        raise PermissionDenied("Only the rep who owns this deal makes rooms for it.")
    errors: dict[str, str] = {}
    title, note = _cleaned(title, note, errors)
    try:
        days = check_days(expires_in_days)
    except ValidationFailed as refused:
        errors.update(refused.fields)
    if len(items) > ITEMS_MAX:
        errors["items"] = TOO_MANY_ITEMS
    _refuse_any(errors)
    token = share_links.new_token()
    now = utcnow()
    room = Room(
        deal=deal,
        created_by=user,
        title=title,
        note=note,
        token_hash=hash_token(token),
        expires_at=now + timedelta(days=days),
        created_at=now,
    )
    db.session.add(room)
    seen: set[int] = set()
    for new in items:
        asset = _roomable(user, new.asset)
        if asset.id in seen:
            continue
        seen.add(asset.id)
        view_only = _view_only(asset, new.view_only)
        room.items.append(RoomItem(asset=asset, position=len(room.items), view_only=view_only))
    db.session.flush()
    return room, token


def _editable(room: Room, user: User) -> None:
    if not can(user, "view", room):
        raise NotFound("No such room.")
    if not can(user, "edit", room):
        raise PermissionDenied(NOT_YOURS)


def update_room(room: Room, user: User, title: str | None, note: str | None) -> bool:
    """Change the title and note; returns False when nothing changed."""
    _editable(room, user)
    title, note = _checked(title, note)
    if (room.title, room.note) == (title, note):
        return False
    room.title, room.note = title, note
    db.session.flush()
    return True


def set_expiry(room: Room, user: User, expires_in_days) -> None:
    """The room works for ``expires_in_days`` from now (an expired room opens again)."""
    _editable(room, user)
    room.expires_at = utcnow() + timedelta(days=check_days(expires_in_days))
    db.session.flush()


def add_item(room: Room, user: User, asset: Asset | None, view_only: bool | None = None):
    """Put ``asset`` at the end of the room; returns (item, added): an asset already in
    the room stays where it is."""
    _editable(room, user)
    asset = _roomable(user, asset)
    for item in room.items:
        if item.asset_id == asset.id:
            return item, False
    if len(room.items) >= ITEMS_MAX:
        raise ValidationFailed(TOO_MANY_ITEMS, {"items": TOO_MANY_ITEMS})
    position = max((item.position for item in room.items), default=-1) + 1
    view_only = _view_only(asset, view_only)
    item = RoomItem(asset=asset, position=position, view_only=view_only)
    room.items.append(item)
    db.session.flush()
    return item, True


def get_item(room: Room, item_id: int) -> RoomItem:
    for item in room.items:
        if item.id == item_id:
            return item
    raise NotFound("No such item in this room.")


def remove_item(room: Room, user: User, item: RoomItem) -> None:
    """Take an item out of the room; what buyers read of it stays in the visits."""
    _editable(room, user)
    room.items.remove(item)
    db.session.flush()


def set_view_only(room: Room, user: User, item: RoomItem, view_only: bool) -> bool:
    _editable(room, user)
    if item.view_only == view_only:
        return False
    item.view_only = view_only
    db.session.flush()
    return True


def move_item(room: Room, user: User, item: RoomItem, step: int) -> bool:
    """Move an item one place up (-1) or down (+1); False at either end."""
    _editable(room, user)
    ordered = list(room.items)
    index = ordered.index(item)
    other = index + step
    if step not in (-1, 1) or not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered):
        each.position = position
    db.session.flush()
    db.session.expire(room, ["items"])
    return True


def reorder(room: Room, user: User, item_ids: Sequence[int]) -> None:
    """Put the room's items in the order of ``item_ids`` (every item, once each)."""
    _editable(room, user)
    by_id = {item.id: item for item in room.items}
    if sorted(item_ids) != sorted(by_id) or len(set(item_ids)) != len(item_ids):
        message = "List every item of the room once, in the new order."
        raise ValidationFailed(message, {"items": message})
    for position, item_id in enumerate(item_ids):
        by_id[item_id].position = position
    db.session.flush()
    db.session.expire(room, ["items"])


def revoke(room: Room, user: User) -> bool:
    """Stop the room's link working now; returns False when it was revoked already."""
    _editable(room, user)
    done = rows_changed(
        update(Room)
        .where(Room.id == room.id, Room.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(room)
    return done == 1


def new_link(room: Room, user: User) -> str:
    """Issue a new link for the room: the old one stops working. Returns the clear token."""
    _editable(room, user)
    if room.revoked:
        raise Conflict("This room was revoked; make a new room instead.")
    token = share_links.new_token()
    room.token_hash = hash_token(token)
    db.session.flush()
    return token


# The items as buyers see them: their assets' live revisions and files.
_ITEM_LOADS = (
    selectinload(Room.items)
    .selectinload(RoomItem.asset)
    .selectinload(Asset.live_revision)
    .selectinload(AssetRevision.file),
)
_ROOM_LOADS = (selectinload(Room.deal), selectinload(Room.created_by), *_ITEM_LOADS)


def get_room(user: User, room_id: int) -> Room:
    """The room if ``user`` may see it; otherwise NotFound (never a 403)."""
    return get_visible(user, Room, room_id, "No such room.", loads=_ROOM_LOADS)


# ---- what the buyer sees -----------------------------------------------------------------


class RoomGone(Gone):
    """Gone, carrying the room, so the buyer's page can say whom to ask."""

    def __init__(self, room: Room):
        super().__init__("This room has expired.")
        self.room = room


def find_by_token(token: str, whole: bool = True) -> Room | None:
    """The room with this clear token, or None (a malformed token finds nothing); with
    its deal and maker loaded unless not ``whole`` (a beacon or a file needs only the
    items)."""
    if not share_links.well_formed(token):
        return None
    loads = _ROOM_LOADS if whole else _ITEM_LOADS
    return db.session.scalar(
        select(Room).where(Room.token_hash == hash_token(token)).options(*loads)
    )


def open_room(token: str, whole: bool = True) -> Room:
    """The room a buyer opened: NotFound for an unknown token, RoomGone for one that
    expired or was revoked. ``whole``: see ``find_by_token``."""
    room = find_by_token(token, whole)
    if room is None:
        raise NotFound("No such room.")
    if not room.active:
        raise RoomGone(room)
    return room


def dropped_reason(item: RoomItem) -> str | None:
    """Why buyers no longer see ``item`` ("Archived", "Expired", "Internal only", …), or
    None while they do."""
    asset = item.asset
    if asset.status == "archived":
        return "Archived"
    if asset.expired:
        return "Expired"
    if not asset.is_live:
        return "Not published"
    if asset.internal:
        return "Internal only"
    return None


def shown_items(room: Room) -> list[RoomItem]:
    """The items buyers see, in order: those whose asset is still live and external."""
    return [item for item in room.items if dropped_reason(item) is None]


def shown_item(room: Room, item_id: int) -> RoomItem:
    """One item the buyer sees; NotFound for any other."""
    for item in shown_items(room):
        if item.id == item_id:
            return item
    raise NotFound("No such item.")


def shown_revision(item: RoomItem) -> AssetRevision:
    """The revision a buyer reads: the asset's live one (shown items are live)."""
    revision = item.asset.live_revision
    if revision is None:
        raise NotFound("No such item.")
    return revision
