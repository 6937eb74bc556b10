"""The rep's pages of deal rooms: make one from the deal page, change it, follow its
visits. The buyer's page is content.rooms.public_views."""

from collections.abc import Sequence
from dataclasses import dataclass

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from content.deals import services as deals
from content.library.models import Asset
from content.rooms import queries
from content.rooms import services as rooms
from content.rooms.forms import (
    AccessForm,
    AddItemForm,
    ExpiryForm,
    MoveForm,
    RoomEditForm,
    RoomForm,
)
from content.rooms.models import Room, RoomItem
from content.usage import events as usage
from portal.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.forms import EmptyForm, id_choices
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import can
from portal.kernel.templating import flash_outcome, form_accepted
from portal.kernel.transaction import attempt, press

bp = Blueprint("rooms", __name__)


@dataclass(frozen=True)
class EngagementBox:
    """How deeply buyers read an asset in rooms; ``depth`` None until a visit measured it."""

    depth: queries.Depth | None


def engagement_box(asset: Asset) -> EngagementBox | None:
    """The asset page's engagement depth, beside "How this asset is used" (same readers)."""
    if not can(current_user, "view_usage", asset):
        return None
    return EngagementBox(queries.engagement_depth([asset.id]).get(asset.id))


def roomable_assets(deal, exclude: Sequence[int] = ()) -> list[Asset]:
    """The deal's attached assets a rep may put in a room: live and for buyers."""
    return [
        event.asset
        for event in usage.attached_assets(deal)
        if event.asset_id not in exclude and can(current_user, "share", event.asset)
    ]


def room_form(deal) -> RoomForm:
    """The deal page's "Make a room" form, offering the deal's assets."""
    form = RoomForm()
    form.assets.choices = id_choices(roomable_assets(deal), deals.asset_title)
    return form


def _show(room: Room, anchor: str | None = None):
    return redirect(url_for(".show", room_id=room.id, _anchor=anchor))


def _assets(ids: Sequence[int]) -> list[rooms.NewItem]:
    found = {a.id: a for a in db.session.scalars(select(Asset).where(Asset.id.in_(ids)))}
    return [rooms.NewItem(found.get(asset_id)) for asset_id in ids]


def _created_page(room: Room, token: str, status: int = 200):
    page = render_template(
        "rooms/created.html",
        room=room,
        url=url_for("room_public.page", token=token, _external=True),
    )
    response = make_response(page, status)
    response.headers["Cache-Control"] = "private, no-store"  # the page holds the clear link
    return response


@bp.post("/deals/<id:deal_id>/rooms")
@login_required
def create(deal_id: int):
    deal = deals.get_visible_deal(current_user, deal_id)
    form = room_form(deal)
    back = redirect(url_for("deals.show", deal_id=deal.id, _anchor="rooms"))
    if not form_accepted(form):
        return back
    with attempt(refusals=(ValidationFailed, Conflict)) as outcome:
        room, token = rooms.create_room(
            current_user,
            deal,
            form.title.data,
            form.note.data,
            _assets(form.assets.data or []),
            form.expires_in_days.data,
        )
    if outcome.refused:
        return back
    flash("Deal room created. Copy its link now: it is shown only once.", "success")
    return _created_page(room, token)


@bp.get("/rooms")
@login_required
def index():
    page, per_page = requested_page()
    return render_template("rooms/index.html", page=queries.rooms_of(current_user, page, per_page))


@bp.get("/rooms/<id:room_id>")
@login_required
def show(room_id: int):
    room = rooms.get_room(current_user, room_id)
    page, per_page = requested_page()
    editable = can(current_user, "edit", room)
    add_form = AddItemForm()
    if editable:
        add_form.asset.choices = id_choices(
            roomable_assets(room.deal, [item.asset_id for item in room.items]),
            deals.asset_title,
            none="Choose an asset…",
        )
    return render_template(
        "rooms/show.html",
        room=room,
        stats=queries.room_stats([room])[0],
        visits=queries.visits(room, page, per_page),
        editable=editable,
        edit_form=RoomEditForm(formdata=None, title=room.title, note=room.note),
        expiry_form=ExpiryForm(formdata=None),
        add_form=add_form,
        button=EmptyForm(),
        dropped={item.id: rooms.dropped_reason(item) for item in room.items},
        items_by_id={item.id: item for item in room.items},
    )


