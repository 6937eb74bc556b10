"""Field feedback: what reps hear from customers (objections, questions, competitors, win
stories, loss reasons, content gaps), sent to marketing, triaged and answered there.

Reps and leaders send feedback; it may name an asset, a deal and a campaign, but only
ones the sender may see: a live asset (or one they were invited to), their own deal, a
published campaign. Marketers and admins triage it: they set its status (new,
acknowledged, acted on, in any order, forwards or back, since triage is a judgement and
not a workflow) and write a reply that the author sees. Leaders read everything.

A triage save names the version (``updated_at``) it was based on; a save based on an
older version is refused rather than silently overwriting another marketer's reply.

Services flush, never commit: the caller commits once.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import selectinload

from content.deals.models import Deal
from content.deals.services import asset_title
from content.library.models import Asset, Stage
from content.library.rules import visible_assets
from content.taxonomy.filters import StagedFilters, stage_filter
from portal.kernel import events
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, check_text
from portal.kernel.extensions import db
from portal.kernel.ids import text_id
from portal.kernel.list_filters import check_choice, check_filters, search_words
from portal.kernel.models import User, utcnow
from portal.kernel.notifications import notify
from portal.kernel.pagination import Page, paginate
from portal.kernel.permissions import can, get_visible
from portal.kernel.sql import rows_changed
from workflows.campaigns.models import Campaign
from workflows.feedback.models import FEEDBACK_KINDS, FEEDBACK_STATUSES, FieldFeedback
from workflows.feedback.rules import visible_feedback

STATUS_VIEWS = (*FEEDBACK_STATUSES, "all")

TEXT_MAX = 4000
REPLY_MAX = 4000
SEARCH_MAX = 100
HEADLINE_LENGTH = 80
# The form lists this many assets, deals and campaigns, most recently changed first.
CHOICES_MAX = 300

KIND_MISSING = "Choose what kind of feedback this is."
TEXT_MISSING = "Write what you heard: marketing starts from your words."
TEXT_TOO_LONG = f"Keep the feedback under {TEXT_MAX:,} characters."
STAGE_UNKNOWN = "Choose one of the buyer stages listed."
ASSET_NOT_VISIBLE = "Choose an asset you can open in the library."
DEAL_NOT_YOURS = "Choose one of your own deals."
CAMPAIGN_NOT_PUBLISHED = "Choose a published campaign."
STATUS_UNKNOWN = f"Choose one of: {', '.join(FEEDBACK_STATUSES.values())}."
REPLY_TOO_LONG = f"Keep the reply under {REPLY_MAX:,} characters."
VERSION_MISSING = "The form did not say which version it was based on; open the item again."


def get_visible_feedback(user: User, feedback_id: int) -> FieldFeedback:
    """The feedback if this user may see it; otherwise NotFound (never a 403)."""
    return get_visible(user, FieldFeedback, feedback_id, "No such feedback.")


def headline(feedback: FieldFeedback) -> str:
    """The text folded to one short line, for lists, titles and notifications."""
    line = " ".join((feedback.text or "").split())
    if len(line) <= HEADLINE_LENGTH:
        return line
    cut = line[: HEADLINE_LENGTH - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,.;:") + "…"


def version(feedback: FieldFeedback) -> str:
    """The version a triage form carries: the stored ``updated_at`` as naive UTC."""
    return _naive_utc(feedback.updated_at).isoformat()


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def parse_version(raw: str | None) -> datetime | None:
    """The version a form sent, or None when it is missing or malformed."""
    try:
        return _naive_utc(datetime.fromisoformat((raw or "").strip()[:40]))
    except ValueError:
        return None


# ---- sending ----------------------------------------------------------------------------


@dataclass
class FeedbackInput:
    """What a rep submits; stage, asset, deal and campaign are ids (None: not given)."""

    kind: str
    text: str
    stage_id: int | None = None
    asset_id: int | None = None
    deal_id: int | None = None
    campaign_id: int | None = None


def _referenced(sender, model, object_id: int | None, errors: dict, field: str, message: str):
    """The row ``object_id`` names if ``sender`` may send feedback about it. An id that does
    not exist reads like one the sender may not see, so the form reveals nothing."""
    if not object_id:
        return None
    found = db.session.get(model, object_id) if object_id < 2**31 else None
    if found is None or not can(sender, "send_feedback", found):
        errors[field] = message
        return None
    return found


def _checked(sender, data: FeedbackInput) -> dict:
    """The cleaned values, or a ValidationFailed naming each bad field."""
    errors = {}
    text = (data.text or "").replace("\r\n", "\n").strip()
    if data.kind not in FEEDBACK_KINDS:
        errors["kind"] = KIND_MISSING
    check_text(errors, "text", text, TEXT_MAX, TEXT_TOO_LONG, TEXT_MISSING)
    stage = None
    if data.stage_id:
        stage = db.session.get(Stage, data.stage_id) if data.stage_id < 2**31 else None
        if stage is None:
            errors["stage"] = STAGE_UNKNOWN
    asset = _referenced(sender, Asset, data.asset_id, errors, "asset", ASSET_NOT_VISIBLE)
    deal = _referenced(sender, Deal, data.deal_id, errors, "deal", DEAL_NOT_YOURS)
    campaign = _referenced(
        sender, Campaign, data.campaign_id, errors, "campaign", CAMPAIGN_NOT_PUBLISHED
    )
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    if stage is None and deal is not None:
        stage = deal.stage  # the stage the rep would have picked; they may choose another
    return {
        "kind": data.kind,
        "text": text,
        "stage": stage,
        "asset": asset,
        "deal": deal,
        "campaign": campaign,
    }


def _link(feedback: FieldFeedback) -> str:
    return f"/feedback/{feedback.id}"


def _publish_created(feedback: FieldFeedback) -> None:
    events.publish(
        "feedback.created",
        {
            "feedback": {
                "id": feedback.id,
                "kind": feedback.kind,
                "status": feedback.status,
                "headline": headline(feedback),
                "stage": feedback.stage.name if feedback.stage is not None else None,
                "asset_id": feedback.asset_id,
                "deal_id": feedback.deal_id,
                "campaign_id": feedback.campaign_id,
                "created_at": feedback.created_at,
                "url": events.link(_link(feedback)),
            },
            "author": {"id": feedback.author.id, "name": feedback.author.name},
        },
    )


def send_feedback(sender, data: FeedbackInput) -> FieldFeedback:
    """Record what ``sender`` heard. The asset's owner is told (or, without an asset, the
    campaign's owner); general feedback tells nobody and waits in the inbox as new.

    Refusals are a ValidationFailed naming each bad field (kind, text, stage, asset, deal,
    campaign); nothing is stored then. Without a stage, the deal's stage is used.
    """
    if not can(sender, "send_feedback"):
        raise PermissionDenied("Marketing receives field feedback; reps and leaders send it.")
    values = _checked(sender, data)
    feedback = FieldFeedback(author=sender, status="new", **values)
    db.session.add(feedback)
    db.session.flush()
    _publish_created(feedback)
    if feedback.asset is not None:
        owner, about = feedback.asset.owner, f"“{asset_title(feedback.asset)}”"
    elif feedback.campaign is not None:
        owner, about = feedback.campaign.owner, f"the campaign “{feedback.campaign.name}”"
    else:
        return feedback
    label = FEEDBACK_KINDS[feedback.kind].lower()
    text = f"{sender.name} sent feedback on {about} ({label}): {headline(feedback)}"
    notify(owner, "feedback_received", text, _link(feedback), actor=sender)
    return feedback


# ---- triage -----------------------------------------------------------------------------


def triage(
    feedback: FieldFeedback, marketer, status: str, reply: str, based_on: datetime | None
) -> FieldFeedback:
    """Set the status and the reply of ``feedback`` as seen at version ``based_on``.

    A save based on an older version is a Conflict and changes nothing: the check and the
    write are one conditional UPDATE, so of two marketers saving at once exactly one wins.
    A changed reply tells the author (once per change); a status change alone does not.
    """
    if not can(marketer, "view", feedback):
        raise NotFound("No such feedback.")
    if not can(marketer, "triage", feedback):
        raise PermissionDenied("Marketers and admins triage feedback; leaders read it.")
    reply = (reply or "").replace("\r\n", "\n").strip()
    errors = {}
    if status not in FEEDBACK_STATUSES:
        errors["status"] = STATUS_UNKNOWN
    check_text(errors, "reply", reply, REPLY_MAX, REPLY_TOO_LONG)
    if based_on is None:
        errors["version"] = VERSION_MISSING
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    reply_changed = reply != (feedback.reply or "")
    now = utcnow()
    values = {"status": status, "reply": reply, "updated_at": now, "handled_by_id": marketer.id}
    if reply_changed:
        values["replied_at"] = now if reply else None
    claimed = rows_changed(
        update(FieldFeedback)
        .where(FieldFeedback.id == feedback.id, FieldFeedback.updated_at == based_on)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(feedback)
    if claimed != 1:
        raise stale(feedback)
    if reply_changed and reply:
        notify(
            feedback.author,
            "feedback_replied",
            f"{marketer.name} replied to your feedback: {headline(feedback)}",
            _link(feedback),
            actor=marketer,
        )
    return feedback


def stale(feedback: FieldFeedback) -> Conflict:
    """The refusal of a save based on an older version, naming what is there now."""
    who = feedback.handled_by.name if feedback.handled_by else "Someone"
    status = FEEDBACK_STATUSES.get(feedback.status, feedback.status)
    current = f"the reply now reads: “{feedback.reply}”" if feedback.reply else "there is no reply"
    return Conflict(
        f"{who} changed this feedback while you were working on it, so nothing was saved. "
        f"It is now {status.lower()} and {current}. Your text is kept below: "
        "check it and save again.",
        fields={"reply": current},
    )


# ---- lists and counts -------------------------------------------------------------------


@dataclass
class FeedbackFilters(StagedFilters):
    """What the inbox shows: a status (or "all"), a kind, a stage slug and words to find."""

    kind: str = ""
    q: str = ""
    asset_id: int | None = None


def default_filters(user: User) -> FeedbackFilters:
    """Marketing's inbox opens on new feedback; everyone else sees all theirs."""
    return FeedbackFilters(status="new" if can(user, "triage_feedback") else "all")


