"""Who may do what: the role × action matrix, over HTTP and at the level of ``can()``.

Reps and leaders see only live assets (drafts are 404); marketers and admins see all.
Only the owning marketer or an admin edits, publishes, archives and restores. Only admins
manage users and the taxonomy (404 for everyone else). The API takes bearer tokens only.
"""

import itertools
from dataclasses import dataclass, field

import pytest
from flask_login import AnonymousUserMixin

from content.assets import AssetInput, revise_asset
from content.models import Asset, Stage
from portal.extensions import db
from portal.models import User
from portal.permissions import can, registered_actions
from tests.conftest import login, make_app, make_asset, make_user, pdf_bytes, token_headers
from tests.portal.conftest import outcome
from workflows.machine import transition

ROLES = ("anonymous", "rep", "marketer", "other_marketer", "leader", "admin")
L = "login"  # redirected to the sign-in page

# The HTTP matrix. Columns follow ROLES; "marketer" owns every asset acted on.
# "done"/"refused": a workflow button posted, and the asset changed state or did not.
EXPECTED = {
    #                                 anon   rep         marketer  other_mkt   leader      admin
    "view library board":            (L,     200,        200,      200,        200,        200),
    "view asset list":               (L,     200,        200,      200,        200,        200),
    "view profile":                  (L,     200,        200,      200,        200,        200),
    "view live asset":               (L,     200,        200,      200,        200,        200),
    "view draft asset":              (L,     404,        200,      200,        404,        200),
    "view archived asset":           (L,     404,        200,      200,        404,        200),
    "view live revision":            (L,     200,        200,      200,        200,        200),
    "view unpublished revision":     (L,     404,        200,      200,        404,        200),
    "view revision diff":            (L,     404,        200,      200,        404,        200),
    "download live file":            (L,     200,        200,      200,        200,        200),
    "download draft file":           (L,     404,        200,      200,        404,        200),
    "open new asset form":           (L,     403,        200,      200,        403,        200),
    "create asset":                  (L,     403,        302,      302,        403,        302),
    "open edit form of live asset":  (L,     403,        200,      403,        403,        200),
    "edit live asset":               (L,     403,        302,      403,        403,        302),
    "edit draft asset":              (L,     404,        302,      403,        404,        302),
    "open edit form of archived":    (L,     404,        403,      403,        404,        403),
    "publish draft":                 (L,     404,        "done",   "refused",  404,        "done"),
    "archive live asset":            (L,     "refused",  "done",   "refused",  "refused",  "done"),
    "restore archived asset":        (L,     404,        "done",   "refused",  404,        "done"),
    "admin: list users":             (L,     404,        404,      404,        404,        200),
    "admin: create user":            (L,     404,        404,      404,        404,        302),
    "admin: taxonomy page":          (L,     404,        404,      404,        404,        200),
    "admin: add taxonomy term":      (L,     404,        404,      404,        404,        302),
    "api: list assets":              (401,   200,        200,      200,        200,        200),
    "api: create asset":             (401,   403,        201,      201,        403,        201),
    "api: get live asset":           (401,   200,        200,      200,        200,        200),
    "api: get draft asset":          (401,   404,        200,      200,        404,        200),
    "api: edit live asset":          (401,   403,        200,      403,        403,        200),
    "api: edit draft asset":         (401,   404,        200,      403,        404,        200),
    "api: publish draft":            (401,   404,        200,      409,        404,        200),
    "api: archive live asset":       (401,   409,        200,      409,        409,        200),
    "api: restore archived asset":   (401,   404,        200,      409,        404,        200),
}  # fmt: skip


@dataclass
class Actor:
    browser: object  # a test client, signed in unless anonymous
    headers: dict  # the bearer token header, empty when anonymous


@dataclass
class World:
    """Users, a cookie-less API client and assets owned by the "marketer" user."""

    users: dict
    api: object
    _shared: dict = field(default_factory=dict)
    _numbers: itertools.count = field(default_factory=itertools.count)

    def asset(self, state: str, *, file: bool = False, fresh: bool = True) -> Asset:
        """An asset in ``state``: draft, live, revised (live rev 1, draft rev 2) or archived.

        Reads share one asset per state; actions that change it get a fresh one each.
        """
        if not fresh and (state, file) in self._shared:
            return self._shared[(state, file)]
        owner = self.users["marketer"]
        upload = ("deck.pdf", pdf_bytes()) if file else None
        asset = make_asset(owner, f"{state} asset", publish=state != "draft", file=upload)
        if state == "archived":
            transition(asset, owner, "archive")
        if state == "revised":
            draft = AssetInput(title="Second take", body="New words.", stages=asset.stages)
            revise_asset(asset, owner, asset.latest_revision_id, draft)
        db.session.commit()
        self._shared[(state, file)] = asset
        return asset

    def number(self) -> int:
        return next(self._numbers)

    def asset_form(self, **extra) -> dict:
        stage = db.session.scalar(db.select(Stage).where(Stage.slug == "decision"))
        fields = {"title": "Battlecard", "body": "Why we win.", "stages": [stage.id]}
        return {**fields, "content_type": "0", **extra}


