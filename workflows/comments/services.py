"""Discussion on work in progress: comments on asset revisions, threaded one level,
resolvable, with @mentions that notify people; and the asset's timeline.

Comments are internal: only people who see the latest revision (marketers, admins and
invited collaborators) read them. Services flush; the caller commits.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from content.library.models import Asset, AssetRevision, CollaboratorRole
from content.library.services import shown_revision
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import Entity, db
from portal.kernel.models import AUTHORS, User, utcnow
from portal.kernel.notifications import notify
from portal.kernel.permissions import can, rule
from portal.kernel.sql import rows_changed
from workflows.audit.models import WorkflowEvent
from workflows.review import machine

BODY_MAX = 5000
# Handles beyond this many in one comment stay plain text, so a comment cannot fan out
# to the whole company or turn into hundreds of lookups.
MENTIONS_MAX = 20
_LOOKUP_CHUNK = 50
# "@riley" or "@riley@example.com", not the "@" inside an address written out in full.
_MENTION = re.compile(r"(?<![\w.@%+-])@([\w.%+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)", re.ASCII)


class Comment(Entity):
    """A remark on one revision of an asset; a reply points at its thread's first comment."""

    __tablename__ = "comments"

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("asset_revisions.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    asset: Mapped[Asset] = relationship()
    revision: Mapped[AssetRevision] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    parent: Mapped["Comment | None"] = relationship(
        remote_side="Comment.id", back_populates="replies"
    )
    # The database deletes a thread's replies with it.
    replies: Mapped[list["Comment"]] = relationship(
        back_populates="parent",
        order_by=lambda: [Comment.created_at, Comment.id],
        passive_deletes=True,
    )

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None


# ---- who may do what -----------------------------------------------------------------


@rule("comment", Asset)
def _comment_on_asset(user: User, asset: Asset) -> bool:
    """The owner, admins, marketers and invited collaborators discuss work in progress."""
    return (
        asset.owner_id == user.id
        or user.role in AUTHORS
        or asset.collaborator_role(user) is not None
    )


def _resolve_thread(user: User, comment: Comment) -> bool:
    """The comment's author, the asset's owner or an admin, on a thread they can read."""
    if comment.is_reply or not can(user, "view_latest", comment.asset):
        return False
    return user.is_admin or user.id in {comment.author_id, comment.asset.owner_id}


rule("resolve", Comment)(_resolve_thread)
rule("reopen", Comment)(_resolve_thread)


# ---- mentions ------------------------------------------------------------------------


def mention_spans(body: str) -> list[tuple[int, int, str]]:
    """(start, end, handle) of every @handle in ``body``; handles are lower-cased and a
    sentence's closing full stop is not part of them."""
    spans = []
    for match in _MENTION.finditer(body or ""):
        handle = match.group(1).rstrip(".")
        if handle:
            spans.append((match.start(), match.start(1) + len(handle), handle.lower()))
    return spans


def _handles(body: str) -> list[str]:
    """The distinct handles of a comment in order of appearance, at most MENTIONS_MAX."""
    found: list[str] = []
    for _start, _end, handle in mention_spans(body):
        if handle not in found:
            found.append(handle)
    return found[:MENTIONS_MAX]


def resolve_handles(asset: Asset, handles) -> dict[str, User]:
    """Map each handle to the active user it names who may view ``asset``.

    A full email names one user; a local part ("riley") names the one user whose address
    starts with it, and is left unresolved when several viewers share it.
    """
    found: dict[str, User] = {}
    pending = sorted(set(handles))
    for start in range(0, len(pending), _LOOKUP_CHUNK):
        chunk = pending[start : start + _LOOKUP_CHUNK]
        emails = [h for h in chunk if "@" in h]
        locals_ = [h for h in chunk if "@" not in h]
        matches = [User.email.startswith(f"{local}@", autoescape=True) for local in locals_]
        if emails:
            matches.append(User.email.in_(emails))
        candidates = db.session.scalars(
            select(User).where(User.active.is_(True), or_(*matches)).order_by(User.id)
        )
        by_local: dict[str, list[User]] = {}
        for user in candidates:
            # Only people who can read the discussion: the link would show them nothing.
            if not can(user, "view_latest", asset):
                continue
            if user.email in emails:
                found[user.email] = user
            local = user.email.split("@", 1)[0]
            if local in locals_:
                by_local.setdefault(local, []).append(user)
        found.update({local: users[0] for local, users in by_local.items() if len(users) == 1})
    return found


@dataclass
class Mentions:
    """Who a comment's handles name, and the handles that name nobody who may see it."""

    users: list[User]
    unknown: list[str]


def find_mentions(asset: Asset, body: str) -> Mentions:
    """Resolve the @handles in ``body`` against the people who may view ``asset``."""
    handles = _handles(body)
    resolved = resolve_handles(asset, handles)
    users: list[User] = []
    for handle in handles:
        user = resolved.get(handle)
        if user is not None and user not in users:
            users.append(user)
    return Mentions(users, [h for h in handles if h not in resolved])


# ---- writing and resolving -----------------------------------------------------------


def _clean_body(body: str | None) -> str:
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        message = "Write a comment before posting."
        raise ValidationFailed(message, {"body": message})
    if len(text) > BODY_MAX:
        message = f"Keep comments under {BODY_MAX:,} characters (this one has {len(text):,})."
        raise ValidationFailed(message, {"body": message})
    return text


def _thread_for(asset: Asset, parent_id: int | None) -> Comment | None:
    """The top-level comment a reply joins; a reply to a reply joins the same thread."""
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.asset_id != asset.id:
        raise NotFound("No such comment.")
    return parent.parent if parent.parent is not None else parent


def _title_for(asset: Asset, user: User) -> str:
    """The title this person sees, so a notification never leaks a draft's new title."""
    revision = shown_revision(asset, user) or asset.latest_revision
    return revision.title if revision is not None else "an asset"


def add_comment(
    asset: Asset,
    author,
    body: str,
    revision: AssetRevision | None = None,
    parent_id: int | None = None,
) -> Comment:
    """Post a comment (or a reply to the thread of ``parent_id``) on ``revision``, the
    latest revision by default, and notify the people it mentions and, for a reply, the
    thread's author.

    Raises NotFound when the author may not see the asset, PermissionDenied when they
    may see it but not join its discussion, Conflict on an archived asset and
    ValidationFailed (field ``body``) on an empty or too long comment.
    """
    if not can(author, "view", asset):
        raise NotFound("No such asset.")
    if not can(author, "comment", asset):
        raise PermissionDenied(
            "Only the owner, marketers and invited collaborators take part in the discussion."
        )
    if asset.status == "archived":
        raise Conflict("This asset is archived. Restore it to continue the discussion.")
    text = _clean_body(body)
    if revision is not None and revision.asset_id != asset.id:
        raise NotFound("No such revision.")
    thread = _thread_for(asset, parent_id)
    comment = Comment(
        asset=asset,
        revision=revision or asset.latest_revision,
        parent=thread,
        author=author,
        body=text,
    )
    db.session.add(comment)
    db.session.flush()
    _notify_about(comment, find_mentions(asset, text).users)
    return comment


def _notify_about(comment: Comment, mentioned: list[User]) -> None:
    """Tell the people it mentions, the thread's author of a reply, and the asset's owner
    and co-authors of any comment: each person once, by the most specific notice, and
    only people who may read the discussion (notify() leaves out the commenter)."""
    asset, author = comment.asset, comment.author
    link = f"/assets/{asset.id}#comment-{comment.id}"
    told: set[int] = {author.id}
    for user in mentioned:
        text = f"{author.name} mentioned you on “{_title_for(asset, user)}”"
        notify(user, "mentioned", text, link, actor=author)
        told.add(user.id)
    thread = comment.parent
    if thread is not None and thread.author_id not in told:
        told.add(thread.author_id)
        if can(thread.author, "view_latest", asset):
            title = _title_for(asset, thread.author)
            text = f"{author.name} replied to your comment on “{title}”"
            notify(thread.author, "comment", text, link, actor=author)
    for user in _authors(asset):
        if user.id not in told and can(user, "view_latest", asset):
            told.add(user.id)
            text = f"{author.name} commented on “{_title_for(asset, user)}”"
            notify(user, "comment", text, link, actor=author)


def _authors(asset: Asset) -> list[User]:
    """The owner, then the invited co-authors: the people whose work a comment is about."""
    co_authors = [c.user for c in asset.collaborators if c.role == CollaboratorRole.AUTHOR]
    return [asset.owner, *co_authors]


def _check_may_resolve(comment: Comment, user: User, action: str) -> None:
    if not can(user, "view_latest", comment.asset):
        raise NotFound("No such comment.")
    if comment.is_reply:
        raise Conflict(
            f"Replies belong to their thread: {action} the thread from its first comment."
        )
    if not can(user, action, comment):
        raise PermissionDenied(
            f"Only the comment's author, the asset's owner or an admin can {action} this thread."
        )


def _set_resolved(comment: Comment, resolved: bool, user: User) -> bool:
    """Flip the thread's state in one conditional UPDATE, so two people acting at once
    cannot both succeed; False when it was already in that state."""
    changed = rows_changed(
        update(Comment)
        .where(
            Comment.id == comment.id,
            Comment.resolved_at.is_(None) if resolved else Comment.resolved_at.is_not(None),
        )
        .values(
            resolved_at=utcnow() if resolved else None,
            resolved_by_id=user.id if resolved else None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(comment)
    return changed == 1


def resolve(comment: Comment, user: User) -> Comment:
    """Mark a thread resolved: it stays on the page, collapsed, until someone reopens it."""
    _check_may_resolve(comment, user, "resolve")
    if not _set_resolved(comment, True, user):
        raise Conflict("This thread is already resolved.")
    return comment


def reopen(comment: Comment, user: User) -> Comment:
    """Open a resolved thread again."""
    _check_may_resolve(comment, user, "reopen")
    if not _set_resolved(comment, False, user):
        raise Conflict("This thread is already open.")
    return comment


# ---- reading -------------------------------------------------------------------------


def get_visible_comment(user: User, comment_id: int) -> Comment:
    """The comment if this user may read the asset's discussion; otherwise NotFound."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or not can(user, "view_latest", comment.asset):
        raise NotFound("No such comment.")
    return comment


def threads(asset: Asset, user: User) -> list[Comment]:
    """Top-level comments, oldest first, each with ``replies`` oldest first; empty for
    anyone who may not see work in progress."""
    if not can(user, "view_latest", asset):
        return []
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.asset_id == asset.id, Comment.parent_id.is_(None))
            .order_by(Comment.created_at, Comment.id)
            .options(
                selectinload(Comment.author),
                selectinload(Comment.revision),
                selectinload(Comment.resolved_by),
                selectinload(Comment.replies).selectinload(Comment.author),
                selectinload(Comment.replies).selectinload(Comment.revision),
            )
        )
    )


# Equal times sort as they usually happen: a revision is saved, discussed, then moved on.
_KIND_ORDER = {"revision": 0, "comment": 1, "event": 2}


@dataclass
class TimelineEntry:
    """One line of an asset's timeline: a revision, a discussion thread or a workflow event."""

    kind: str
    at: datetime
    actor: User
    revision: AssetRevision | None = None
    comment: Comment | None = None
    event: WorkflowEvent | None = None

    @property
    def reply_count(self) -> int:
        return len(self.comment.replies) if self.comment is not None else 0

    @property
    def previous_number(self) -> int | None:
        """The revision before this one, for its "what changed" diff."""
        if self.revision is None or self.revision.number <= 1:
            return None
        return self.revision.number - 1

    @property
    def action_label(self) -> str:
        action = self.event.action if self.event is not None else ""
        return machine.ASSET.event_label(action)


def timeline(
    asset: Asset, user: User, threads_read: list[Comment] | None = None
) -> list[TimelineEntry]:
    """Revisions, discussion threads and workflow events of ``asset``, newest first;
    ``threads_read`` are its ``threads`` when the caller has them.

    Only for people who see work in progress; readers of the live revision get an empty
    list, as the page already tells them when it was published.
    """
    if not can(user, "view_latest", asset):
        return []
    entries = [
        TimelineEntry("revision", r.created_at, r.author, revision=r) for r in asset.revisions
    ]
    entries += [
        TimelineEntry("comment", c.created_at, c.author, comment=c)
        for c in (threads(asset, user) if threads_read is None else threads_read)
    ]
    entries += [
        TimelineEntry("event", e.created_at, e.actor, event=e) for e in machine.asset_history(asset)
    ]
    return sorted(entries, key=_newest_first_key, reverse=True)


def _newest_first_key(entry: TimelineEntry) -> tuple:
    subject = entry.revision or entry.comment or entry.event
    assert subject is not None, "every entry holds a revision, a comment or an event"
    return (entry.at, _KIND_ORDER[entry.kind], subject.id)
