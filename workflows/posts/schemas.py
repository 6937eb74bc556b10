"""The API's schemas for ghost-written posts: the queue's filters, what a client sends to
draft, revise and move a post, and the post as the API shows it."""

from datetime import date
from typing import Annotated, Literal

from flask import url_for
from pydantic import Field
from sqlalchemy.orm import selectinload

from content.library.models import Asset
from portal.kernel.models import User
from portal.kernel.permissions import can
from portal.kernel.schemas import (
    Changes,
    DateText,
    Id,
    Input,
    Output,
    Page,
    Paging,
    Person,
    Timestamp,
    filled,
)
from workflows.audit.models import WorkflowEvent
from workflows.audit.schemas import TransitionEvent
from workflows.posts import machine as post_machine
from workflows.posts import text as post_text
from workflows.posts.machine import COMMENT_MAX as TRANSITION_COMMENT_MAX
from workflows.posts.machine import POST_TRANSITIONS, URL_MAX
from workflows.posts.models import CHANNELS, POST_STATUSES, GhostPost
from workflows.posts.queue import STATUS_VIEWS
from workflows.posts.services import (
    ASSETS_MAX,
    BODY_MAX,
    BODY_MISSING,
    TITLE_MAX,
    TITLE_MISSING,
    TOPIC_MAX,
)

# A Literal built from the models' values keeps one source of truth; mypy cannot read a
# Literal of a variable, hence the narrow ignores.
CHANNEL_NAMES = tuple(CHANNELS)
POST_ACTIONS = tuple(sorted({action for _state, action in POST_TRANSITIONS}))
Channel = Literal[CHANNEL_NAMES]  # type: ignore[valid-type]
PostStatus = Literal[POST_STATUSES]  # type: ignore[valid-type]
PostAction = Literal[POST_ACTIONS]  # type: ignore[valid-type]

Title = Annotated[str, Field(max_length=TITLE_MAX), filled(TITLE_MISSING)]
Body = Annotated[str, Field(max_length=BODY_MAX, description="Markdown"), filled(BODY_MISSING)]
Topic = Annotated[str, Field(max_length=TOPIC_MAX)]
AssetIds = Annotated[
    list[Id], Field(max_length=ASSETS_MAX, description="Live assets the post links to")
]


class PostQuery(Paging):
    status: Literal[STATUS_VIEWS] | None = Field(  # type: ignore[valid-type]
        None, description="active (unfinished), one of the statuses, or all"
    )
    due: Literal["soon", "overdue"] | None = Field(
        None, description="soon (within 3 days) or overdue"
    )
    channel: Channel | None = Field(None, description="A channel")
    q: str | None = Field(None, description="Words in the title, text or topic")


class PostInput(Input):
    """A new post, drafted for a rep."""

    title: Title
    body: Body
    rep: Annotated[str, Field(max_length=254, description="The rep's email")]
    channel: Channel = "linkedin"
    topic: Topic = ""
    due_on: DateText = None
    asset_ids: AssetIds = []


class PostRevisionInput(Changes):
    """An edit on top of ``base_revision``; what is left out keeps its current value.
    channel, topic, due_on and asset_ids are the ghost-writer's."""

    base_revision: Annotated[Id, Field(description="The number of the revision you edited")]
    title: Title = ""
    body: Body = ""
    channel: Channel = "linkedin"
    topic: Topic = ""
    due_on: DateText = None
    asset_ids: AssetIds = []


class PostTransitionInput(Input):
    action: PostAction
    comment: Annotated[
        str,
        Field(
            max_length=TRANSITION_COMMENT_MAX,
            description="Required to request changes or decline",
        ),
    ] = ""
    url: Annotated[str, Field(max_length=URL_MAX, description="Where the post was published")] = ""
    acknowledge_similar: bool = Field(
        False, description="Send although another rep has a nearly identical post"
    )


class Post(Output):
    """A post as you may see it; linked assets only when you may see them."""

    id: int
    title: str
    body: str = Field(description="Markdown")
    channel: Channel
    topic: str
    status: PostStatus
    rep: Person
    ghostwriter: Person
    due_on: date | None
    overdue: bool
    latest_revision: int
    characters: int = Field(description="Of the plain text sent")
    character_limit: int | None
    asset_ids: list[int]
    published_url: str | None
    decline_reason: str | None
    rounds: int = Field(description="Times sent to the rep")
    rep_edit_share: float = Field(description="Share of words the rep wrote")
    seconds_with_rep: int
    first_sent_at: Timestamp | None
    approved_at: Timestamp | None
    published_at: Timestamp | None
    allowed_actions: list[str]
    url: str
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def shown(cls, post: GhostPost, user: User) -> "Post":
        """``post`` as the API shows it to ``user``."""
        latest = post.latest_revision
        assert latest is not None, "a post is created with its first revision"
        return cls.read(
            post,
            latest_revision=latest.number,
            characters=post_text.character_count(post.body),
            character_limit=post_text.character_limit(post.channel),
            asset_ids=[asset.id for asset in post.assets if can(user, "view", asset)],
            published_url=post.published_url or None,
            decline_reason=post.decline_reason or None,
            rep_edit_share=round(post.rep_edit_share, 4),
            allowed_actions=post_machine.allowed_actions(post, user),
            url=url_for("posts.show", post_id=post.id, _external=True),
        )


# What Post.shown reads of each post's assets (whether the reader may view them), loaded
# for a whole page at once.
SHOWN_LOADS = (selectinload(GhostPost.assets).selectinload(Asset.collaborators),)


class PostList(Page):
    items: list[Post]


class PostWorkflowEvent(TransitionEvent):
    """The audit event a transition wrote."""

    action: PostAction
    from_state: PostStatus = Field(alias="from")
    to_state: PostStatus = Field(alias="to")


class MovedPost(Post):
    """A post after a transition, with the event written."""

    event: PostWorkflowEvent

    @classmethod
    def moved(cls, post: GhostPost, user: User, event: WorkflowEvent) -> "MovedPost":
        return cls(**dict(Post.shown(post, user)), event=PostWorkflowEvent.of(event))
