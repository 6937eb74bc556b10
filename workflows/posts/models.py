"""Ghost-written posts: a marketer drafts a post in a rep's voice, the rep reviews it and
publishes it under their own name. Each edit is an immutable revision with its author."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.library.models import Asset
from portal.kernel.extensions import Entity, Model
from portal.kernel.models import User, utcnow
from portal.kernel.sql import link_table, one_of

CHANNELS = {"linkedin": "LinkedIn", "blog": "Blog", "newsletter": "Newsletter"}


class PostStatus(StrEnum):
    """Where a ghost-written post is; workflows.posts.machine moves it between them."""

    DRAFT = "draft"
    WITH_REP = "with_rep"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    PUBLISHED = "published"
    DECLINED = "declined"


POST_STATUSES = tuple(PostStatus)
# Still on its way to being published: a past due date makes these late.
UNFINISHED = (
    PostStatus.DRAFT,
    PostStatus.WITH_REP,
    PostStatus.CHANGES_REQUESTED,
    PostStatus.APPROVED,
)

post_assets = link_table("ghost_post_assets", "post_id", "ghost_posts", "asset_id", "assets")


class GhostPost(Entity):
    """A post drafted by a ghost-writer for a rep of record.

    Besides its state, the post keeps the figures reports need, updated by each
    transition: rounds with the rep, when it was first sent, how long it waited for the
    rep in all, and how much of its current text the rep wrote.
    """

    __tablename__ = "ghost_posts"
    __table_args__ = (one_of("status", PostStatus),)

    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    ghostwriter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(120), default="")
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default=PostStatus.DRAFT, index=True)
    latest_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("ghost_post_revisions.id", use_alter=True, name="fk_ghost_posts_latest_revision")
    )
    # The revision the rep received in the current (or last) round: their changes are
    # measured against it.
    sent_revision_number: Mapped[int | None]
    published_url: Mapped[str] = mapped_column(String(500), default="")
    decline_reason: Mapped[str] = mapped_column(String(1000), default="")
    rounds: Mapped[int] = mapped_column(default=0)
    first_sent_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    seconds_with_rep: Mapped[int] = mapped_column(default=0)
    approved_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    # Words of the current body, and how many of them the rep wrote.
    word_count: Mapped[int] = mapped_column(default=0)
    rep_word_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    ghostwriter: Mapped[User] = relationship(foreign_keys=[ghostwriter_id])
    latest_revision: Mapped["GhostPostRevision | None"] = relationship(
        foreign_keys=[latest_revision_id], post_update=True
    )
    revisions: Mapped[list["GhostPostRevision"]] = relationship(
        back_populates="post",
        foreign_keys="GhostPostRevision.post_id",
        order_by="GhostPostRevision.number",
        cascade="all, delete-orphan",
    )
    assets: Mapped[list[Asset]] = relationship(secondary=post_assets, order_by=Asset.id)

    @property
    def title(self) -> str:
        return self.latest_revision.title if self.latest_revision is not None else ""

    @property
    def body(self) -> str:
        return self.latest_revision.body if self.latest_revision is not None else ""

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)

    @property
    def overdue(self) -> bool:
        return self.status in UNFINISHED and self.due_on is not None and self.due_on < today()

    @property
    def rep_edit_share(self) -> float:
        """The share (0–1) of the current body's words that the rep wrote."""
        return self.rep_word_count / self.word_count if self.word_count else 0.0


class GhostPostRevision(Entity):
    """An immutable snapshot of a post's title and Markdown body."""

    __tablename__ = "ghost_post_revisions"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("ghost_posts.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[GhostPost] = relationship(back_populates="revisions", foreign_keys=[post_id])
    author: Mapped[User] = relationship()


class PostComment(Entity):
    """A remark on a post, made while reading a given revision."""

    __tablename__ = "ghost_post_comments"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("ghost_posts.id", ondelete="CASCADE"), index=True
    )
    revision_number: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class VoiceProfile(Model):
    """How a rep sounds and what they know, kept by the rep for their ghost-writers."""

    __tablename__ = "voice_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tone: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()

    @property
    def topic_list(self) -> list[str]:
        return [topic.strip() for topic in self.topics.split(",") if topic.strip()]


def today() -> date:
    """Today's date in UTC, the calendar every due date is compared with."""
    return utcnow().date()
