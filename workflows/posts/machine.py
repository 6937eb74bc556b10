"""The ghost-written post's state machine: one table read by the code, the buttons, the
API and the tests.

Every transition writes a WorkflowEvent, updates the figures reports read (rounds, time
with the rep, time to first send) and notifies the other party, in one transaction.
"""

from urllib.parse import urlsplit

from portal.kernel import events
from portal.kernel import machine as engine
from portal.kernel.errors import Conflict, NotFound, ValidationFailed
from portal.kernel.models import User, utcnow
from portal.kernel.notifications import notify
from portal.kernel.permissions import can
from workflows.audit import services as audit
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


def _wrong_role(post: GhostPost, _user, action: str) -> str:
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


def _check(step: engine.Step) -> None:
    """Refuse an action the table allows whose conditions are not met now."""
    post, action, comment = step.subject, step.action, step.comment
    if action == "mark_published":
        step.context["url"] = check_url(step.context.get("url"))
    elif action == "send_to_rep":
        limit = post_text.character_limit(post.channel)
        count = post_text.character_count(post.body)
        if limit is not None and count > limit:
            raise _invalid(
                "body",
                f"The post has {count:,} characters; {post.channel_label} takes {limit:,}. "
                f"Shorten it by {count - limit:,} before sending it.",
            )
        similar = [] if step.context.get("acknowledge_similar") else similar_posts(post)
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


def _record_figures(step: engine.Step) -> None:
    """Keep the numbers reports read; the post row is claimed by the step."""
    post, action, now = step.subject, step.action, utcnow()
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
            post.decline_reason = step.comment
    elif action == "mark_published":
        post.published_at = now
        post.published_url = step.context["url"]


def _same_revision(post: GhostPost) -> tuple:
    return (GhostPost.latest_revision_id == post.latest_revision_id,)


POST = engine.Machine(
    name=EVENT_SUBJECT,
    noun="post",
    transitions=POST_TRANSITIONS,
    record=audit.record,
    state_labels=STATUS_LABELS,
    action_labels=ACTION_LABELS,
    event_labels=EVENT_LABELS,
    check=_check,
    enter=_record_figures,
    claim=_same_revision,
    refuse_role=_wrong_role,
)


def allowed_actions(post: GhostPost, user: User) -> list[str]:
    """The transitions ``user`` may take on ``post`` now, in table order."""
    return engine.allowed_actions(POST, post, user)


def transition(
    post: GhostPost,
    actor: User,
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
    event = engine.apply(
        POST,
        post,
        action,
        actor,
        comment=comment,
        url=url,
        acknowledge_similar=acknowledge_similar,
    )
    if action == "approve":
        _publish_approved(post, actor)
    return event


def _publish_approved(post: GhostPost, actor: User) -> None:
    events.publish(
        "post.approved",
        {
            "post": {
                "id": post.id,
                "title": post.title,
                "channel": post.channel,
                "topic": post.topic,
                "due_on": post.due_on,
                "approved_at": post.approved_at,
                "url": events.link(f"/posts/{post.id}"),
            },
            "rep": {"id": post.rep.id, "name": post.rep.name},
            "ghostwriter": {"id": post.ghostwriter.id, "name": post.ghostwriter.name},
            "approved_by": {"id": actor.id, "name": actor.name},
        },
    )


@POST.after
def _tell_the_other_party(post: GhostPost, actor: User, event: WorkflowEvent) -> None:
    """The rep and the ghost-writer hear of every step (notify skips the actor)."""
    kind, text = NOTICES[event.action]
    line = text.format(actor=actor.name, title=post.title)
    if event.comment:
        line += f": {event.comment}"
    notify([post.rep, post.ghostwriter], kind, line, f"/posts/{post.id}", actor=actor)


def post_history(post: GhostPost) -> list[WorkflowEvent]:
    """The post's workflow events, oldest first."""
    return audit.history(POST.name, post.id)
