"""The buyer's page of a deal room, its files, page images and reading-time beacons: no
sign-in, no portal navigation, no cookie.

Pages are rendered as share links' are (content.usage.share_views): straight from the
Jinja environment, with the public headers, and whether the visitor is signed in to the
portal is read from the session key without touching the session. A visit is written
after the page has gone out; the beacon endpoint is authenticated by the room's token and
the visit's key, sends no cookie, and so is exempt from CSRF.
"""

from flask import Blueprint, abort, current_app, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from content.files.previews import page_response
from content.files.uploads import send_stored
from content.rooms import services as rooms
from content.rooms import visits
from content.rooms.schemas import Beacon
from content.usage import events as usage
from content.usage import share_links
from content.usage.share_views import (
    counts_as_buyer_view,
    public_page,
    signed_in,
    with_public_headers,
)
from portal.kernel.errors import DomainError
from portal.kernel.extensions import csrf, limiter

bp = Blueprint("room_public", __name__)

# A beacon holds at most 200 small views; anything longer is not one.
BEACON_MAX_BYTES = 32 * 1024

_limited = limiter.shared_limit(lambda: current_app.config["ROOM_RATE_LIMIT"], scope="rooms")
_pages_limited = limiter.shared_limit(
    lambda: current_app.config["ROOM_PAGE_RATE_LIMIT"], scope="room-pages"
)
_beacons_limited = limiter.shared_limit(
    lambda: current_app.config["ROOM_BEACON_RATE_LIMIT"], scope="room-beacons"
)


def _bare(status: int):
    return with_public_headers(current_app.response_class(status=status))


@bp.errorhandler(rooms.RoomGone)
def _gone(error: rooms.RoomGone):
    if request.endpoint == "room_public.beacon":
        return _bare(410)
    return public_page("rooms/expired.html", 410, shared_by=error.room.created_by)


@bp.errorhandler(DomainError)
def _refused(error: DomainError):
    if request.endpoint == "room_public.beacon":
        return _bare(error.status)
    return public_page("share/unavailable.html", error.status, code=error.status)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    status = error.code or 500
    if request.endpoint == "room_public.beacon":
        return _bare(status)
    return public_page("share/unavailable.html", status, code=status)


@bp.get("/r/<token>")
@_limited
def page(token: str):
    room = rooms.open_room(token)
    counted = counts_as_buyer_view(request.headers.get("User-Agent"))
    key = visits.new_visit_key() if counted else None
    response = public_page(
        "rooms/public.html",
        room=room,
        items=rooms.shown_items(room),
        token=token,
        visit_key=key,
        signed_in=signed_in(),
    )
    if key is not None:
        user_agent = request.headers.get("User-Agent")
        opened = visits.Open(
            room.id, key, share_links.visitor_hash(request.remote_addr, user_agent)
        )
        app = current_app._get_current_object()  # type: ignore[attr-defined]

        def record() -> None:
            with app.app_context():
                usage.record_quietly("a deal room visit", opened.record)

        # Once the page has gone out: counting the visit must never break or hold it up.
        response.call_on_close(record)
    return response


@bp.get("/r/<token>/items/<id:item_id>/file")
@_limited
def file(token: str, item_id: int):
    """A downloadable item's file; a view-only item's file is never served."""
    room = rooms.open_room(token, whole=False)
    item = rooms.shown_item(room, item_id)
    if item.view_only:
        abort(403)
    stored = rooms.shown_revision(item).file
    if stored is None:
        abort(404)
    return with_public_headers(send_stored(stored, request.args.get("inline") == "1"))


@bp.get("/r/<token>/items/<id:item_id>/pages/<id:number>")
@_pages_limited
def page_image(token: str, item_id: int, number: int):
    room = rooms.open_room(token, whole=False)
    stored = rooms.shown_revision(rooms.shown_item(room, item_id)).file
    if stored is None:
        abort(404)
    return with_public_headers(page_response(stored, number))


@bp.post("/r/<token>/beacon")
@csrf.exempt
@_beacons_limited
def beacon(token: str):
    """Reading time from the page's viewer (see content.rooms.visits); always 204 for a
    well-formed beacon, counted or not, so a page learns nothing about other visits."""
    if request.content_length is None or request.content_length > BEACON_MAX_BYTES:
        abort(413 if request.content_length else 411)
    room = rooms.open_room(token, whole=False)
    try:
        sent = Beacon.model_validate_json(request.get_data(cache=False))
    except ValidationError:
        abort(400)
    views = [visits.PageView(v.item, v.page, v.ms) for v in sent.views]
    visits.record_beacon(room, sent.visit, sent.seq, views)
    return _bare(204)
