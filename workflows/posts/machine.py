"""The ghost-written post's state machine: one table read by the code, the buttons, the
API and the tests.

Every transition writes a WorkflowEvent, updates the figures reports read (rounds, time
with the rep, time to first send) and notifies the other party, in one transaction.
"""

from urllib.parse import urlsplit

from sqlalchemy import select, update

from portal.kernel.errors import Conflict, NotFound, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from portal.kernel.notifications import notify
from portal.kernel.permissions import can
from workflows.audit.models import WorkflowEvent
from workflows.posts import text as post_text
from workflows.posts.models import GhostPost
from workflows.posts.services import similar_posts

EVENT_SUBJECT = "post"
POST_TRANSITIONS = {
    ("draft", "send_to_rep"): "with_rep",
    ("with_rep", "approve"): "approved",
    ("with_rep", "request_changes"): "changes_requested",
    ("changes_requested", "send_to_rep"): "with_rep",
    ("with_rep", "decline"): "declined",
    ("approved", "mark_published"): "published",
}
ACTION_LABELS = {
    "send_to_rep": "Send to the rep",
    "approve": "Approve",
    "request_changes": "Request changes",
    "decline": "Decline",
    "mark_published": "Mark published",
}
STATUS_LABELS = {
    "draft": "Draft",
    "with_rep": "With the rep",
    "changes_requested": "Changes requested",
    "approved": "Approved",
    "published": "Published",
    "declined": "Declined",
}
# How each step reads in a post's history.
EVENT_LABELS = {
    "send_to_rep": "Sent to the rep",
    "approve": "Approved",
    "request_changes": "Changes requested",
    "decline": "Declined",
    "mark_published": "Marked published",
}
COMMENT_MAX = 1000
URL_MAX = 500
# Who hears of each step, and how it is named to them.
NOTICES = {
    "send_to_rep": ("post_sent", "{actor} sent you the post “{title}” to review"),
    "approve": ("post_approved", "{actor} approved the post “{title}”"),
    "request_changes": ("post_changes_requested", "{actor} asked for changes to “{title}”"),
    "decline": ("post_declined", "{actor} declined the post “{title}”"),
    "mark_published": ("post_published", "{actor} published the post “{title}”"),
}


def allowed_actions(post: GhostPost, user) -> list[str]:
    """The transitions ``user`` may take on ``post`` now, in table order."""
    return [
        action
        for (state, action) in POST_TRANSITIONS
        if state == post.status and can(user, action, post)
    ]


def _refuse(message: str, post: GhostPost, user) -> Conflict:
    allowed = allowed_actions(post, user)
    return Conflict(f"{message} Allowed now: {', '.join(allowed) or 'none'}.", allowed=allowed)


def _role_refusal(post: GhostPost, action: str) -> str:
    if action in {"approve", "request_changes", "decline"}:
        return f"Only {post.rep.name}, the rep of record, may {action.replace('_', ' ')} it."
    if action == "send_to_rep":
        return f"Only {post.ghostwriter.name}, the ghost-writer, sends the post to the rep."
    return "Only the rep of record or the ghost-writer marks the post published."


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {field: message})


def check_url(url: str | None) -> str:
    """A published post's address: an absolute http(s) URL with a host."""
    url = (url or "").strip()
    if not url:
        raise _invalid("url", "Give the address where the post was published.")
    if len(url) > URL_MAX:
        raise _invalid("url", f"Keep the address under {URL_MAX} characters.")
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in {"http", "https"} or "." not in host or any(c.isspace() for c in url):
        raise _invalid("url", "That is not a web address; paste the post's https:// link.")
    return url


