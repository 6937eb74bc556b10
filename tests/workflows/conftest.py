"""Fixtures for the asset workflow: assets in any state, the people who act on them."""

import pytest
from sqlalchemy import func, select

from content.library.models import ASSET_STATUSES, Asset, AssetRevision
from content.library.services import AssetInput, revise_asset
from portal.kernel.extensions import db
from tests.conftest import make_asset, make_user, reviewers
from tests.workflows.post_factories import draft, walk
from tests.workflows.state_paths import shortest_path
from workflows.audit.models import WorkflowEvent
from workflows.posts.models import GhostPost
from workflows.review import collaborators
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


def path_to(state: str) -> list[str]:
    """The shortest list of actions that takes a new draft to ``state``."""
    return shortest_path(ASSET_TRANSITIONS, state)


@pytest.fixture
def actors(users):
    """Everyone whose permission matters: the owner, an admin, the two invited reviewers
    (a sales and a marketing leader) and three outsiders."""
    sales_reviewer, marketing_reviewer = reviewers()
    return {
        "owner": users["marketer"],
        "admin": users["admin"],
        "sales_reviewer": sales_reviewer,
        "marketing_reviewer": marketing_reviewer,
        "other_marketer": make_user("marketer", "other.marketer@example.com", "Otto Other"),
        "rep": users["rep"],
        "leader": users["leader"],
    }


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


@pytest.fixture
def asset_in(actors):
    """``asset_in(state)``: a committed asset owned by the marketer, walked to ``state``."""

    def build(state: str, title: str = "Security whitepaper") -> Asset:
        owner = actors["owner"]
        asset = make_asset(owner, title, stages=("consideration",), publish=False)
        for who in ("sales_reviewer", "marketing_reviewer"):
            collaborators.invite(asset, owner, actors[who].email, "reviewer")
        for action in path_to(state):
            take(asset, action, actors, f"setup: {action}")
        db.session.commit()
        assert asset.status == state
        return asset

    return build


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


@pytest.fixture
def review_policy(app):
    """``review_policy("single")`` switches the sign-off policy for the rest of the test;
    the app's configuration is put back afterwards."""
    missing = object()
    saved = app.config.get("REVIEW_POLICY", missing)

    def use(name: str) -> None:
        app.config["REVIEW_POLICY"] = name

    yield use
    if saved is missing:
        app.config.pop("REVIEW_POLICY", None)
    else:
        app.config["REVIEW_POLICY"] = saved


# ---- ghost-written posts ----------------------------------------------------------------


@pytest.fixture
def people(users):
    return {
        "writer": users["marketer"],
        "rep": users["rep"],
        "admin": users["admin"],
        "marketing_leader": make_user(
            "leader", "mo.lead@example.com", "Mo Marketing-Lead", department="marketing"
        ),
        "sales_leader": users["leader"],
        "other_rep": make_user("rep", "sasha@example.com", "Sasha Other-Rep"),
        "other_marketer": make_user("marketer", "otto@example.com", "Otto Other"),
    }


@pytest.fixture
def post_in(people):
    """``post_in(state)``: the marketer's post for Riley, walked to ``state``."""

    def build(state: str, **kwargs) -> GhostPost:
        return walk(draft(people["writer"], people["rep"], **kwargs), state)

    return build
