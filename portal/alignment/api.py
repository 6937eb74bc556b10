"""JSON API for alignment meetings: the meetings you see, a meeting's action items, a new
action item, and closing one with a note, with the same rules and messages as the pages."""

from flask import Blueprint

from portal.alignment import calendar, queries
from portal.alignment import services as alignment
from portal.alignment.schemas import (
    ActionItemInput,
    ActionItemList,
    ActionItemOut,
    ActionItemQuery,
    CloseInput,
    MeetingList,
    MeetingOut,
)
from portal.kernel.api import require
from portal.kernel.models import User, find_user
from portal.kernel.reporting import local_today
from portal.kernel.schemas import Created, Paging, created, operation

bp = Blueprint("alignment_api", __name__)


@bp.get("/meetings")
@operation(
    "The alignment meetings you attend (every one for leaders and admins)",
    answer="A page of meetings",
)
def list_meetings(query: Paging, user: User) -> MeetingList:
    page, per_page = query.pages()
    return MeetingList.of(queries.meeting_list(user, page, per_page), MeetingOut.shown)


@bp.get("/meetings/<id:meeting_id>")
@operation("Read one meeting", answer="The meeting")
def get_meeting(meeting_id: int, user: User) -> MeetingOut:
    return MeetingOut.shown(alignment.get_meeting(user, meeting_id))


@bp.get("/meetings/<id:meeting_id>/action-items")
@operation(
    "A meeting's action items: open (soonest due first), done or all",
    answer="A page of action items",
)
def list_action_items(meeting_id: int, query: ActionItemQuery, user: User) -> ActionItemList:
    meeting = alignment.get_meeting(user, meeting_id)
    page, per_page = query.pages()
    listed = queries.item_list(meeting, query.status, page, per_page)
    return ActionItemList.of(listed, lambda item: ActionItemOut.shown(item, user))


@bp.post("/meetings/<id:meeting_id>/action-items")
@operation("Record an action item at a meeting (its people)", answer="The action item")
def create_action_item(
    meeting_id: int, body: ActionItemInput, user: User
) -> Created[ActionItemOut]:
    meeting = alignment.get_meeting(user, meeting_id)
    owner = find_user(body.owner)
    data = alignment.ItemInput(
        title=body.title,
        owner_id=owner.id if owner is not None else None,
        due_on=body.due_on,
        link=(body.link_kind, body.link_id) if body.link_kind and body.link_id else None,
        link_half=(body.link_kind is None) != (body.link_id is None),
    )
    on = body.meeting_on or calendar.next_on(meeting, local_today())
    item = alignment.add_action_item(user, meeting, on, data)
    return created(ActionItemOut.shown(item, user), ".get_action_item", action_item_id=item.id)


@bp.get("/action-items/<id:action_item_id>")
@operation("Read one action item", answer="The action item")
def get_action_item(action_item_id: int, user: User) -> ActionItemOut:
    return ActionItemOut.shown(alignment.get_action_item(user, action_item_id), user)


@bp.post("/action-items/<id:action_item_id>/close")
@operation(
    "Close an action item with a note (its owner, the meeting's organiser, admins)",
    answer="The action item, done",
    errors=(403, 409),
)
def close_action_item(action_item_id: int, body: CloseInput, user: User) -> ActionItemOut:
    item = alignment.get_action_item(user, action_item_id)
    require(
        user,
        "close",
        item,
        refusal="Only the item's owner, the meeting's organiser or an admin closes it.",
    )
    alignment.close_action_item(user, item, body.note)
    return ActionItemOut.shown(item, user)