def read(path: str, state: str | None = None, file: bool = False):
    """GET a page; ``{id}`` in ``path`` is the id of a shared asset in ``state``."""

    def act(actor: Actor, world: World):
        asset_id = world.asset(state, file=file, fresh=False).id if state else None
        return outcome(actor.browser.get(path.format(id=asset_id)))

    return act


def web_edit(state: str):
    def act(actor: Actor, world: World):
        asset = world.asset(state)
        data = world.asset_form(base_revision=str(asset.latest_revision_id))
        return outcome(actor.browser.form(f"/assets/{asset.id}/edit", data))

    return act


def web_transition(state: str, action: str):
    def act(actor: Actor, world: World):
        asset = world.asset(state)
        before = asset.status
        result = outcome(actor.browser.form(f"/assets/{asset.id}/transitions", {"action": action}))
        if result != 302:
            return result
        db.session.refresh(asset)
        return "done" if asset.status != before else "refused"

    return act


def post_form(path: str, make_data):
    def act(actor: Actor, world: World):
        return outcome(actor.browser.form(path, make_data(world)))

    return act


def api_call(method: str, state: str | None = None, suffix: str = "", body=None):
    """Call the API as the actor; ``body`` may be a function of the asset."""

    def act(actor: Actor, world: World):
        asset = world.asset(state, fresh=method != "GET") if state else None
        url = f"/api/v1/assets/{asset.id}{suffix}" if asset else "/api/v1/assets"
        payload = body(asset) if callable(body) else body
        return world.api.open(url, method=method, headers=actor.headers, json=payload).status_code

    return act


NEW_ASSET_JSON = {"title": "API deck", "body": "Words.", "stages": ["decision"]}


def _patch(asset: Asset) -> dict:
    return {"base_revision": asset.latest_revision.number, "title": "Sharper title"}


ACTIONS = {
    "view library board": read("/library"),
    "view asset list": read("/assets"),
    "view profile": read("/profile"),
    "view live asset": read("/assets/{id}", "live"),
    "view draft asset": read("/assets/{id}", "draft"),
    "view archived asset": read("/assets/{id}", "archived"),
    "view live revision": read("/assets/{id}/revisions/1", "revised"),
    "view unpublished revision": read("/assets/{id}/revisions/2", "revised"),
    "view revision diff": read("/assets/{id}/diff?from=1&to=2", "revised"),
    "download live file": read("/assets/{id}/file", "live", file=True),
    "download draft file": read("/assets/{id}/file", "draft", file=True),
    "open new asset form": read("/assets/new"),
    "create asset": post_form("/assets/new", lambda world: world.asset_form()),
    "open edit form of live asset": read("/assets/{id}/edit", "live"),
    "edit live asset": web_edit("live"),
    "edit draft asset": web_edit("draft"),
    "open edit form of archived": read("/assets/{id}/edit", "archived"),
    "publish draft": web_transition("draft", "publish"),
    "archive live asset": web_transition("live", "archive"),
    "restore archived asset": web_transition("archived", "restore"),
    "admin: list users": read("/admin/users"),
    "admin: create user": post_form(
        "/admin/users/new",
        lambda world: {
            "email": f"new{world.number()}@example.com",
            "name": "New Person",
            "role": "rep",
            "department": "sales",
            "password": "a long first password",
            "active": "y",
        },
    ),
    "admin: taxonomy page": read("/admin/taxonomy/stages"),
    "admin: add taxonomy term": post_form(
        "/admin/taxonomy/tags", lambda world: {"name": f"Tag {world.number()}"}
    ),
    "api: list assets": api_call("GET"),
    "api: create asset": api_call("POST", body=NEW_ASSET_JSON),
    "api: get live asset": api_call("GET", "live"),
    "api: get draft asset": api_call("GET", "draft"),
    "api: edit live asset": api_call("PATCH", "live", body=_patch),
    "api: edit draft asset": api_call("PATCH", "draft", body=_patch),
    "api: publish draft": api_call("POST", "draft", "/transitions", {"action": "publish"}),
    "api: archive live asset": api_call("POST", "live", "/transitions", {"action": "archive"}),
    "api: restore archived asset": api_call(
        "POST", "archived", "/transitions", {"action": "restore"}
    ),
}


@pytest.fixture
def world(app, users):
    everyone = {**users, "other_marketer": make_user("marketer", "other@example.com", "Olive")}
    return World(users=everyone, api=app.test_client())