def _guard(post: GhostPost, action: str, comment: str, acknowledge_similar: bool) -> None:
    """Refuse an action the table allows whose conditions are not met now."""
    if action == "send_to_rep":
        limit = post_text.character_limit(post.channel)
        count = post_text.character_count(post.body)
        if limit is not None and count > limit:
            raise _invalid(
                "body",
                f"The post has {count:,} characters; {post.channel_label} takes {limit:,}. "
                f"Shorten it by {count - limit:,} before sending it.",
            )
        similar = [] if acknowledge_similar else similar_posts(post)
        if similar:
            other, score = similar[0]
            raise Conflict(
                f"This draft is {score:.0%} the same as “{other.title}”, drafted for "
                f"{other.rep.name}. The same words under several names look fake; rewrite it, "
                "or confirm that you want to send it anyway.",
                allowed=["send_to_rep"],
                fields={"acknowledge_similar": "Confirm to send a nearly identical post."},
            )
    elif action == "request_changes" and not comment:
        raise _invalid("comment", "Say what should change: the ghost-writer sees your comment.")
    elif action == "decline" and not comment:
        raise _invalid("comment", "Say why you decline: the ghost-writer sees your reason.")


def transition(
    post: GhostPost,
    actor,
    action: str,
    comment: str = "",
    url: str = "",
    acknowledge_similar: bool = False,
) -> WorkflowEvent:
    """Move ``post`` by ``action`` and write the audit event, in the caller's transaction.

    Actions the table does not allow now, or not to ``actor``, raise Conflict naming the
    allowed ones; missing or bad input raises ValidationFailed. The state check is a
    conditional UPDATE that also checks nobody saved a newer revision, so of two people
    acting at once the second is refused and nothing is half-done.
    """
    if not can(actor, "view", post):
        raise NotFound("No such post.")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise _invalid("comment", f"Keep the comment under {COMMENT_MAX:,} characters.")
    from_state = post.status
    to_state = POST_TRANSITIONS.get((from_state, action))
    if to_state is None:
        label = STATUS_LABELS.get(from_state, from_state).lower()
        verb = action.replace("_", " ") or "do that to"
        raise _refuse(f"You cannot {verb} a post that is {label}.", post, actor)
    if not can(actor, action, post):
        raise _refuse(_role_refusal(post, action), post, actor)
    _guard(post, action, comment, acknowledge_similar)
    published_url = check_url(url) if action == "mark_published" else ""
    claimed = db.session.execute(
        update(GhostPost)
        .where(
            GhostPost.id == post.id,
            GhostPost.status == from_state,
            GhostPost.latest_revision_id == post.latest_revision_id,
        )
        .values(status=to_state, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(post)
    if claimed != 1:
        raise _refuse("Someone changed this post a moment ago; reload to see it.", post, actor)
    _record_figures(post, action, comment, published_url)
    event = WorkflowEvent(
        subject_type=EVENT_SUBJECT,
        subject_id=post.id,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        revision_number=post.latest_revision.number,
    )
    db.session.add(event)
    db.session.flush()
    kind, text = NOTICES[action]
    line = text.format(actor=actor.name, title=post.title)
    if comment:
        line += f": {comment}"
    notify([post.rep, post.ghostwriter], kind, line, f"/posts/{post.id}", actor=actor)
    return event


def _record_figures(post: GhostPost, action: str, comment: str, url: str) -> None:
    """Keep the numbers reports read; the post row is locked by the claim."""
    now = utcnow()
    if action == "send_to_rep":
        post.rounds += 1
        post.first_sent_at = post.first_sent_at or now
        post.sent_at = now
        post.sent_revision_number = post.latest_revision.number
    elif action in {"approve", "request_changes", "decline"}:
        if post.sent_at is not None:
            post.seconds_with_rep += max(0, int((now - post.sent_at).total_seconds()))
        if action == "approve":
            post.approved_at = now
        elif action == "decline":
            post.declined_at = now
            post.decline_reason = comment
    elif action == "mark_published":
        post.published_at = now
        post.published_url = url
    db.session.flush()


def post_history(post: GhostPost) -> list[WorkflowEvent]:
    """The post's workflow events, oldest first."""
    return db.session.scalars(
        select(WorkflowEvent)
        .where(WorkflowEvent.subject_type == EVENT_SUBJECT, WorkflowEvent.subject_id == post.id)
        .order_by(WorkflowEvent.created_at, WorkflowEvent.id)
    ).all()
