"""Who may see and work on ghost-written posts. Registered with portal.kernel.permissions.

A post is private to its rep of record, its ghost-writer, marketing leaders and admins;
everyone else must not learn it exists (404), and posts never reach the asset library.
"""

from sqlalchemy import Select, or_, select

from portal.kernel.models import AUTHORS, Role, User
from portal.kernel.permissions import can, rule
from portal.kernel.role_rules import roles_may
from workflows.posts.models import GhostPost

# The ghost-writer revises the draft until the rep has it, and again after the rep asks
# for changes; while the post is with the rep, only the rep edits it.
WRITER_EDITS = ("draft", "changes_requested")


def _is_marketing_leader(user: User) -> bool:
    return user.role == Role.LEADER and user.department == "marketing"


def _is_writer(user: User, post: GhostPost) -> bool:
    return post.ghostwriter_id == user.id or user.is_admin


# Marketers (and admins) ghost-write posts for reps.
_authors_may = roles_may(AUTHORS, "write_posts")


@rule("view_all_posts")
def _view_all_posts(user: User, _nothing) -> bool:
    return user.is_admin or _is_marketing_leader(user)


@rule("view_posts")
def _view_posts(user: User, _nothing) -> bool:
    """Who has a list of posts at all: reps (theirs), writers, marketing leaders."""
    return user.role in AUTHORS | {Role.REP} or _is_marketing_leader(user)


@rule("edit_voice_profile")
def _edit_voice_profile(user: User, _nothing) -> bool:
    return user.is_rep


@rule("view", GhostPost)
def _view(user: User, post: GhostPost) -> bool:
    return user.id in {post.rep_id, post.ghostwriter_id} or can(user, "view_all_posts")


@rule("change_details", GhostPost)
def _change_details(user: User, post: GhostPost) -> bool:
    """Channel, topic, due date and linked assets belong to the ghost-writer."""
    return post.status in WRITER_EDITS and _is_writer(user, post)


@rule("edit", GhostPost)
def _edit(user: User, post: GhostPost) -> bool:
    """The ghost-writer before and between the rep's rounds; the rep while they have it."""
    if post.status == "with_rep":
        return post.rep_id == user.id
    return _change_details(user, post)


@rule("comment", GhostPost)
def _comment(user: User, post: GhostPost) -> bool:
    return _view(user, post) and post.status != "declined"


@rule("send_to_rep", GhostPost)
def _send(user: User, post: GhostPost) -> bool:
    return _is_writer(user, post)


@rule("approve", GhostPost)
@rule("request_changes", GhostPost)
@rule("decline", GhostPost)
def _rep_decides(user: User, post: GhostPost) -> bool:
    return post.rep_id == user.id


@rule("mark_published", GhostPost)
def _mark_published(user: User, post: GhostPost) -> bool:
    """The rep publishes under their name; the ghost-writer may record it for them."""
    return user.id in {post.rep_id, post.ghostwriter_id}


def visible_posts(user: User) -> Select:
    """Posts this user may know exist; the queue, the API and post search start here."""
    query = select(GhostPost)
    if can(user, "view_all_posts"):
        return query
    return query.where(or_(GhostPost.rep_id == user.id, GhostPost.ghostwriter_id == user.id))