def _editable_room(room_id: int) -> Room:
    room = rooms.get_room(current_user, room_id)
    if not can(current_user, "edit", room):
        raise PermissionDenied(rooms.NOT_YOURS)
    return room


def _editable_item(room_id: int, item_id: int) -> tuple[Room, RoomItem]:
    room = _editable_room(room_id)
    return room, rooms.get_item(room, item_id)


@bp.post("/rooms/<id:room_id>")
@login_required
def edit(room_id: int):
    room = _editable_room(room_id)
    form = RoomEditForm()
    submission = press(
        form, lambda: rooms.update_room(room, current_user, form.title.data, form.note.data)
    )
    if submission.saved:
        flash_outcome(submission.result, "Room saved.", "Nothing changed, so nothing was saved.")
    return _show(room, "edit")


@bp.post("/rooms/<id:room_id>/expiry")
@login_required
def expiry(room_id: int):
    room = _editable_room(room_id)
    form = ExpiryForm()
    submission = press(
        form, lambda: rooms.set_expiry(room, current_user, form.expires_in_days.data)
    )
    if submission.saved:
        flash(f"The room now works until {room.expires_at:%d %b %Y}.", "success")
    return _show(room, "edit")


@bp.post("/rooms/<id:room_id>/items")
@login_required
def add_item(room_id: int):
    room = _editable_room(room_id)
    form = AddItemForm()
    form.asset.choices = []
    submission = press(
        form,
        lambda: rooms.add_item(room, current_user, db.session.get(Asset, form.asset.data)),
    )
    if submission.saved:
        item, added = submission.result
        title = deals.asset_title(item.asset)
        flash_outcome(added, f"“{title}” is in the room.", f"“{title}” was in the room already.")
    return _show(room, "items")


@bp.post("/rooms/<id:room_id>/items/<id:item_id>/remove")
@login_required
def remove_item(room_id: int, item_id: int):
    room, item = _editable_item(room_id, item_id)
    title = deals.asset_title(item.asset)
    press(
        EmptyForm(),
        lambda: rooms.remove_item(room, current_user, item),
        done=f"“{title}” is no longer in the room.",
    )
    return _show(room, "items")


@bp.post("/rooms/<id:room_id>/items/<id:item_id>/move")
@login_required
def move_item(room_id: int, item_id: int):
    room, item = _editable_item(room_id, item_id)
    form = MoveForm()
    press(
        form,
        lambda: rooms.move_item(room, current_user, item, -1 if form.direction.data == "up" else 1),
    )
    return _show(room, "items")


@bp.post("/rooms/<id:room_id>/items/<id:item_id>/access")
@login_required
def item_access(room_id: int, item_id: int):
    room, item = _editable_item(room_id, item_id)
    form = AccessForm()
    submission = press(
        form, lambda: rooms.set_view_only(room, current_user, item, form.access.data == "view")
    )
    if submission.saved:
        title = deals.asset_title(item.asset)
        flash_outcome(
            submission.result,
            f"Buyers can {'only view' if item.view_only else 'view and download'} “{title}”.",
            "Nothing changed.",
        )
    return _show(room, "items")


@bp.post("/rooms/<id:room_id>/revoke")
@login_required
def revoke(room_id: int):
    room = _editable_room(room_id)
    submission = press(EmptyForm(), lambda: rooms.revoke(room, current_user))
    if submission.saved:
        flash_outcome(
            submission.result,
            "Room revoked: the buyer now sees “This room has expired”.",
            "That room was already revoked.",
        )
    return _show(room)


@bp.post("/rooms/<id:room_id>/link")
@login_required
def new_link(room_id: int):
    room = _editable_room(room_id)
    form = EmptyForm()
    if not form_accepted(form):
        return _show(room)
    with attempt(refusals=(Conflict,)) as outcome:
        token = rooms.new_link(room, current_user)
    if outcome.refused:
        return _show(room)
    flash("New link issued: the old one no longer works. Copy it now.", "success")
    return _created_page(room, token)
