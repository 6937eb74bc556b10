"""Helpers for the workflow tests: the review state table as test cases, moving
an asset through it, and ready-made campaigns, deals and field feedback."""

from datetime import date, timedelta

from sqlalchemy import func, select

from content.deals.services import DealInput, create_deal
from content.library.models import ASSET_STATUSES, Asset, AssetRevision, Stage
from content.library.services import AssetInput, revise_asset
from portal.kernel.extensions import db
from portal.kernel.reporting import local_today
from workflows.audit.models import WorkflowEvent
from workflows.campaigns import services as campaigns
from workflows.campaigns.models import Campaign
from workflows.campaigns.services import CampaignInput
from workflows.feedback import services as feedback
from workflows.feedback.models import FieldFeedback
from workflows.feedback.services import FeedbackInput
from workflows.review.machine import ASSET_TRANSITIONS, transition
from workflows.review.models import Approval

ALL_STATES = sorted(
    set(ASSET_STATUSES)
    | {state for state, _ in ASSET_TRANSITIONS}
    | set(ASSET_TRANSITIONS.values())
)


TABLE_ACTIONS = sorted({action for _, action in ASSET_TRANSITIONS})


# Actions the table does not know must be refused like any other impossible one.
UNKNOWN_ACTIONS = ["delete", "sign_off", "Publish", ""]


TRANSITIONS = [(state, action, to) for (state, action), to in ASSET_TRANSITIONS.items()]


# Every (state, action) pair the table does not list, unknown actions included.
REFUSED = [
    (state, action)
    for state in ALL_STATES
    for action in TABLE_ACTIONS + UNKNOWN_ACTIONS
    if (state, action) not in ASSET_TRANSITIONS
]


# Who may take each action on the marketer's asset (the invited reviewers are two leaders).
MAY = {
    "submit": ("owner", "admin"),
    "approve": ("sales_reviewer", "marketing_reviewer"),
    "request_changes": ("sales_reviewer", "marketing_reviewer"),
    "publish": ("owner", "admin"),
    "archive": ("owner", "admin"),
    "restore": ("owner", "admin"),
}


def allowed_from(state: str) -> list[str]:
    """The actions the table lists for ``state``, in table order."""
    return [action for (from_state, action) in ASSET_TRANSITIONS if from_state == state]


def acting(state: str) -> str:
    """Someone who may take every action the table lists for ``state``."""
    return "sales_reviewer" if state == "in_review" else "owner"


def take(asset: Asset, action: str, actors: dict, comment: str = "") -> None:
    """Take ``action`` as the usual people would: the reviewers approve until the policy
    is met, the sales reviewer requests changes, the owner does the rest."""
    if action == "approve":
        transition(asset, actors["sales_reviewer"], "approve", comment)
        if asset.status == "in_review":  # dual sign-off: the marketing side as well
            transition(asset, actors["marketing_reviewer"], "approve", comment)
    elif action == "request_changes":
        transition(asset, actors["sales_reviewer"], action, comment or "Please tighten it.")
    else:
        transition(asset, actors["owner"], action, comment)


def event_count(asset_id: int, action: str | None = None) -> int:
    query = select(func.count(WorkflowEvent.id)).where(
        WorkflowEvent.subject_type == "asset", WorkflowEvent.subject_id == asset_id
    )
    if action is not None:
        query = query.where(WorkflowEvent.action == action)
    return db.session.scalar(query)


def stored_status(asset_id: int) -> str:
    """The status the database holds now, bypassing objects cached in the session."""
    return db.session.scalar(select(Asset.status).where(Asset.id == asset_id))


def approval_count(asset_id: int) -> int:
    """Approval rows of the asset, over all its revisions."""
    return db.session.scalar(select(func.count(Approval.id)).where(Approval.asset_id == asset_id))


def revise(asset: Asset, author, body: str) -> AssetRevision:
    """``author`` saves a new revision on top of the latest one, and it is committed."""
    data = AssetInput(
        title=asset.latest_revision.title,
        body=body,
        stages=list(asset.stages),
        content_type=asset.content_type,
    )
    revision = revise_asset(asset, author, asset.latest_revision_id, data)
    db.session.commit()
    return revision


def stage(slug: str) -> Stage:
    return db.session.scalar(select(Stage).where(Stage.slug == slug))


def campaign_of(owner, status: str = "published") -> Campaign:
    today = date.today()
    campaign = Campaign(
        name="Spring retail push",
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=30),
        key_messages="Faster checkout.",
        status=status,
        owner=owner,
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


def deal_of(rep, stage_slug: str = "decision"):
    deal = create_deal(rep, DealInput(name="Acme renewal", account="Acme", stage=stage(stage_slug)))
    db.session.commit()
    return deal


def send(sender, **values) -> FieldFeedback:
    data = FeedbackInput(**{"kind": "objection", "text": "Too expensive for retail.", **values})
    item = feedback.send_feedback(sender, data)
    db.session.commit()
    return item


KEY_MESSAGES = "- Close the books **six days** faster\n- No new hardware"


def brief(
    owner,
    name: str = "Spring close",
    starts: int = 0,
    ends: int = 14,
    *,
    publish: bool = True,
    today: date | None = None,
    **fields,
) -> Campaign:
    """A committed campaign running from ``starts`` to ``ends`` days after today."""
    today = today or local_today()
    data = CampaignInput(
        name=name,
        starts_on=today + timedelta(days=starts),
        ends_on=today + timedelta(days=ends),
        audience=fields.pop("audience", "CFOs of mid-market retailers"),
        key_messages=fields.pop("key_messages", KEY_MESSAGES),
        **fields,
    )
    campaign = campaigns.create_campaign(owner, data)
    db.session.commit()
    if publish:
        campaigns.publish(campaign, owner)
        db.session.commit()
    return campaign
