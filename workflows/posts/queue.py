"""The post queue: a ghost-writer's posts by status, due soon and overdue; a rep's
"Posts for me to review". The page and the API read the same filters and order."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from portal.kernel.extensions import db
from portal.kernel.list_filters import check_choice, check_filters, search_words
from portal.kernel.models import User
from portal.kernel.pagination import Page, paginate
from workflows.posts.models import (
    CHANNELS,
    POST_STATUSES,
    UNFINISHED,
    GhostPost,
    GhostPostRevision,
    today,
)
from workflows.posts.rules import visible_posts

DUE_SOON_DAYS = 3
# "active" is every state still on its way to being published.
STATUS_VIEWS = ("active", *POST_STATUSES, "all")
DUE_VIEWS = ("", "soon", "overdue")
QUERY_MAX = 100
QUERY_WORDS = 8


@dataclass
class PostFilters:
    """What the queue shows: a status view, a due view, a channel and words to find."""

    status: str = "active"
    due: str = ""
    channel: str = ""
    q: str = ""


def default_filters(user: User) -> PostFilters:
    """Reps open on what waits for them; ghost-writers on everything unfinished."""
    return PostFilters(status="with_rep" if user.is_rep else "active")


def parse_filters(args, user: User) -> PostFilters:
    """Read filters from query arguments; anything not understood is a ValidationFailed."""
    filters = default_filters(user)
    filters.status = (args.get("status") or filters.status).strip()
    filters.due = (args.get("due") or "").strip()
    filters.channel = (args.get("channel") or "").strip()
    filters.q = search_words(args, QUERY_MAX)
    errors: dict[str, str] = {}
    check_choice(errors, "status", filters.status, STATUS_VIEWS)
    if filters.due not in DUE_VIEWS:
        errors["due"] = "Choose soon or overdue."
    check_choice(errors, "channel", filters.channel, CHANNELS, optional=True)
    check_filters(errors)
    return filters


def due_soon_limit() -> date:
    """The last day that counts as "due soon"."""
    return today() + timedelta(days=DUE_SOON_DAYS)


def _filtered(user: User, filters: PostFilters) -> Select:
    query = visible_posts(user)
    if filters.status == "active":
        query = query.where(GhostPost.status.in_(UNFINISHED))
    elif filters.status != "all":
        query = query.where(GhostPost.status == filters.status)
    if filters.due:
        query = query.where(GhostPost.status.in_(UNFINISHED), GhostPost.due_on.is_not(None))
        if filters.due == "overdue":
            query = query.where(GhostPost.due_on < today())
        else:
            query = query.where(GhostPost.due_on.between(today(), due_soon_limit()))
    if filters.channel:
        query = query.where(GhostPost.channel == filters.channel)
    if filters.q:
        latest = GhostPostRevision
        query = query.join(latest, latest.id == GhostPost.latest_revision_id)
        # Every word must appear, each in the title, the text or the topic.
        for word in filters.q.split()[:QUERY_WORDS]:
            query = query.where(
                or_(
                    latest.title.icontains(word, autoescape=True),
                    latest.body.icontains(word, autoescape=True),
                    GhostPost.topic.icontains(word, autoescape=True),
                )
            )
    return query


def _queue_order() -> tuple:
    """Unfinished posts first, soonest due first (undated after), then the rest, most
    recently changed first. Each key is constant within the other group, so NULL
    ordering, which differs by database, never decides."""
    unfinished = GhostPost.status.in_(UNFINISHED)
    return (
        case((unfinished, 0), else_=1),
        case((unfinished & GhostPost.due_on.is_(None), 1), else_=0),
        case((unfinished, GhostPost.due_on), else_=None),
        GhostPost.updated_at.desc(),
        GhostPost.id.desc(),
    )


def post_list(
    user: User, filters: PostFilters, page: int, per_page: int, loads: Sequence = ()
) -> Page:
    """A page of the posts this user may see that match the filters, queue order; ``loads``
    are further loader options for what the caller shows of each post."""
    query = _filtered(user, filters)
    return paginate(
        query,
        page,
        per_page,
        order=_queue_order(),
        options=(
            selectinload(GhostPost.latest_revision),
            selectinload(GhostPost.rep),
            selectinload(GhostPost.ghostwriter),
            *loads,
        ),
    )


def status_counts(user: User) -> dict[str, int]:
    """How many visible posts are in each status view, for the queue's tabs."""
    visible = visible_posts(user).subquery()
    rows = db.session.execute(select(visible.c.status, func.count()).group_by(visible.c.status))
    counts: dict[str, int] = dict.fromkeys(POST_STATUSES, 0)
    counts.update(dict(rows.all()))
    counts["active"] = sum(counts[status] for status in UNFINISHED)
    counts["all"] = sum(counts[status] for status in POST_STATUSES)
    return counts
