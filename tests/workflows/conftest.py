"""Fixtures for the asset workflow: assets in any state, the people who act on them."""

import pytest

from content.library.models import Asset
from portal.kernel.extensions import db
from tests.factories import make_asset, make_user, reviewers
from tests.workflows.helpers import take
from tests.workflows.post_factories import draft, walk
from tests.workflows.state_paths import shortest_path
from workflows.posts.models import GhostPost
from workflows.review import collaborators
from workflows.review.machine import ASSET_TRANSITIONS


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