def actor_for(app, world: World, role: str) -> Actor:
    """A signed-in browser and a bearer token for ``role`` (neither when anonymous)."""
    if role == "anonymous":
        return Actor(app.test_client(), {})
    user = world.users[role]
    return Actor(login(app.test_client(), user), token_headers(user))


def test_every_matrix_row_has_an_action():
    assert set(ACTIONS) == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix_over_http(app, world, role):
    actor, column = actor_for(app, world, role), ROLES.index(role)

    outcomes = {action: act(actor, world) for action, act in ACTIONS.items()}

    assert outcomes == {action: row[column] for action, row in EXPECTED.items()}


def test_lists_show_exactly_the_assets_each_role_may_open(app, world):
    assets = [world.asset(state) for state in ("draft", "live", "revised", "archived")]

    for role in ROLES[1:]:
        user = world.users[role]
        headers = token_headers(user)
        api = world.api.get("/api/v1/assets?per_page=100", headers=headers).json
        assert {item["id"] for item in api["items"]} == {
            asset.id for asset in assets if can(user, "view", asset)
        }, role


# ---- can() itself: every registered rule, every role, every asset state ----------------

OWNER_ID, OTHER_ID = 1, 2
EVERY_ROLE = {"rep", "owner", "other_marketer", "leader", "admin"}
AUTHORS = {"owner", "other_marketer", "admin"}
OWNER_OR_ADMIN = {"owner", "admin"}
STATES = ("draft", "live", "revised", "archived")

# (action, subject type name or None) -> roles allowed, or {asset state: roles allowed}.
# A rule on a new type needs an entry here and a way to build that object below.
RULE_MATRIX = {
    ("manage_users", None): {"admin"},
    ("manage_taxonomy", None): {"admin"},
    ("view_drafts", None): AUTHORS,
    ("create_asset", None): AUTHORS,
    ("view", "Asset"): {"draft": AUTHORS, "live": EVERY_ROLE, "revised": EVERY_ROLE,
                        "archived": AUTHORS},
    ("download", "Asset"): {"draft": AUTHORS, "live": EVERY_ROLE, "revised": EVERY_ROLE,
                            "archived": AUTHORS},
    ("edit", "Asset"): {"draft": OWNER_OR_ADMIN, "live": OWNER_OR_ADMIN,
                        "revised": OWNER_OR_ADMIN, "archived": set()},
    # The state machine decides which of these fits the asset's state; the rule is who.
    ("publish", "Asset"): dict.fromkeys(STATES, OWNER_OR_ADMIN),
    ("archive", "Asset"): dict.fromkeys(STATES, OWNER_OR_ADMIN),
    ("restore", "Asset"): dict.fromkeys(STATES, OWNER_OR_ADMIN),
}  # fmt: skip


@pytest.fixture(scope="module")
def rules_app(tmp_path_factory):
    """An app (so every package has registered its rules); these checks need no database."""
    tmp_path = tmp_path_factory.mktemp("rules")
    app = make_app(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path)
    with app.app_context():
        yield app


def person(role: str, active: bool = True) -> User:
    user_id = {"owner": OWNER_ID, "other_marketer": OTHER_ID}.get(role, 10)
    real_role = "marketer" if role in {"owner", "other_marketer"} else role
    return User(id=user_id, role=real_role, active=active, session_version=1)


def asset_in(state: str) -> Asset:
    status = {"draft": "draft", "live": "published", "revised": "draft", "archived": "archived"}
    live = None if state == "draft" else 101
    latest = 102 if state == "revised" else (live or 100)
    return Asset(
        id=1,
        owner_id=OWNER_ID,
        status=status[state],
        live_revision_id=live,
        latest_revision_id=latest,
    )


def test_every_registered_rule_has_a_matrix_entry(rules_app):
    registered = {
        (action, getattr(subject, "__name__", None)) for action, subject in registered_actions()
    }

    assert registered == set(RULE_MATRIX)


@pytest.mark.parametrize("rule", sorted(RULE_MATRIX, key=str), ids=lambda r: f"{r[0]}-{r[1]}")
def test_can_matrix(rules_app, rule):
    action, subject = rule
    expected = RULE_MATRIX[rule]
    cases = {None: expected} if subject is None else expected
    for state, allowed in cases.items():
        obj = None if state is None else asset_in(state)
        decided = {role for role in EVERY_ROLE if can(person(role), action, obj)}
        assert decided == allowed, f"{action} on {state or 'nothing'}"
        assert not can(AnonymousUserMixin(), action, obj)
        assert not can(person("admin", active=False), action, obj)
        assert not can(None, action, obj)


def test_unknown_action_is_refused_even_for_admins(rules_app):
    admin = person("admin")

    assert not can(admin, "launch_rockets")
    assert not can(admin, "launch_rockets", asset_in("live"))
    assert not can(admin, "manage_users", asset_in("live"))  # rule exists only without object