def parse_filters(args, user: User) -> FeedbackFilters:
    """Read filters from query arguments; anything not understood is a ValidationFailed."""
    filters = default_filters(user)
    filters.status = (args.get("status") or filters.status).strip()
    filters.kind = (args.get("kind") or "").strip()[:40]
    filters.q = search_words(args, SEARCH_MAX)
    errors: dict[str, str] = {}
    asset = (args.get("asset") or "").strip()
    if asset:
        filters.asset_id = text_id(asset)
        if not filters.asset_id:
            errors["asset"] = "The asset is given by its number."
    check_choice(errors, "status", filters.status, STATUS_VIEWS)
    check_choice(errors, "kind", filters.kind, FEEDBACK_KINDS, optional=True)
    filters.stage, filters.chosen_stage = stage_filter(args, errors)
    check_filters(errors)
    return filters


def _escaped(words: str) -> str:
    return words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matching(user: User, filters: FeedbackFilters) -> Select:
    """Every filter but the status, which the tabs count across."""
    query = filters.in_stage(visible_feedback(user), FieldFeedback.stage_id)
    if filters.kind:
        query = query.where(FieldFeedback.kind == filters.kind)
    if filters.asset_id is not None:
        query = query.where(FieldFeedback.asset_id == filters.asset_id)
    for word in filters.q.split():
        pattern = f"%{_escaped(word.lower())}%"
        query = query.where(
            or_(
                func.lower(FieldFeedback.text).like(pattern, escape="\\"),
                func.lower(FieldFeedback.reply).like(pattern, escape="\\"),
            )
        )
    return query


