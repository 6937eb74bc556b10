"""Who may do what: the role × action matrix, over HTTP and at the level of ``can()``.

Reps and leaders see only live assets (drafts are 404), plus the assets they were invited
to; marketers and admins see all. The owning marketer or an admin invites collaborators,
publishes, archives and restores; they and invited co-authors edit and submit for review;
only invited reviewers approve or request changes. Only admins manage users, the taxonomy
and read the audit log (404 for everyone else). Readers rate what they did not write and
reps attach live assets to their own deals; a share link's page is for its maker, the
asset's owner and admins. Reps own deals, leaders and admins read them all, and only admins
import CRM exports. Reports are for leaders, marketers and admins. The API takes bearer
tokens only.
"""

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from content.crm.imports import create_import
from content.crm.models import DealImport
from content.deals.models import Deal
from content.deals.services import DealInput, create_deal
from content.library.models import Asset, AssetCollaborator, AssetRevision, Stage
from content.library.services import AssetInput, revise_asset
from content.rooms.models import Room
from content.usage import ratings, share_links
from content.usage.models import ShareLink
from portal.alignment.models import ActionItem, Meeting, MeetingAttendee
from portal.export.models import DataExport
from portal.kernel.extensions import db
from portal.kernel.jobs import FailedJob
from portal.kernel.models import User
from portal.kernel.permissions import can, registered_actions
from portal.kernel.reporting import local_today
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import (
    POSTGRES_ONLY,
    login,
    make_app,
    make_asset,
    make_user,
    pdf_bytes,
    reviewers,
    token_headers,
)
from tests.portal.helpers import outcome
from workflows.campaigns import services as campaigns
from workflows.campaigns.models import Campaign, CampaignRead
from workflows.collections.models import Collection, PathAssignment
from workflows.comments.services import Comment
from workflows.feedback import services as feedback
from workflows.feedback.models import FieldFeedback
from workflows.glossary import services as glossary
from workflows.glossary.models import GlossaryTerm
from workflows.posts.machine import transition as post_transition
from workflows.posts.models import GhostPost
from workflows.posts.services import PostInput, create_post, revise_post
from workflows.requests.models import ContentRequest
from workflows.review import collaborators
from workflows.review.machine import transition

ROLES = (
    "anonymous", "rep", "co_author", "reviewer", "marketer", "other_marketer", "leader", "admin",
)  # fmt: skip
L = "login"  # redirected to the sign-in page

