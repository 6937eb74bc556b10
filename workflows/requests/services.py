"""Content requests: a rep asks marketing for content the library lacks.

A marketer accepts an open request (it becomes a draft asset built from the request's
brief, with the requester invited as a reviewer) or declines it with a reason. Publishing
the draft fulfils the request. The requester is told of every change; marketers are told
of new requests. Each change is also written to the workflow audit log.

Services flush, never commit: the caller commits once.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, select
from sqlalchemy.orm import selectinload

from content.library.models import Asset, Persona, Stage
from content.library.services import TITLE_MAX
from content.taxonomy.filters import StagedFilters, stage_filter
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.list_filters import check_choice, check_filters
from portal.kernel.machine import Machine, Step, apply
from portal.kernel.machine import allowed_actions as engine_allowed_actions
from portal.kernel.models import AUTHORS, OVERSEERS, Role, User
from portal.kernel.notifications import notify
from portal.kernel.pagination import Page, paginate
from portal.kernel.permissions import can
from portal.kernel.role_rules import own_or_all, owner_or_roles_may, roles_may
from workflows.audit import services as audit
from workflows.audit.models import WorkflowEvent
from workflows.requests.drafts import start_draft
from workflows.requests.models import (
    DEAL_CONTEXT_MAX,
    REASON_MAX,
    REQUEST_STATUSES,
    UNFINISHED,
    ContentRequest,
    RequestStatus,
    request_link,
    today,
)

STATUS_LABELS: dict[str, str] = {
    RequestStatus.OPEN: "Open",
    RequestStatus.ACCEPTED: "Accepted",
    RequestStatus.DECLINED: "Declined",
    RequestStatus.FULFILLED: "Fulfilled",
}
# (from status, action) -> to status, taken by marketers and admins.
PEOPLE_TRANSITIONS = {
    ("open", "accept"): "accepted",
    ("open", "decline"): "declined",
}
# Publishing the linked asset fulfils the request: no person takes it, so no permission
# rule exists for it and no button shows it.
SYSTEM_TRANSITIONS = {("accepted", "fulfil"): "fulfilled"}
ACTION_LABELS = {"accept": "Accept", "decline": "Decline"}
ACTION_VERBS = {"accept": "accepted", "decline": "declined", "fulfil": "fulfilled"}
STATUS_VIEWS = (*REQUEST_STATUSES, "all")
EVENT_SUBJECT = "content_request"

NEED_MAX = 2000

NEED_MISSING = "Say what you need and why: marketing starts from this."
NEED_TOO_LONG = f"Keep the need under {NEED_MAX:,} characters."
STAGE_MISSING = "Choose the buyer stage the content is for."
DEAL_CONTEXT_TOO_LONG = f"Keep the deal context under {DEAL_CONTEXT_MAX:,} characters."
DUE_IN_PAST = "The due date has passed; choose today or a later date."
REASON_MISSING = "Say why you decline: the rep sees your reason."
REASON_TOO_LONG = f"Keep the reason under {REASON_MAX:,} characters."
TITLE_TOO_LONG = f"Keep the title under {TITLE_MAX} characters."

HANDLERS = AUTHORS
READERS = OVERSEERS
ASKERS = frozenset(Role)  # anyone may ask for content


# ---- who may do what -------------------------------------------------------------------


_askers_may = roles_may(ASKERS, "submit_request")
# Marketers and admins work the inbox; leaders read it.
_readers_may = roles_may(READERS, "view_all_requests")
_handlers_may = roles_may(HANDLERS, ("accept", ContentRequest), ("decline", ContentRequest))


_requester_may = owner_or_roles_may("requester_id", READERS, ("view", ContentRequest))


def visible_requests(user: User) -> Select:
    """Requests this user may know exist; the list page and the API start from this."""
    return own_or_all(user, ContentRequest, ContentRequest.requester_id, "view_all_requests")


def get_visible_request(user: User, request_id: int) -> ContentRequest:
    """The request if this user may see it; otherwise NotFound (never a 403)."""
    content_request = db.session.get(ContentRequest, request_id)
    if content_request is None or not can(user, "view", content_request):
        raise NotFound("No such content request.")
    return content_request


# ---- the inbox and "my requests" ---------------------------------------------------------


@dataclass
class RequestFilters(StagedFilters):
    """What the list shows: a status (or "all"), a stage slug, overdue or own requests only."""

    overdue: bool = False
    mine: bool = False


def default_filters(user: User) -> RequestFilters:
    """The inbox opens on open requests; a rep's own list shows every request."""
    return RequestFilters(status="open" if can(user, "view_all_requests") else "all")