def status_counts(user: User, filters: FeedbackFilters) -> dict[str, int]:
    """How many items each status tab holds under the other filters, and "all"."""
    query = _matching(user, filters).subquery()
    rows = db.session.execute(select(query.c.status, func.count()).group_by(query.c.status))
    counts: dict[str, int] = dict.fromkeys(FEEDBACK_STATUSES, 0) | dict(rows.all())
    counts["all"] = sum(counts[status] for status in FEEDBACK_STATUSES)
    return counts


def feedback_list(user: User, filters: FeedbackFilters, page: int, per_page: int) -> Page:
    """A page of the feedback this user may see that matches the filters, newest first."""
    return paginate(
        filters.in_status(_matching(user, filters), FieldFeedback.status),
        page,
        per_page,
        order=(FieldFeedback.created_at.desc(), FieldFeedback.id.desc()),
        options=(
            selectinload(FieldFeedback.author),
            selectinload(FieldFeedback.stage),
            selectinload(FieldFeedback.asset),
            selectinload(FieldFeedback.deal),
            selectinload(FieldFeedback.campaign),
        ),
    )


def sender_choices(user: User) -> dict[str, list]:
    """What the form offers the sender: the assets, deals and campaigns they may name.

    The same sets the send_feedback rules allow, as queries, so the form never offers
    something the service would refuse: the assets the sender may open, their own deals
    and the published campaigns.
    """
    if not can(user, "send_feedback"):
        return {"assets": [], "deals": [], "campaigns": []}
    assets = db.session.scalars(
        visible_assets(user)
        .options(selectinload(Asset.live_revision), selectinload(Asset.latest_revision))
        .order_by(Asset.updated_at.desc(), Asset.id.desc())
        .limit(CHOICES_MAX)
    ).all()
    deals = db.session.scalars(
        select(Deal)
        .where(Deal.owner_id == user.id)
        .order_by(Deal.status, Deal.name, Deal.id)
        .limit(CHOICES_MAX)
    ).all()
    campaigns = db.session.scalars(
        select(Campaign)
        .where(Campaign.status == "published")
        .order_by(Campaign.ends_on.desc(), Campaign.id.desc())
        .limit(CHOICES_MAX)
    ).all()
    return {"assets": list(assets), "deals": list(deals), "campaigns": list(campaigns)}