# The HTTP matrix. Columns follow ROLES; "marketer" owns every asset acted on, and the
# "co_author" and "reviewer" (two reps) are invited to every one of them, beside the sales
# and the marketing leader who sign it off (dual sign-off).
# D / R ("done" / "refused"): a workflow button (or the invite form) was posted, and the
# asset changed or did not.
D, R = "done", "refused"
EXPECTED = {
    #                                  anon  rep   coaut revwr mrktr other leadr admin
    "view library board":             (L,    200,  200,  200,  200,  200,  200,  200),
    "view asset list":                (L,    200,  200,  200,  200,  200,  200,  200),
    "view profile":                   (L,    200,  200,  200,  200,  200,  200,  200),
    "view live asset":                (L,    200,  200,  200,  200,  200,  200,  200),
    "view draft asset":               (L,    404,  200,  200,  200,  200,  404,  200),
    "view in-review asset":           (L,    404,  200,  200,  200,  200,  404,  200),
    "view archived asset":            (L,    404,  200,  200,  200,  200,  404,  200),
    "view live revision":             (L,    200,  200,  200,  200,  200,  200,  200),
    "view unpublished revision":      (L,    404,  200,  200,  200,  200,  404,  200),
    "view revision diff":             (L,    404,  200,  200,  200,  200,  404,  200),
    "download live file":             (L,    200,  200,  200,  200,  200,  200,  200),
    "download draft file":            (L,    404,  200,  200,  200,  200,  404,  200),
    "open new asset form":            (L,    403,  403,  403,  200,  200,  403,  200),
    "create asset":                   (L,    403,  403,  403,  302,  302,  403,  302),
    "open edit form of live asset":   (L,    403,  200,  200,  200,  403,  403,  200),
    "edit live asset":                (L,    403,  302,  302,  302,  403,  403,  302),
    "edit draft asset":               (L,    404,  302,  302,  302,  403,  404,  302),
    "open edit form of archived":     (L,    404,  403,  403,  403,  403,  404,  403),
    "invite a collaborator":          (L,    404,  R,    R,    D,    R,    404,  D),
    "submit draft for review":        (L,    404,  D,    R,    D,    R,    404,  D),
    "approve in-review asset":        (L,    404,  R,    D,    R,    R,    404,  R),
    "request changes":                (L,    404,  R,    D,    R,    R,    404,  R),
    "publish draft":                  (L,    404,  R,    R,    R,    R,    404,  R),
    "publish approved asset":         (L,    404,  R,    R,    D,    R,    404,  D),
    "archive live asset":             (L,    R,    R,    R,    D,    R,    R,    D),
    "restore archived asset":         (L,    404,  R,    R,    D,    R,    404,  D),
    "view posts queue":               (L,    200,  200,  200,  200,  200,  404,  200),
    "open new post form":             (L,    403,  403,  403,  200,  200,  403,  200),
    "view a post for the rep":        (L,    200,  404,  404,  200,  404,  404,  200),
    "view the post's diff":           (L,    200,  404,  404,  200,  404,  404,  200),
    "edit voice profile":             (L,    200,  200,  200,  404,  404,  404,  404),
    "admin: list users":              (L,    404,  404,  404,  404,  404,  404,  200),
    "admin: create user":             (L,    404,  404,  404,  404,  404,  404,  302),
    "admin: taxonomy page":           (L,    404,  404,  404,  404,  404,  404,  200),
    "admin: add taxonomy term":       (L,    404,  404,  404,  404,  404,  404,  302),
    "admin: audit log":               (L,    404,  404,  404,  404,  404,  404,  200),
    "api: list assets":               (401,  200,  200,  200,  200,  200,  200,  200),
    "api: create asset":              (401,  403,  403,  403,  201,  201,  403,  201),
    "api: get live asset":            (401,  200,  200,  200,  200,  200,  200,  200),
    "api: get draft asset":           (401,  404,  200,  200,  200,  200,  404,  200),
    "api: edit live asset":           (401,  403,  200,  200,  200,  403,  403,  200),
    "api: edit draft asset":          (401,  404,  200,  200,  200,  403,  404,  200),
    "api: invite a collaborator":     (401,  404,  403,  403,  201,  403,  404,  201),
    "api: submit draft":              (401,  404,  200,  409,  200,  409,  404,  200),
    "api: approve in-review asset":   (401,  404,  409,  200,  409,  409,  404,  409),
    "api: request changes":           (401,  404,  409,  200,  409,  409,  404,  409),
    "api: publish draft":             (401,  404,  409,  409,  409,  409,  404,  409),
    "api: publish approved asset":    (401,  404,  409,  409,  200,  409,  404,  200),
    "api: archive live asset":        (401,  409,  409,  409,  200,  409,  409,  200),
    "api: restore archived asset":    (401,  404,  409,  409,  200,  409,  404,  200),
    "api: list posts":                (401,  200,  200,  200,  200,  200,  200,  200),
    "api: get a post for the rep":    (401,  200,  404,  404,  200,  404,  404,  200),
    "api: draft a post":              (401,  403,  403,  403,  201,  201,  403,  201),
    # Ratings, usage and share links. "rep" made the share link to the marketer's asset.
    "rate live asset":                (L,    D,    R,    D,    R,    D,    D,    R),
    "rate draft asset":               (L,    404,  R,    R,    R,    R,    404,  R),
    "read rating comments":           (L,    404,  200,  404,  200,  404,  200,  200),
    "record use in a deal":           (L,    302,  404,  404,  403,  403,  403,  403),
    "create a share link":            (L,    200,  200,  200,  200,  200,  200,  200),
    "create a share link to archived":(L,    404,  302,  302,  302,  302,  404,  302),
    "view my share links":            (L,    200,  200,  200,  200,  200,  200,  200),
    "view a rep's share link":        (L,    200,  404,  404,  200,  404,  404,  200),
    "revoke a rep's share link":      (L,    302,  404,  404,  302,  404,  404,  302),
    "revoke all links to an asset":   (L,    404,  404,  404,  302,  404,  404,  302),
    "open a share link":              (200,  200,  200,  200,  200,  200,  200,  200),
    "api: rate live asset":           (401,  200,  403,  200,  403,  200,  200,  403),
    "api: rate draft asset":          (401,  404,  403,  403,  403,  403,  404,  403),
    "api: read ratings":              (401,  200,  200,  200,  200,  200,  200,  200),
    "api: record use in a deal":      (401,  201,  404,  404,  404,  404,  404,  404),
    "api: create a share link":       (401,  201,  201,  201,  201,  201,  201,  201),
    "api: share an archived asset":   (401,  404,  409,  409,  409,  409,  404,  409),
    "api: list share links":          (401,  200,  200,  200,  200,  200,  200,  200),
    "api: revoke a rep's share link": (401,  200,  404,  404,  200,  404,  404,  200),
    # Deals: "rep" owns a Decision deal with the CRM id SF-1.
    "view deals list":                (L,    200,  200,  200,  404,  404,  200,  200),
    "open new deal form":             (L,    200,  200,  200,  404,  404,  403,  403),
    "create deal":                    (L,    302,  302,  302,  404,  404,  403,  403),
    "view the rep's deal":            (L,    200,  404,  404,  404,  404,  200,  200),
    "open the rep's deal edit form":  (L,    200,  404,  404,  404,  404,  403,  403),
    "edit the rep's deal":            (L,    302,  404,  404,  404,  404,  403,  403),
    "attach to the rep's deal":       (L,    302,  404,  404,  404,  404,  403,  403),
    "remove from the rep's deal":     (L,    302,  404,  404,  404,  404,  403,  403),
    "deals: import page":             (L,    404,  404,  404,  404,  404,  404,  200),
    "deals: CRM stage mapping page":  (L,    404,  404,  404,  404,  404,  404,  200),
    "deals: map a CRM stage":         (L,    404,  404,  404,  404,  404,  404,  302),
    "deals: import preview":          (L,    404,  404,  404,  404,  404,  404,  200),
    "deals: run an import":           (L,    404,  404,  404,  404,  404,  404,  302),
    "api: list deals":                (401,  200,  200,  200,  200,  200,  200,  200),
    "api: create deal":               (401,  201,  201,  201,  403,  403,  403,  403),
    "api: get the rep's deal":        (401,  200,  404,  404,  404,  404,  200,  200),
    "api: edit the rep's deal":       (401,  200,  404,  404,  404,  404,  403,  403),
    "api: sync the rep's deal":       (401,  200,  404,  404,  403,  403,  403,  200),
    # Reports: leaders, marketers and admins; reps may not know they exist.
    "view the reports dashboard":     (L,    404,  404,  404,  200,  200,  200,  200),
    "view a report":                  (L,    404,  404,  404,  200,  200,  200,  200),
    "download a report as CSV":       (L,    404,  404,  404,  200,  200,  200,  200),
    "api: content usage report":      (401,  403,  403,  403,  200,  200,  200,  200),
    # Field feedback: "rep" sent feedback about the marketer's live asset.
    "open the feedback form":         (L,    200,  200,  200,  403,  403,  200,  403),
    "send feedback":                  (L,    302,  302,  302,  403,  403,  302,  403),
    "view the feedback inbox":        (L,    200,  200,  200,  200,  200,  200,  200),
    "view the rep's feedback":        (L,    200,  404,  404,  200,  200,  200,  200),
    "triage the rep's feedback":      (L,    403,  404,  404,  302,  302,  403,  302),
    "view the field-feedback report": (L,    404,  404,  404,  200,  200,  200,  200),
    "api: send feedback":             (401,  201,  201,  201,  403,  403,  201,  403),
    "api: get the rep's feedback":    (401,  200,  404,  404,  200,  200,  200,  200),
    "api: field-feedback report":     (401,  403,  403,  403,  200,  200,  200,  200),
    # Campaign briefs: the marketer owns a published brief and a draft.
    "view campaign list":             (L,    200,  200,  200,  200,  200,  200,  200),
    "view published campaign":        (L,    200,  200,  200,  200,  200,  200,  200),
    "view draft campaign":            (L,    404,  404,  404,  200,  200,  404,  200),
    "open new campaign form":         (L,    403,  403,  403,  200,  200,  403,  200),
    "open campaign edit form":        (L,    403,  403,  403,  200,  403,  403,  200),
    "acknowledge published campaign": (L,    D,    D,    D,    R,    R,    R,    R),
    "api: list campaigns":            (401,  200,  200,  200,  200,  200,  200,  200),
    "api: get draft campaign":        (401,  404,  404,  404,  200,  200,  404,  200),
    # Glossary: "rep" proposed a term; "leader" is the sales leader.
    "view glossary":                  (L,    200,  200,  200,  200,  200,  200,  200),
    "open new term form":             (L,    200,  200,  200,  200,  200,  200,  200),
    "view a term":                    (L,    200,  200,  200,  200,  200,  200,  200),
    "open edit form of rep's term":   (L,    200,  403,  403,  200,  200,  200,  200),
    "sign the rep's term":            (L,    403,  403,  403,  403,  403,  302,  403),
    # Collections and onboarding paths; the weekly digest.
    "view collection list":           (L,    200,  200,  200,  200,  200,  200,  200),
    "open new collection form":       (L,    403,  403,  403,  200,  200,  403,  200),
    "view own weekly digest":         (L,    200,  200,  200,  200,  200,  200,  200),
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
        """An asset in ``state``: draft, in_review (the marketing leader approved, the sales
        sign-off is missing), approved, live, revised (live rev 1, draft rev 2) or archived.

        The co-author and the reviewer are invited to each, beside the two leaders who sign
        it off. Reads share one asset per state; actions that change it get a fresh one each.
        """
        if not fresh and (state, file) in self._shared:
            return self._shared[(state, file)]
        owner = self.users["marketer"]
        sales_leader, marketing_leader = reviewers()
        upload = ("deck.pdf", pdf_bytes()) if file else None
        asset = make_asset(owner, f"{state} asset", publish=state in LIVE_STATES, file=upload)
        invited = [(self.users["co_author"], "author"), (self.users["reviewer"], "reviewer")]
        if state not in LIVE_STATES:  # published ones were signed off by the leaders already
            invited += [(sales_leader, "reviewer"), (marketing_leader, "reviewer")]
        for user, role in invited:
            collaborators.invite(asset, owner, user.email, role)
        if state in {"in_review", "approved"}:
            transition(asset, owner, "submit")
            transition(asset, marketing_leader, "approve")
        if state == "approved":
            transition(asset, sales_leader, "approve")
        if state == "archived":
            transition(asset, owner, "archive")
        if state == "revised":
            draft = AssetInput(title="Second take", body="New words.", stages=asset.stages)
            revise_asset(asset, owner, asset.latest_revision_id, draft)
        db.session.commit()
        assert asset.status == STORED_STATUS[state]
        self._shared[(state, file)] = asset
        return asset

    def post(self):
        """The marketer's post for the "rep" user, sent to them with a second revision
        by the marketer (shared: the rows that use it only read)."""
        if "post" not in self._shared:
            owner = self.users["marketer"]
            post = create_post(
                owner,
                PostInput(title="Spend control", body="First words.", rep=self.users["rep"].email),
            )
            revise_post(post, owner, post.latest_revision_id, "Spend control", "Better words.")
            post_transition(post, owner, "send_to_rep")
            db.session.commit()
            self._shared["post"] = post
        return self._shared["post"]

    def number(self) -> int:
        return next(self._numbers)

    def stage_id(self, slug: str = "decision") -> int:
        return db.session.scalar(db.select(Stage.id).where(Stage.slug == slug))

    def deal(self) -> Deal:
        """The "rep" user's Decision deal, synced from the CRM as SF-1 (shared)."""
        if "deal" not in self._shared:
            decision = db.session.get(Stage, self.stage_id())
            data = DealInput("Acme renewal", "Acme", 1_000_000, decision)
            self._shared["deal"] = create_deal(self.users["rep"], data, "SF-1", "api")
            db.session.commit()
        return self._shared["deal"]

    def link(self, *, fresh: bool = False) -> ShareLink:
        """A link "rep" made to the shared live asset (a new one when ``fresh``)."""
        if fresh or "link" not in self._shared:
            asset = self.asset("live", fresh=False)
            link, token = share_links.create_link(asset, self.users["rep"])
            db.session.commit()
            if fresh:
                return link
            self._shared["link"], self._shared["token"] = link, token
        return self._shared["link"]

    def token(self) -> str:
        """The clear token of the shared link."""
        self.link()
        return self._shared["token"]

    def deal_import(self) -> DealImport:
        """A fresh, previewed upload of a one-row CRM export by the admin."""
        n = self.number()
        raw = (
            "Opportunity ID,Opportunity Name,Account Name,Stage,Owner Email\n"
            f"IMP-{n},Deal {n},Acme,Decision,rep@example.com\n"
        ).encode()
        deal_import, _plan = create_import(self.users["admin"], raw, f"export-{n}.csv")
        db.session.commit()
        return deal_import

    def feedback(self) -> FieldFeedback:
        """Feedback the "rep" user sent about the shared live asset (shared)."""
        if "feedback" not in self._shared:
            asset = self.asset("live", fresh=False)
            data = feedback.FeedbackInput(kind="objection", text="Too pricey.", asset_id=asset.id)
            self._shared["feedback"] = feedback.send_feedback(self.users["rep"], data)
            db.session.commit()
        return self._shared["feedback"]

    def campaign(self, state: str) -> Campaign:
        """The marketer's campaign brief in ``state``, draft or published (shared)."""
        key = ("campaign", state)
        if key not in self._shared:
            owner, today = self.users["marketer"], local_today()
            data = campaigns.CampaignInput(
                f"Spring {state}", today, today + timedelta(days=30), key_messages="Save time."
            )
            campaign = campaigns.create_campaign(owner, data)
            if state == "published":
                campaigns.publish(campaign, owner)
            db.session.commit()
            self._shared[key] = campaign
        return self._shared[key]

    def term(self) -> GlossaryTerm:
        """A glossary term the "rep" user proposed (shared)."""
        if "term" not in self._shared:
            data = glossary.TermInput(name="MQL", definition="A lead marketing qualified.")
            self._shared["term"] = glossary.propose_term(self.users["rep"], data)
            db.session.commit()
        return self._shared["term"]

    def asset_form(self, **extra) -> dict:
        stage = db.session.scalar(db.select(Stage).where(Stage.slug == "decision"))
        fields = {"title": "Battlecard", "body": "Why we win.", "stages": [stage.id]}
        return {**fields, "content_type": "0", **extra}


LIVE_STATES = {"live", "revised", "archived"}
STORED_STATUS = {
    "draft": "draft",
    "in_review": "in_review",
    "approved": "approved",
    "live": "published",
    "revised": "draft",
    "archived": "archived",
}
COMMENT = "Tighten the opening paragraph."  # request_changes needs one; the others keep it


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
        data = {"action": action, "comment": COMMENT}
        result = outcome(actor.browser.form(f"/assets/{asset.id}/transitions", data))
        if result != 302:
            return result
        db.session.refresh(asset)
        return "done" if asset.status != before else "refused"

    return act


def collaborator_count(asset: Asset) -> int:
    query = select(func.count(AssetCollaborator.id)).where(AssetCollaborator.asset_id == asset.id)
    return db.session.scalar(query)


def web_invite(state: str):
    """Invite the (uninvited) rep as a co-author through the asset page's form."""

    def act(actor: Actor, world: World):
        asset = world.asset(state)
        before = collaborator_count(asset)
        data = {"email": world.users["rep"].email, "role": "author"}
        result = outcome(actor.browser.form(f"/assets/{asset.id}/collaborators", data))
        if result != 302:
            return result
        return "done" if collaborator_count(asset) != before else "refused"

    return act


def read_post(suffix: str = ""):
    def act(actor: Actor, world: World):
        return outcome(actor.browser.get(f"/posts/{world.post().id}{suffix}"))

    return act


def api_post(method: str, body=None, *, one: bool = True):
    """The API on the shared post (``one``) or on the post list."""

    def act(actor: Actor, world: World):
        url = f"/api/v1/posts/{world.post().id}" if one else "/api/v1/posts"
        return world.api.open(url, method=method, headers=actor.headers, json=body).status_code

    return act


def post_form(path: str, make_data, asset: str | None = None):
    """Post a form; ``{asset}`` in ``path`` is the id of the shared asset in that state."""

    def act(actor: Actor, world: World):
        asset_id = world.asset(asset, fresh=False).id if asset else None
        return outcome(actor.browser.form(path.format(asset=asset_id), make_data(world)))

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
NEW_POST_JSON = {"title": "API post", "body": "Words.", "rep": "rep@example.com"}
INVITE_JSON = {"email": "rep@example.com", "role": "author"}  # the uninvited rep


def _patch(asset: Asset) -> dict:
    return {"base_revision": asset.latest_revision.number, "title": "Sharper title"}


def _act(action: str) -> dict:
    return {"action": action, "comment": COMMENT}


def api_path(method: str, path, body=None):
    """Call the API at ``path(world)`` as the actor; ``body`` may be a function of the
    world too."""

    def act(actor: Actor, world: World):
        payload = body(world) if callable(body) else body
        response = world.api.open(path(world), method=method, headers=actor.headers, json=payload)
        return response.status_code

    return act


def web_rate(state: str):
    """Rate a fresh asset in ``state`` with four stars: done if a rating was stored."""

    def act(actor: Actor, world: World):
        asset = world.asset(state)
        result = outcome(actor.browser.form(f"/assets/{asset.id}/ratings", {"stars": "4"}))
        if result != 302:
            return result
        return "done" if ratings.summary(asset).count else "refused"

    return act


def use_in_deal():
    """Record a fresh live asset as used in the rep's deal through its page."""

    def act(actor: Actor, world: World):
        asset = world.asset("live")
        data = {"deal": str(world.deal().id), "note": "Sent after the call."}
        return outcome(actor.browser.form(f"/assets/{asset.id}/deals", data))

    return act


def deal_form(world: World) -> dict:
    return {
        "name": "Acme renewal",
        "account": "Acme",
        "amount": "10,000",
        "stage": str(world.stage_id()),
        "status": "open",
        "close_date": "",
    }


def web_triage(actor: Actor, world: World):
    """Acknowledge and answer the rep's feedback through its page."""
    item = world.feedback()
    db.session.refresh(item)
    data = {"status": "acknowledged", "reply": "On it.", "version": feedback.version(item)}
    return outcome(actor.browser.form(f"/feedback/{item.id}/triage", data))


def acknowledge_campaign(actor: Actor, world: World):
    """Mark the published brief read: done if the actor's read was stored."""
    campaign = world.campaign("published")
    result = outcome(actor.browser.form(f"/campaigns/{campaign.id}/read", {}))
    if result != 302:
        return result
    reads = select(func.count(CampaignRead.id)).where(CampaignRead.campaign_id == campaign.id)
    return "done" if db.session.scalar(reads) else "refused"


ACTIONS = {
    "view library board": read("/library"),
    "view asset list": read("/assets"),
    "view profile": read("/profile"),
    "view live asset": read("/assets/{id}", "live"),
    "view draft asset": read("/assets/{id}", "draft"),
    "view in-review asset": read("/assets/{id}", "in_review"),
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
    "invite a collaborator": web_invite("draft"),
    "submit draft for review": web_transition("draft", "submit"),
    "approve in-review asset": web_transition("in_review", "approve"),
    "request changes": web_transition("in_review", "request_changes"),
    "publish draft": web_transition("draft", "publish"),
    "publish approved asset": web_transition("approved", "publish"),
    "archive live asset": web_transition("live", "archive"),
    "restore archived asset": web_transition("archived", "restore"),
    "view posts queue": read("/posts"),
    "open new post form": read("/posts/new"),
    "view a post for the rep": read_post(),
    "view the post's diff": read_post("/diff?from=1&to=2"),
    "edit voice profile": read("/profile/voice"),
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
    "admin: audit log": read("/admin/audit"),
    "api: list assets": api_call("GET"),
    "api: create asset": api_call("POST", body=NEW_ASSET_JSON),
    "api: get live asset": api_call("GET", "live"),
    "api: get draft asset": api_call("GET", "draft"),
    "api: edit live asset": api_call("PATCH", "live", body=_patch),
    "api: edit draft asset": api_call("PATCH", "draft", body=_patch),
    "api: invite a collaborator": api_call("POST", "draft", "/collaborators", INVITE_JSON),
    "api: submit draft": api_call("POST", "draft", "/transitions", _act("submit")),
    "api: approve in-review asset": api_call("POST", "in_review", "/transitions", _act("approve")),
    "api: request changes": api_call("POST", "in_review", "/transitions", _act("request_changes")),
    "api: publish draft": api_call("POST", "draft", "/transitions", _act("publish")),
    "api: publish approved asset": api_call("POST", "approved", "/transitions", _act("publish")),
    "api: archive live asset": api_call("POST", "live", "/transitions", _act("archive")),
    "api: restore archived asset": api_call("POST", "archived", "/transitions", _act("restore")),
    "api: list posts": api_post("GET", one=False),
    "api: get a post for the rep": api_post("GET"),
    "api: draft a post": api_post("POST", NEW_POST_JSON, one=False),
    "rate live asset": web_rate("live"),
    "rate draft asset": web_rate("draft"),
    "read rating comments": read("/assets/{id}/ratings", "live"),
    "record use in a deal": use_in_deal(),
    "create a share link": post_form("/assets/{asset}/share-links", lambda world: {}, asset="live"),
    "create a share link to archived": post_form(
        "/assets/{asset}/share-links", lambda world: {}, asset="archived"
    ),
    "view my share links": read("/share-links"),
    "view a rep's share link": lambda actor, world: outcome(
        actor.browser.get(f"/share-links/{world.link().id}")
    ),
    "revoke a rep's share link": lambda actor, world: outcome(
        actor.browser.form(f"/share-links/{world.link(fresh=True).id}/revoke", {})
    ),
    "revoke all links to an asset": lambda actor, world: outcome(
        actor.browser.form(f"/assets/{world.asset('live').id}/share-links/revoke-all", {})
    ),
    "open a share link": lambda actor, world: outcome(actor.browser.get(f"/s/{world.token()}")),
    "api: rate live asset": api_call("POST", "live", "/ratings", {"stars": 4}),
    "api: rate draft asset": api_call("POST", "draft", "/ratings", {"stars": 4}),
    "api: read ratings": api_call("GET", "live", "/ratings"),
    "api: record use in a deal": api_path(
        "POST",
        lambda world: f"/api/v1/assets/{world.asset('live').id}/usage",
        lambda world: {"kind": "used_in_deal", "deal_id": world.deal().id},
    ),
    "api: create a share link": api_call("POST", "live", "/share-links", {}),
    "api: share an archived asset": api_call("POST", "archived", "/share-links", {}),
    "api: list share links": api_path("GET", lambda world: "/api/v1/share-links"),
    "api: revoke a rep's share link": api_path(
        "POST", lambda world: f"/api/v1/share-links/{world.link(fresh=True).id}/revoke"
    ),
    "view deals list": read("/deals"),
    "open new deal form": read("/deals/new"),
    "create deal": post_form("/deals/new", lambda world: deal_form(world)),
    "view the rep's deal": lambda actor, world: outcome(
        actor.browser.get(f"/deals/{world.deal().id}")
    ),
    "open the rep's deal edit form": lambda actor, world: outcome(
        actor.browser.get(f"/deals/{world.deal().id}/edit")
    ),
    "edit the rep's deal": lambda actor, world: outcome(
        actor.browser.form(f"/deals/{world.deal().id}/edit", deal_form(world))
    ),
    "attach to the rep's deal": lambda actor, world: outcome(
        actor.browser.form(
            f"/deals/{world.deal().id}/assets", {"asset_id": world.asset("live", fresh=False).id}
        )
    ),
    "remove from the rep's deal": lambda actor, world: outcome(
        actor.browser.form(
            f"/deals/{world.deal().id}/assets/{world.asset('live', fresh=False).id}/remove", {}
        )
    ),
    "deals: import page": read("/deals/import"),
    "deals: CRM stage mapping page": read("/deals/import/stages"),
    "deals: map a CRM stage": post_form(
        "/deals/import/stages",
        lambda world: {"crm_stage": f"Stage {world.number()}", "stage": world.stage_id()},
    ),
    "deals: import preview": lambda actor, world: outcome(
        actor.browser.get(f"/deals/import/{world.deal_import().id}")
    ),
    "deals: run an import": lambda actor, world: outcome(
        actor.browser.form(f"/deals/import/{world.deal_import().id}/run", {})
    ),
    "view the reports dashboard": read("/reports"),
    "view a report": read("/reports/content-usage"),
    "download a report as CSV": read("/reports/content-usage?format=csv"),
    "api: content usage report": api_path("GET", lambda world: "/api/v1/reports/content-usage"),
    "open the feedback form": read("/feedback/new"),
    "send feedback": post_form("/feedback/new", lambda world: {"kind": "question", "text": "SSO?"}),
    "view the feedback inbox": read("/feedback"),
    "view the rep's feedback": lambda actor, world: outcome(
        actor.browser.get(f"/feedback/{world.feedback().id}")
    ),
    "triage the rep's feedback": web_triage,
    "view the field-feedback report": read("/reports/field-feedback"),
    "api: send feedback": api_path(
        "POST", lambda world: "/api/v1/feedback", {"kind": "question", "text": "SSO?"}
    ),
    "api: get the rep's feedback": api_path(
        "GET", lambda world: f"/api/v1/feedback/{world.feedback().id}"
    ),
    "api: field-feedback report": api_path("GET", lambda world: "/api/v1/reports/field-feedback"),
    "view campaign list": read("/campaigns"),
    "view published campaign": lambda actor, world: outcome(
        actor.browser.get(f"/campaigns/{world.campaign('published').id}")
    ),
    "view draft campaign": lambda actor, world: outcome(
        actor.browser.get(f"/campaigns/{world.campaign('draft').id}")
    ),
    "open new campaign form": read("/campaigns/new"),
    "open campaign edit form": lambda actor, world: outcome(
        actor.browser.get(f"/campaigns/{world.campaign('published').id}/edit")
    ),
    "acknowledge published campaign": acknowledge_campaign,
    "api: list campaigns": api_path("GET", lambda world: "/api/v1/campaigns"),
    "api: get draft campaign": api_path(
        "GET", lambda world: f"/api/v1/campaigns/{world.campaign('draft').id}"
    ),
    "view glossary": read("/glossary"),
    "open new term form": read("/glossary/new"),
    "view a term": lambda actor, world: outcome(actor.browser.get(f"/glossary/{world.term().id}")),
    "open edit form of rep's term": lambda actor, world: outcome(
        actor.browser.get(f"/glossary/{world.term().id}/edit")
    ),
    "sign the rep's term": lambda actor, world: outcome(
        actor.browser.form(f"/glossary/{world.term().id}/sign", {"version": "1"})
    ),
    "view collection list": read("/collections"),
    "open new collection form": read("/collections/new"),
    "view own weekly digest": read("/digest"),
    "api: list deals": api_path("GET", lambda world: "/api/v1/deals"),
    "api: create deal": api_path(
        "POST",
        lambda world: "/api/v1/deals",
        {"name": "API deal", "account": "Acme", "stage": "decision"},
    ),
    "api: get the rep's deal": api_path("GET", lambda world: f"/api/v1/deals/{world.deal().id}"),
    "api: edit the rep's deal": api_path(
        "PATCH", lambda world: f"/api/v1/deals/{world.deal().id}", {"status": "open"}
    ),
    "api: sync the rep's deal": api_path(
        "PUT",
        lambda world: f"/api/v1/deals/external/{world.deal().external_id}",
        {"name": "Acme renewal", "account": "Acme", "stage": "decision"},
    ),
}


@pytest.fixture
def world(app, users):
    everyone = {
        **users,
        "other_marketer": make_user("marketer", "other@example.com", "Olive"),
        "co_author": make_user("rep", "co.author@example.com", "Cora Co-author"),
        "reviewer": make_user("rep", "reviewer@example.com", "Remy Reviewer", department="sales"),
    }
    return World(users=everyone, api=app.test_client())


def actor_for(app, world: World, role: str) -> Actor:
    """A signed-in browser and a bearer token for ``role`` (neither when anonymous)."""
    if role == "anonymous":
        return Actor(app.test_client(), {})
    user = world.users[role]
    return Actor(login(app.test_client(), user), token_headers(user))


def test_every_matrix_row_has_an_action():
    assert set(ACTIONS) == set(EXPECTED)


# On PostgreSQL, production's database, only: the answers come from the rules in Python,
# while the lists, whose queries the two databases run differently, are compared with
# can() on both just below.
@POSTGRES_ONLY
@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix_over_http(app, world, role):
    actor, column = actor_for(app, world, role), ROLES.index(role)

    outcomes = {action: act(actor, world) for action, act in ACTIONS.items()}

    assert outcomes == {action: row[column] for action, row in EXPECTED.items()}


def test_lists_show_exactly_the_assets_each_role_may_open(app, world):
    assets = [world.asset(state) for state in STORED_STATUS]
    listed, may_open = {}, {}

    for role in ROLES[1:]:
        user = world.users[role]
        api = world.api.get("/api/v1/assets?per_page=100", headers=token_headers(user)).json
        listed[role] = {item["id"] for item in api["items"]}
        may_open[role] = {asset.id for asset in assets if can(user, "view", asset)}

    assert listed == may_open


# ---- can() itself: every registered rule, every role, every subject ---------------------

IDS = {
    "owner": 1, "other_marketer": 2, "co_author": 3, "reviewer": 4, "rep": 5, "leader": 6,
    "admin": 7, "marketing_leader": 8,
}  # fmt: skip
EVERY_ROLE = set(IDS)
AUTHORS = {"owner", "other_marketer", "admin"}
OWNER_OR_ADMIN = {"owner", "admin"}
INVITED = {"co_author", "reviewer"}  # two reps invited to every asset built below
STATES = ("draft", "live", "revised", "revised_by_reviewer", "archived")
NOT_ARCHIVED = ("draft", "live", "revised", "revised_by_reviewer")


REPS = {"co_author", "reviewer", "rep"}
RATERS = {"other_marketer", "reviewer", "rep", "leader", "marketing_leader"}
FEEDBACK_READERS = {"owner", "co_author", "leader", "marketing_leader", "admin"}


LEADERS = {"leader", "marketing_leader"}
SENDERS = REPS | LEADERS
FEEDBACK_INBOX = AUTHORS | LEADERS
CAMPAIGN_STATES = ("draft", "published")
TERM_EDITORS = AUTHORS | LEADERS
PATH_KEEPERS = AUTHORS | LEADERS


MEETING = "the leader's, with the rep and the owner"
MEETING_PEOPLE = LEADERS | {"admin", "rep", "owner"}


POST_STATES = ("draft", "with_rep", "changes_requested", "approved", "published", "declined")
POST_READERS = {"rep", "owner", "marketing_leader", "admin"}


def _by_state(**special) -> dict:
    return {state: special.get(state, special.get("default")) for state in STATES}


# (action, subject type name or None) -> roles allowed, or {case: roles allowed}, where a
# case is an asset state or a kind of comment or content request (see SUBJECTS below).
# A rule on a new type needs an entry here and a way to build that object in SUBJECTS.
RULE_MATRIX = {
    ("manage_users", None): {"admin"},
    ("manage_jobs", None): {"admin"},
    ("manage_chat", None): {"admin"},
    ("view", "FailedJob"): {"gave_up": {"admin"}},
    ("export_data", None): LEADERS | {"admin"},
    ("view", "DataExport"): {"the leader's": {"leader"}, "the admin's": {"admin"}},
    ("manage_webhooks", None): {"admin"},
    ("view", "WebhookEndpoint"): {"registered": {"admin"}},
    ("view", "WebhookDelivery"): {"queued": {"admin"}},
    ("manage_taxonomy", None): {"admin"},
    ("view_audit_log", None): {"admin"},
    ("view_drafts", None): AUTHORS,
    ("create_asset", None): AUTHORS,
    ("submit_request", None): EVERY_ROLE,
    ("view_all_requests", None): {"owner", "other_marketer", "leader", "marketing_leader",
                                  "admin"},
    ("view", "Asset"): _by_state(default=EVERY_ROLE, draft=AUTHORS | INVITED,
                                 archived=AUTHORS | INVITED),
    ("download", "Asset"): _by_state(default=EVERY_ROLE, draft=AUTHORS | INVITED,
                                     archived=AUTHORS | INVITED),
    # Work in progress (the latest revision) rather than only what is live.
    ("view_latest", "Asset"): dict.fromkeys(STATES, AUTHORS | INVITED),
    ("edit", "Asset"): _by_state(default=OWNER_OR_ADMIN | INVITED, archived=set()),
    ("comment", "Asset"): dict.fromkeys(STATES, AUTHORS | INVITED),
    ("manage_collaborators", "Asset"): _by_state(default=OWNER_OR_ADMIN, archived=set()),
    # The state machine decides which of these fits the asset's state; the rule is who.
    ("submit", "Asset"): dict.fromkeys(STATES, OWNER_OR_ADMIN | {"co_author"}),
    # Nobody approves (or sends back) a revision they wrote.
    ("approve", "Asset"): _by_state(default={"reviewer"}, revised_by_reviewer=set()),
    ("request_changes", "Asset"): _by_state(default={"reviewer"}, revised_by_reviewer=set()),
    ("publish", "Asset"): dict.fromkeys(STATES, OWNER_OR_ADMIN),
    ("archive", "Asset"): dict.fromkeys(STATES, OWNER_OR_ADMIN),
    ("restore", "Asset"): dict.fromkeys(STATES, OWNER_OR_ADMIN),
    # The comment's author, the asset's owner or an admin, while they can read the thread.
    ("resolve", "Comment"): {"thread by the reviewer": {"reviewer", "owner", "admin"},
                             "thread by an uninvited rep": {"owner", "admin"},
                             "reply": set()},
    ("reopen", "Comment"): {"thread by the reviewer": {"reviewer", "owner", "admin"},
                            "thread by an uninvited rep": {"owner", "admin"},
                            "reply": set()},
    ("view", "ContentRequest"): {"asked by the rep": {"rep", "owner", "other_marketer",
                                                      "leader", "marketing_leader", "admin"}},
    # Posts: the owner ghost-writes for the rep; marketing leaders and admins read all.
    ("write_posts", None): AUTHORS,
    ("view_posts", None): EVERY_ROLE - {"leader"},
    ("view_all_posts", None): {"marketing_leader", "admin"},
    ("edit_voice_profile", None): {"co_author", "reviewer", "rep"},
    ("view", "GhostPost"): dict.fromkeys(POST_STATES, POST_READERS),
    ("comment", "GhostPost"): {**dict.fromkeys(POST_STATES, POST_READERS), "declined": set()},
    ("edit", "GhostPost"): {**dict.fromkeys(POST_STATES, set()), "draft": OWNER_OR_ADMIN,
                            "changes_requested": OWNER_OR_ADMIN, "with_rep": {"rep"}},
    ("change_details", "GhostPost"): {**dict.fromkeys(POST_STATES, set()),
                                      "draft": OWNER_OR_ADMIN,
                                      "changes_requested": OWNER_OR_ADMIN},
    # The table decides which action fits the state; the rule is who.
    ("send_to_rep", "GhostPost"): dict.fromkeys(POST_STATES, OWNER_OR_ADMIN),
    ("approve", "GhostPost"): dict.fromkeys(POST_STATES, {"rep"}),
    ("request_changes", "GhostPost"): dict.fromkeys(POST_STATES, {"rep"}),
    ("decline", "GhostPost"): dict.fromkeys(POST_STATES, {"rep"}),
    ("mark_published", "GhostPost"): dict.fromkeys(POST_STATES, {"rep", "owner"}),
    ("accept", "ContentRequest"): {"asked by the rep": {"owner", "other_marketer", "admin"}},
    ("decline", "ContentRequest"): {"asked by the rep": {"owner", "other_marketer", "admin"}},
    # Ratings and usage: readers rate what they did not write; authors and leaders read the
    # feedback; reps attach live assets to their deals; anyone shares what is live.
    ("rate", "Asset"): _by_state(default=RATERS, draft=set(), archived=set()),
    ("view_rating_comments", "Asset"): dict.fromkeys(STATES, FEEDBACK_READERS),
    ("view_usage", "Asset"): dict.fromkeys(STATES, FEEDBACK_READERS),
    ("attach_to_deal", "Asset"): _by_state(default=REPS, draft=set(), archived=set()),
    # An internal asset is live for every reader but never shared with buyers.
    ("share", "Asset"): {
        **_by_state(default=EVERY_ROLE, draft=set(), archived=set()),
        "internal": set(),
    },
    ("revoke_links", "Asset"): dict.fromkeys(STATES, OWNER_OR_ADMIN),
    # A link the rep made to the owner's asset.
    ("view", "ShareLink"): {"made by the rep": {"rep", "owner", "admin"}},
    ("revoke", "ShareLink"): {"made by the rep": {"rep", "owner", "admin"}},
    # Deals: reps own them, leaders and admins read all, admins import them.
    ("track_deals", None): REPS,
    ("view_all_deals", None): {"leader", "marketing_leader", "admin"},
    ("import_deals", None): {"admin"},
    ("view", "Deal"): {"owned by the rep": {"rep", "leader", "marketing_leader", "admin"}},
    ("edit", "Deal"): {"owned by the rep": {"rep"}},
    ("make_room", "Deal"): {"owned by the rep": {"rep"}},
    # A deal room is read as its deal is, and changed by the deal's rep.
    ("view", "Room"): {"for the rep's deal": {"rep", "leader", "marketing_leader", "admin"}},
    ("edit", "Room"): {"for the rep's deal": {"rep"}},
    # Reports: leaders, marketers and admins.
    ("view_reports", None): {"owner", "other_marketer", "leader", "marketing_leader", "admin"},
    # Field feedback: reps and leaders send it about what they may see; marketing triages.
    ("send_feedback", None): SENDERS,
    ("send_feedback", "Asset"): _by_state(default=SENDERS, draft=INVITED, archived=INVITED),
    ("send_feedback", "Deal"): {"owned by the rep": {"rep"}},
    ("send_feedback", "Campaign"): {"published": SENDERS, "draft": set()},
    ("view_all_feedback", None): FEEDBACK_INBOX,
    ("triage_feedback", None): AUTHORS,
    ("view", "FieldFeedback"): {"sent by the rep": FEEDBACK_INBOX | {"rep"}},
    ("triage", "FieldFeedback"): {"sent by the rep": AUTHORS},
    ("view_feedback", "Asset"): dict.fromkeys(STATES, FEEDBACK_INBOX),
    # Campaign briefs: marketers and admins write them and see who read them; drafts stay
    # within marketing; the owner (while a marketer) or an admin edits and publishes;
    # reps acknowledge published ones.
    ("write_campaigns", None): AUTHORS,
    ("view", "Campaign"): {"draft": AUTHORS, "published": EVERY_ROLE},
    ("edit", "Campaign"): dict.fromkeys(CAMPAIGN_STATES, OWNER_OR_ADMIN),
    ("publish", "Campaign"): {"draft": OWNER_OR_ADMIN, "published": set()},
    ("acknowledge", "Campaign"): {"draft": set(), "published": REPS},
    ("view_responses", "Campaign"): dict.fromkeys(CAMPAIGN_STATES, AUTHORS),
    # What a published campaign produced is for those who follow the field's work.
    ("view_results", "Campaign"): {"draft": set(), "published": AUTHORS | LEADERS},
    # Glossary: everyone reads and proposes; the proposer edits until it is agreed;
    # leaders sign, each for their own department.
    ("view_glossary", None): EVERY_ROLE,
    ("propose_term", None): EVERY_ROLE,
    ("edit", "GlossaryTerm"): {"proposed by the rep": EVERY_ROLE - INVITED,
                               "agreed, proposed by the rep": TERM_EDITORS},
    ("sign", "GlossaryTerm"): {"proposed by the rep": LEADERS,
                               "agreed, proposed by the rep": LEADERS},
    # Collections: marketers build, the owner or an admin edits; marketers, leaders and
    # admins assign and follow progress; a rep marks items on their own path.
    ("create_collection", None): AUTHORS,
    ("view", "Collection"): {"owned by the owner": EVERY_ROLE},
    ("edit", "Collection"): {"owned by the owner": OWNER_OR_ADMIN},
    ("delete", "Collection"): {"owned by the owner": OWNER_OR_ADMIN},
    ("assign", "Collection"): {"owned by the owner": PATH_KEEPERS},
    ("view_progress", "Collection"): {"owned by the owner": PATH_KEEPERS},
    ("mark_done", "PathAssignment"): {"the rep's path": {"rep"}},
    # Alignment meetings: leaders schedule them and see all; attendees see theirs; the
    # organiser (a leader) or an admin changes one; the item's owner, the organiser or an
    # admin closes an item.
    ("schedule_meeting", None): LEADERS | {"admin"},
    ("view_all_meetings", None): LEADERS | {"admin"},
    ("view", "Meeting"): {MEETING: MEETING_PEOPLE},
    ("edit", "Meeting"): {MEETING: {"leader", "admin"}},
    ("record", "Meeting"): {MEETING: MEETING_PEOPLE},
    ("view", "ActionItem"): {"the owner's": MEETING_PEOPLE,
                             "the co-author's": MEETING_PEOPLE | {"co_author"}},
    ("close", "ActionItem"): {"the owner's": {"owner", "leader", "admin"},
                              "the co-author's": {"co_author", "leader", "admin"}},
}  # fmt: skip


@pytest.fixture(scope="module")
def rules_app(tmp_path_factory):
    """An app (so every package has registered its rules) with an empty schema: the rules
    read no rows, but the sign-off rules ask whether a reviewer approved already."""
    tmp_path = tmp_path_factory.mktemp("rules")
    app = make_app(f"sqlite:///{tmp_path / 'rules.db'}", tmp_path)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def person(role: str, active: bool = True) -> User:
    real_role = {"owner": "marketer", "other_marketer": "marketer"}.get(role, role)
    real_role = "rep" if role in INVITED else real_role
    real_role = "leader" if role == "marketing_leader" else real_role
    department = "marketing" if role in {"owner", "other_marketer", "marketing_leader"} else "sales"
    return User(
        id=IDS[role], role=real_role, department=department, active=active, session_version=1
    )


def asset_in(state: str) -> Asset:
    """The owner's asset, with the co-author and the reviewer invited. "revised": live
    revision 1 and a newer revision 2 by the owner; "revised_by_reviewer": the reviewer
    wrote revision 2; "internal": live, for reps and marketers only."""
    status = {"live": "published", "internal": "published", "archived": "archived"}.get(
        state, "draft"
    )
    live = None if state == "draft" else 101
    latest = 102 if state.startswith("revised") else (live or 100)
    author = IDS["reviewer"] if state == "revised_by_reviewer" else IDS["owner"]
    return Asset(
        id=1,
        owner_id=IDS["owner"],
        status=status,
        live_revision_id=live,
        latest_revision_id=latest,
        latest_revision=AssetRevision(id=latest, number=latest - 99, author_id=author),
        audience="internal" if state == "internal" else "external",
        collaborators=[
            AssetCollaborator(user_id=IDS["co_author"], role="author"),
            AssetCollaborator(user_id=IDS["reviewer"], role="reviewer"),
        ],
    )


def comment_in(case: str) -> Comment:
    """A comment on the owner's draft."""
    author = "rep" if case == "thread by an uninvited rep" else "reviewer"
    return Comment(
        id=2,
        asset=asset_in("draft"),
        author_id=IDS[author],
        parent_id=1 if case == "reply" else None,
        body="Is the payback figure audited?",
    )


def request_in(case: str) -> ContentRequest:
    assert case == "asked by the rep"
    return ContentRequest(id=1, requester_id=IDS["rep"], need="A case study for retail.")


def post_in(state: str) -> GhostPost:
    """The owner's post for the rep, in ``state``."""
    return GhostPost(id=1, rep_id=IDS["rep"], ghostwriter_id=IDS["owner"], status=state)


def link_in(case: str) -> ShareLink:
    assert case == "made by the rep"
    return ShareLink(id=1, created_by_id=IDS["rep"], asset=asset_in("live"))


def deal_in(case: str) -> Deal:
    assert case == "owned by the rep"
    return Deal(id=1, owner_id=IDS["rep"], name="Acme renewal", account="Acme")


def room_in(case: str) -> Room:
    assert case == "for the rep's deal"
    return Room(id=1, deal=deal_in("owned by the rep"), created_by_id=IDS["rep"], title="Acme")


def feedback_in(case: str) -> FieldFeedback:
    assert case == "sent by the rep"
    return FieldFeedback(id=1, author_id=IDS["rep"], kind="objection", text="Too pricey.")


def campaign_in(state: str) -> Campaign:
    """The owner's campaign brief, a draft or published."""
    return Campaign(id=1, owner_id=IDS["owner"], name="Spring close", status=state,
                    starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 31))  # fmt: skip