_FLAGS = {"": False, "0": False, "false": False, "1": True, "on": True, "true": True}


def _flag(args, name: str, errors: dict) -> bool:
    """A checkbox filter: 1, true or on (an HTML form's value) sets it; anything not in
    _FLAGS is reported rather than read as "off", so a typo does not widen the list."""
    raw = (args.get(name) or "").strip().lower()
    if raw not in _FLAGS:
        errors[name] = "Use 1 or 0."
        return False
    return _FLAGS[raw]


def parse_filters(args, user: User) -> RequestFilters:
    """Read filters from query arguments; anything not understood is a ValidationFailed."""
    filters = default_filters(user)
    filters.status = (args.get("status") or filters.status).strip()
    errors: dict[str, str] = {}
    filters.overdue = _flag(args, "overdue", errors)
    filters.mine = _flag(args, "mine", errors)
    check_choice(errors, "status", filters.status, STATUS_VIEWS)
    filters.stage, filters.chosen_stage = stage_filter(args, errors)
    check_filters(errors)
    return filters


def _filtered(user: User, filters: RequestFilters) -> Select:
    query = filters.in_status(visible_requests(user), ContentRequest.status)
    query = filters.in_stage(query, ContentRequest.stage_id)
    if filters.overdue:
        query = query.where(ContentRequest.status.in_(UNFINISHED), ContentRequest.due_on < today())
    if filters.mine:
        query = query.where(ContentRequest.requester_id == user.id)
    return query


def _inbox_order() -> tuple:
    """Open requests first, soonest due first (undated ones after), oldest first among
    equals; then everything else, most recently changed first. Each key is constant
    within the other group, so NULL ordering, which differs by database, never decides."""
    is_open = ContentRequest.status == "open"
    return (
        case((is_open, 0), else_=1),
        case((is_open & ContentRequest.due_on.is_(None), 1), else_=0),
        case((is_open, ContentRequest.due_on), else_=None),
        case((is_open, ContentRequest.created_at), else_=None),
        ContentRequest.updated_at.desc(),
        ContentRequest.id.desc(),
    )


def request_list(user: User, filters: RequestFilters, page: int, per_page: int) -> Page:
    """A page of the requests this user may see that match the filters, inbox order."""
    query = _filtered(user, filters)
    return paginate(
        query,
        page,
        per_page,
        order=_inbox_order(),
        options=(
            selectinload(ContentRequest.requester),
            selectinload(ContentRequest.stage),
            selectinload(ContentRequest.persona),
            selectinload(ContentRequest.asset),
        ),
    )


def request_history(content_request: ContentRequest) -> list[WorkflowEvent]:
    """Who accepted, declined or fulfilled the request and when, oldest first."""
    return audit.history(REQUEST.name, content_request.id)


# ---- asking, accepting, declining, fulfilling -------------------------------------------


def submit_request(
    rep: User,
    need: str,
    stage: Stage | None,
    persona: Persona | None = None,
    deal_context: str = "",
    due_on: date | None = None,
) -> ContentRequest:
    """Ask marketing for content. Every active marketer is told.

    Refusals are a ValidationFailed naming each bad field (need, stage, deal_context,
    due_on); nothing is saved then.
    """
    if not can(rep, "submit_request"):
        raise PermissionDenied("Your account cannot ask for content.")
    need = (need or "").strip()
    deal_context = (deal_context or "").strip()
    errors: dict[str, str] = {}
    if not need:
        errors["need"] = NEED_MISSING
    elif len(need) > NEED_MAX:
        errors["need"] = NEED_TOO_LONG
    if stage is None:
        errors["stage"] = STAGE_MISSING
    if len(deal_context) > DEAL_CONTEXT_MAX:
        errors["deal_context"] = DEAL_CONTEXT_TOO_LONG
    if due_on is not None and due_on < today():
        errors["due_on"] = DUE_IN_PAST
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    assert stage is not None, "a missing stage is refused above"
    content_request = ContentRequest(
        requester=rep,
        need=need,
        stage=stage,
        persona=persona,
        deal_context=deal_context,
        due_on=due_on,
        status="open",
    )
    db.session.add(content_request)
    db.session.flush()
    marketers = db.session.scalars(
        select(User).where(User.role == Role.MARKETER, User.active.is_(True))
    ).all()
    text = f"{rep.name} asked for {stage.name} content: {content_request.headline}"
    notify(marketers, "request_submitted", text, request_link(content_request), actor=rep)
    return content_request


