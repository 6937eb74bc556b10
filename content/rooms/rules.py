"""Who may make and see deal rooms. Registered with portal.kernel.permissions.

A room belongs to a deal: the rep who owns the deal makes rooms for it and changes
them; whoever may read the deal (leaders and admins read every deal) may read its rooms
and their visits; anyone else is told nothing exists.
"""

from sqlalchemy import Select, select

from content.deals.models import Deal
from content.rooms.models import Room
from portal.kernel.models import User
from portal.kernel.permissions import can, rule


@rule("make_room", Deal)
def _make_room(user: User, deal: Deal) -> bool:
    """The deal's own rep (whoever may change the deal) makes rooms for it."""
    return can(user, "edit", deal)


@rule("view", Room)
def _view_room(user: User, room: Room) -> bool:
    """Rooms are read as their deal is."""
    return can(user, "view", room.deal)


@rule("edit", Room)
def _edit_room(user: User, room: Room) -> bool:
    """The rep who may change the deal changes its rooms."""
    return can(user, "edit", room.deal)


def visible_rooms(user: User) -> Select:
    """Rooms this user may know exist: those of the deals they may see."""
    if can(user, "view_all_deals"):
        return select(Room)
    return select(Room).join(Deal, Room.deal_id == Deal.id).where(Deal.owner_id == user.id)