def term_in(case: str) -> GlossaryTerm:
    """A term the rep proposed, still proposed or agreed since."""
    status = "agreed" if case.startswith("agreed") else "proposed"
    return GlossaryTerm(id=1, name="MQL", name_key="mql", definition="A lead.", status=status,
                        version=1, proposer_id=IDS["rep"])  # fmt: skip


def collection_in(case: str) -> Collection:
    assert case == "owned by the owner"
    return Collection(id=1, owner_id=IDS["owner"], title="New rep: first 30 days")


def path_in(case: str) -> PathAssignment:
    assert case == "the rep's path"
    return PathAssignment(id=1, collection_id=1, rep_id=IDS["rep"])


def failed_job_in(_case: str) -> FailedJob:
    return FailedJob(name="files.extract", arguments="{}", error="Gave up.", attempts=7)


def export_in(case: str) -> DataExport:
    owner = {"the leader's": "leader", "the admin's": "admin"}[case]
    return DataExport(id=1, requested_by_id=IDS[owner], status="ready")


def webhook_endpoint_in(_case: str) -> WebhookEndpoint:
    return WebhookEndpoint(id=1, url="https://hooks.example.com/tandem", secret_salt="salt")


def webhook_delivery_in(_case: str) -> WebhookDelivery:
    return WebhookDelivery(id=1, endpoint_id=1, event_id="id", event="ping", body="{}")