def _check(content_request: ContentRequest, user: User, action: str) -> None:
    """Refuse ``action`` by someone who may not see the request or may not take it."""
    if not can(user, "view", content_request):
        raise NotFound("No such content request.")
    if not can(user, action, content_request):
        raise PermissionDenied("Only marketers and admins accept or decline content requests.")


def _wrong_state(content_request: ContentRequest, action: str) -> str:
    state = STATUS_LABELS.get(content_request.status, content_request.status).lower()
    by = content_request.handled_by
    who = f" by {by.name}" if by is not None and content_request.status != "open" else ""
    verb = ACTION_VERBS.get(action, action)
    return f"This request is already {state}{who}; only open requests can be {verb}."


def _enter(step: Step) -> None:
    """Change the claimed request: who handled it, why it was declined, its draft."""
    content_request, action = step.subject, step.action
    if action in {"accept", "decline"}:
        content_request.handled_by = step.actor
    if action == "decline":
        content_request.decline_reason = step.comment
    elif action == "accept":
        start_draft(content_request, step.actor, step.context["title"])


REQUEST = Machine(
    name=EVENT_SUBJECT,
    noun="request",
    transitions=PEOPLE_TRANSITIONS,
    system_transitions=SYSTEM_TRANSITIONS,
    record=audit.record,
    state_labels=STATUS_LABELS,
    action_labels=ACTION_LABELS,
    enter=_enter,
    refuse_state=_wrong_state,
)
REQUEST_TRANSITIONS = REQUEST.table


def allowed_actions(content_request: ContentRequest, user: User) -> list[str]:
    """The changes ``user`` may make to the request now, in table order."""
    return engine_allowed_actions(REQUEST, content_request, user)


def accept(content_request: ContentRequest, marketer, title: str | None = None) -> Asset:
    """Take an open request on and return the draft asset started for it.

    The draft is owned by ``marketer``, titled ``title`` (or after the need), summarised
    from the need, with the brief as its body and the request's stage and persona; the
    requester is invited to review it (unless inactive or the marketer themselves) and
    told. Only marketers and admins accept, only open requests (else Conflict).
    """
    _check(content_request, marketer, "accept")
    title = " ".join((title or "").split()) or content_request.headline
    if len(title) > TITLE_MAX:
        raise ValidationFailed(TITLE_TOO_LONG, {"title": TITLE_TOO_LONG})
    if content_request.status == "open" and content_request.stage is None:
        raise Conflict("The request's buyer stage was deleted; decline it and ask for a new one.")
    comment = f"Started the draft “{title}”."
    apply(REQUEST, content_request, "accept", marketer, title=title, comment=comment)
    assert content_request.asset is not None, "accepting starts the draft"
    return content_request.asset


def decline(content_request: ContentRequest, marketer, reason: str) -> ContentRequest:
    """Turn an open request down; the requester is told ``reason`` (required)."""
    _check(content_request, marketer, "decline")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(REASON_MISSING, {"reason": REASON_MISSING})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(REASON_TOO_LONG, {"reason": REASON_TOO_LONG})
    apply(REQUEST, content_request, "decline", marketer, comment=reason)
    return content_request


@REQUEST.after
def _tell_the_requester(content_request: ContentRequest, actor: User, event: WorkflowEvent) -> None:
    """The requester hears of every step of their request."""
    latest = content_request.asset.latest_revision if content_request.asset else None
    title = latest.title if latest is not None else ""
    link = request_link(content_request)
    if event.action == "accept":
        kind = "request_accepted"
        text = f"{actor.name} accepted your content request and started the draft “{title}”"
    elif event.action == "decline":
        kind = "request_declined"
        text = f"{actor.name} declined your content request: {event.comment}"
    else:
        kind = "request_fulfilled"
        text = f"“{title}” is published: your content request is fulfilled"
        link = f"/assets/{content_request.asset_id}"
    notify(content_request.requester, kind, text, link, actor=actor)


def fulfil_on_publish(asset: Asset, actor: User, event: WorkflowEvent) -> None:
    """Publishing a draft fulfils the accepted requests linked to it; requesters are told.

    Runs inside the publish transaction, whose claim on the asset row keeps a second
    publish of the same asset waiting, so a request is fulfilled once.
    """
    if event.action != "publish":
        return
    waiting = db.session.scalars(
        select(ContentRequest).where(
            ContentRequest.asset_id == asset.id, ContentRequest.status == "accepted"
        )
    ).all()
    title = asset.latest_revision.title if asset.latest_revision else "The draft"
    for content_request in waiting:
        comment = f"“{title}” was published."
        apply(REQUEST, content_request, "fulfil", actor, system=True, comment=comment)
