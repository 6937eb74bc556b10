""" "My work": what each person has to do next, whatever their team."""

from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import and_, exists, or_, select

from content.library.models import Asset, AssetCollaborator, AssetRevision
from portal.kernel.models import AUTHORS, User
from portal.kernel.work import WorkSection, feature_sections, limited_section
from workflows.posts.models import UNFINISHED, GhostPost
from workflows.requests.models import ContentRequest
from workflows.review.models import Approval

bp = Blueprint("dashboard", __name__)
WORK_IN_PROGRESS = ("draft", "in_review", "changes_requested", "approved")


def my_drafts(user: User) -> WorkSection:
    """Work in progress the user owns or was invited to write."""
    invited = select(AssetCollaborator.asset_id).where(
        AssetCollaborator.user_id == user.id, AssetCollaborator.role == "author"
    )
    query = (
        select(Asset)
        .where(
            or_(Asset.owner_id == user.id, Asset.id.in_(invited)),
            Asset.status.in_(WORK_IN_PROGRESS),
        )
        .order_by(Asset.updated_at.desc(), Asset.id.desc())
    )
    return limited_section(
        query, "drafts", "Drafts I own or co-author", "No work in progress. New drafts show here."
    )


def reviews_waiting(user: User) -> WorkSection:
    """Submitted revisions the user was invited to review, has not approved and did not
    write, oldest first (they have waited longest)."""
    approved = exists().where(
        Approval.revision_id == Asset.latest_revision_id, Approval.reviewer_id == user.id
    )
    own_revision = exists().where(
        AssetRevision.id == Asset.latest_revision_id, AssetRevision.author_id == user.id
    )
    query = (
        select(Asset)
        .join(
            AssetCollaborator,
            and_(
                AssetCollaborator.asset_id == Asset.id,
                AssetCollaborator.user_id == user.id,
                AssetCollaborator.role == "reviewer",
            ),
        )
        .where(Asset.status == "in_review", ~approved, ~own_revision)
        .order_by(Asset.updated_at, Asset.id)
    )
    return limited_section(
        query, "reviews", "Reviews waiting for me", "Nothing waits for your review."
    )


def needing_review(user: User, today: date | None = None) -> WorkSection:
    """The user's live assets past their review-by date: check they are still right."""
    today = today or date.today()
    query = (
        select(Asset)
        .where(
            Asset.owner_id == user.id,
            Asset.live_clause(today),
            Asset.review_by < today,
        )
        .order_by(Asset.review_by, Asset.id)
    )
    return limited_section(
        query,
        "stale",
        "My assets needing review",
        "None of your live assets is past its review-by date.",
    )


def my_requests(user: User) -> WorkSection:
    """For marketers, the open content requests they must answer (soonest due first); for
    everyone else, their own requests still open or being worked on."""

    if user.role in AUTHORS:
        query = (
            select(ContentRequest)
            .where(ContentRequest.status == "open")
            .order_by(ContentRequest.due_on.is_(None), ContentRequest.due_on, ContentRequest.id)
        )
        return limited_section(
            query, "requests", "Requests waiting for an answer", "No open content requests."
        )
    query = (
        select(ContentRequest)
        .where(
            ContentRequest.requester_id == user.id,
            ContentRequest.status.in_(("open", "accepted")),
        )
        .order_by(ContentRequest.updated_at.desc(), ContentRequest.id.desc())
    )
    return limited_section(
        query,
        "requests",
        "My content requests",
        "No open requests. Ask marketing for content you are missing.",
    )


def my_posts(user: User) -> WorkSection | None:
    """For reps, the ghost-written posts waiting for them, longest waiting first; for
    ghost-writers, their unfinished posts, soonest due first."""

    if user.is_rep:
        query = (
            select(GhostPost)
            .where(GhostPost.rep_id == user.id, GhostPost.status.in_(("with_rep", "approved")))
            .order_by(GhostPost.sent_at, GhostPost.id)
        )
        return limited_section(query, "posts", "Posts for me to review", "No posts wait for you.")
    if user.role not in AUTHORS:
        return None
    query = (
        select(GhostPost)
        .where(GhostPost.ghostwriter_id == user.id, GhostPost.status.in_(UNFINISHED))
        .order_by(GhostPost.due_on.is_(None), GhostPost.due_on, GhostPost.id)
    )
    return limited_section(
        query, "posts", "Posts I am ghost-writing", "No posts in progress. Draft one for a rep."
    )


def my_work(user: User) -> list[WorkSection]:
    """Every section of the user's "My work" page, in order: the dashboard's own, then
    those features add through ``portal.kernel.work``."""
    sections = [reviews_waiting(user), my_drafts(user), my_requests(user)]
    posts = my_posts(user)
    if posts is not None:
        sections.append(posts)
    if user.role in AUTHORS:
        sections.append(needing_review(user))
    return sections + feature_sections(user)


@bp.get("/my-work")
@login_required
def show():
    return render_template("workflows/my_work.html", sections=my_work(current_user))