def meeting_in(case: str) -> Meeting:
    assert case == MEETING
    meeting = Meeting(id=1, name="Revenue sync", organiser_id=IDS["leader"], cadence="weekly")
    meeting.attendances = [
        MeetingAttendee(user_id=IDS[role]) for role in ("leader", "rep", "owner")
    ]
    return meeting


def action_item_in(case: str) -> ActionItem:
    """An item of the meeting above, owned by one of its people or (the co-author) by
    someone who no longer attends it."""
    owner = {"the owner's": "owner", "the co-author's": "co_author"}[case]
    return ActionItem(id=1, meeting=meeting_in(MEETING), owner_id=IDS[owner], title="Refresh")


SUBJECTS = {
    "Meeting": meeting_in,
    "ActionItem": action_item_in,
    "FailedJob": failed_job_in,
    "DataExport": export_in,
    "WebhookEndpoint": webhook_endpoint_in,
    "WebhookDelivery": webhook_delivery_in,
    "Asset": asset_in,
    "FieldFeedback": feedback_in,
    "Campaign": campaign_in,
    "GlossaryTerm": term_in,
    "Collection": collection_in,
    "PathAssignment": path_in,
    "Deal": deal_in,
    "ShareLink": link_in,
    "Room": room_in,
    "Comment": comment_in,
    "ContentRequest": request_in,
    "GhostPost": post_in,
}


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
    for case, allowed in cases.items():
        obj = None if case is None else SUBJECTS[subject](case)
        decided = {role for role in EVERY_ROLE if can(person(role), action, obj)}
        assert decided == allowed, f"{action} on {case or 'nothing'}"
        assert not can(AnonymousUserMixin(), action, obj)
        assert not can(person("admin", active=False), action, obj)
        assert not can(None, action, obj)


def test_unknown_action_is_refused_even_for_admins(rules_app):
    admin = person("admin")

    assert not can(admin, "launch_rockets")
    assert not can(admin, "launch_rockets", asset_in("live"))
    assert not can(admin, "manage_users", asset_in("live"))  # rule exists only without object
