"""Ghost-written posts for tests: committed drafts, and posts walked to any state the
usual way. The ``people`` and ``post_in`` fixtures are in conftest.py."""

from portal.kernel.extensions import db
from tests.workflows.state_paths import shortest_path
from workflows.audit.models import WorkflowEvent
from workflows.posts import services as posts
from workflows.posts.machine import POST_TRANSITIONS, transition
from workflows.posts.models import GhostPost
from workflows.posts.services import PostInput

TITLE = "Why pipelines stall"
FIRST = "Our quarterly review showed something surprising about stalled enterprise deals."
SECOND = "Buyers rarely stall on price alone, whatever the forecast claims."
BODY = f"{FIRST}\n\n{SECOND}"
PUBLISHED_URL = "https://www.linkedin.com/posts/riley-rep_pipeline-7241"
# Who takes each action in the usual course of a post, and what they give with it.
STEPS = {
    "send_to_rep": ("ghostwriter", {"acknowledge_similar": True}),
    "approve": ("rep", {}),
    "request_changes": ("rep", {"comment": "Open with the customer story."}),
    "decline": ("rep", {"comment": "Not a topic I speak about."}),
    "mark_published": ("rep", {"url": PUBLISHED_URL}),
}


def draft(writer, rep, body: str = BODY, title: str = TITLE, **details) -> GhostPost:
    """A committed draft by ``writer`` for ``rep``."""
    post = posts.create_post(writer, PostInput(title=title, body=body, rep=rep.email, **details))
    db.session.commit()
    return post


def take(post: GhostPost, action: str, actor=None, **given) -> WorkflowEvent:
    """Take ``action`` as the usual person would (or ``actor``), and commit."""
    who, usual = STEPS[action]
    event = transition(post, actor or getattr(post, who), action, **{**usual, **given})
    db.session.commit()
    return event


def path_to(state: str) -> list[str]:
    """The shortest list of actions that takes a new draft to ``state``."""
    return shortest_path(POST_TRANSITIONS, state)


def walk(post: GhostPost, state: str) -> GhostPost:
    for action in path_to(state):
        take(post, action)
    assert post.status == state
    return post


def revise(post: GhostPost, author, body: str, title: str | None = None):
    """``author`` saves ``body`` on top of the latest revision, and it is committed."""
    latest = post.latest_revision
    revision = posts.revise_post(post, author, latest.id, title or latest.title, body)
    db.session.commit()
    return revision
