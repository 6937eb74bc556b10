"""Ghost-written posts: drafting, revising, reading and discussing them.

The state machine is in workflows.posts.machine, the rules in workflows.posts.rules.
Services flush, never commit: the caller commits once.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import selectinload

from content.library.models import Asset
from portal.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    stale_revision,
)
from portal.kernel.extensions import db
from portal.kernel.machine import claim_row
from portal.kernel.models import User, normalize_email, utcnow
from portal.kernel.notifications import notify
from portal.kernel.permissions import can, get_visible
from workflows.posts import text as post_text
from workflows.posts.models import (
    CHANNELS,
    GhostPost,
    GhostPostRevision,
    PostComment,
    VoiceProfile,
    today,
)

TITLE_MAX = 200
BODY_MAX = 50_000
TOPIC_MAX = 120
COMMENT_MAX = 5000
ASSETS_MAX = 10
# Only this many of the most recently changed posts for other reps are compared with a
# draft before it is sent, which bounds the cost of the check on a large portal.
SIMILAR_CANDIDATES = 500
TITLE_MISSING = "Give the post a working title."
BODY_MISSING = "Write the post before saving it."


@dataclass
class PostInput:
    """What a ghost-writer submits. ``rep`` is an email; assets are ids."""

    title: str
    body: str
    channel: str = "linkedin"
    rep: str = ""
    topic: str = ""
    due_on: date | None = None
    asset_ids: list[int] = field(default_factory=list)


def _link(post: GhostPost) -> str:
    return f"/posts/{post.id}"


def _clean_text(title: str | None, body: str | None, errors: dict) -> tuple[str, str]:
    title = " ".join((title or "").split())
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not title:
        errors["title"] = TITLE_MISSING
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    if not body.strip():
        errors["body"] = BODY_MISSING
    elif len(body) > BODY_MAX:
        errors["body"] = f"Keep the post under {BODY_MAX:,} characters."
    return title, body


def _find_rep(email: str, errors: dict) -> User | None:
    rep = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if rep is None or not rep.is_rep or not rep.active:
        errors["rep"] = "Choose an active rep to publish the post under their name."
        return None
    return rep


def _linked_assets(writer, asset_ids: list[int], errors: dict) -> list[Asset]:
    ids = list(dict.fromkeys(asset_ids))
    if len(ids) > ASSETS_MAX:
        errors["asset_ids"] = f"Link at most {ASSETS_MAX} assets."
        return []
    found = db.session.scalars(select(Asset).where(Asset.id.in_(ids))).all() if ids else []
    assets = [a for a in found if a.is_live and can(writer, "view", a)]
    if len(assets) != len(ids):
        errors["asset_ids"] = "Link published assets only; one of them is not (any more)."
    return sorted(assets, key=lambda asset: ids.index(asset.id))


def _check_details(writer, data: PostInput, errors: dict, due_changed: bool = True) -> None:
    data.topic = " ".join((data.topic or "").split())
    if data.channel not in CHANNELS:
        errors["channel"] = f"Choose a channel: {', '.join(CHANNELS.values())}."
    if len(data.topic) > TOPIC_MAX:
        errors["topic"] = f"Keep the topic under {TOPIC_MAX} characters."
    if due_changed and data.due_on is not None and data.due_on < today():
        errors["due_on"] = "The due date has passed; choose today or a later date."


def _add_revision(post: GhostPost, author, title: str, body: str, number: int) -> None:
    revision = GhostPostRevision(post=post, number=number, title=title, body=body, author=author)
    db.session.add(revision)
    db.session.flush()
    post.latest_revision = revision
    _count_words(post)


def _count_words(post: GhostPost) -> None:
    """Recount who wrote the current body's words (see post_text.word_authors)."""
    history = [(r.author_id, post_text.plain_text(r.body)) for r in post.revisions]
    owners = post_text.word_authors(history)
    post.word_count = len(owners)
    post.rep_word_count = sum(1 for owner in owners if owner == post.rep_id)


def create_post(writer, data: PostInput) -> GhostPost:
    """Draft a post for a rep. Refusals are a ValidationFailed naming each bad field."""
    if not can(writer, "write_posts"):
        raise PermissionDenied("Only marketers ghost-write posts.")
    errors: dict = {}
    title, body = _clean_text(data.title, data.body, errors)
    rep = _find_rep(data.rep, errors)
    _check_details(writer, data, errors)
    assets = _linked_assets(writer, data.asset_ids, errors)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    post = GhostPost(
        rep=rep,
        ghostwriter=writer,
        channel=data.channel,
        topic=data.topic,
        due_on=data.due_on,
        status="draft",
        assets=assets,
    )
    db.session.add(post)
    db.session.flush()
    _add_revision(post, writer, title, body, 1)
    db.session.flush()
    return post


def revise_post(
    post: GhostPost,
    author,
    base_revision_id: int | None,
    title: str,
    body: str,
    details: PostInput | None = None,
) -> GhostPostRevision | None:
    """Save an edit on top of ``base_revision_id``: a new revision when the words changed,
    and the details (ghost-writer only) when given. Returns the new revision or None.

    A save based on an older revision than the latest is refused (Conflict), and so is
    one racing a transition: the check and the claim are one conditional UPDATE.
    """
    if not can(author, "view", post):
        raise NotFound("No such post.")
    if not can(author, "edit", post):
        raise PermissionDenied(edit_refusal(post))
    if details is not None and not can(author, "change_details", post):
        raise PermissionDenied("Only the ghost-writer changes the channel, topic and due date.")
    if base_revision_id is None:
        message = "Say which revision the edit is based on."
        raise ValidationFailed(message, {"base_revision": message})
    errors: dict = {}
    title, body = _clean_text(title, body, errors)
    assets: list[Asset] = []
    if details is not None:
        _check_details(author, details, errors, due_changed=details.due_on != post.due_on)
        assets = _linked_assets(author, details.asset_ids, errors)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    _claim_for_edit(post, base_revision_id)
    latest = post.latest_revision
    assert latest is not None, "a post is created with its first revision"
    revision = None
    if (title, body) != (latest.title, latest.body):
        _add_revision(post, author, title, body, latest.number + 1)
        revision = post.latest_revision
    if details is not None:
        post.channel, post.topic, post.due_on = details.channel, details.topic, details.due_on
        post.assets = assets
    post.updated_at = utcnow()
    db.session.flush()
    return revision


def edit_refusal(post: GhostPost) -> str:
    """Why someone may not edit ``post`` now, in words for them."""
    if post.status == "with_rep":
        return f"The post is with {post.rep.name} for review; only they edit it now."
    if post.status in {"approved", "published", "declined"}:
        return f"The post is {post.status}; it can no longer be edited."
    return f"The post is back with {post.ghostwriter.name}, its ghost-writer, for changes."


def _claim_for_edit(post: GhostPost, base_revision_id: int) -> None:
    status = post.status
    claimed = claim_row(
        post, GhostPost.latest_revision_id == base_revision_id, GhostPost.status == status
    )
    db.session.refresh(post)
    if claimed:
        return
    if post.status != status:
        raise Conflict(
            f"The post moved on while you were editing (it is now {post.status.replace('_', ' ')})."
            " Nothing was saved.",
        )
    raise stale_revision()


# ---- reading -----------------------------------------------------------------------------


def get_visible_post(user: User, post_id: int) -> GhostPost:
    """The post if this user may see it; otherwise NotFound (never a 403)."""
    return get_visible(user, GhostPost, post_id, "No such post.")


def get_revision(post: GhostPost, number: int) -> GhostPostRevision:
    revision = db.session.scalar(
        select(GhostPostRevision).where(
            GhostPostRevision.post_id == post.id, GhostPostRevision.number == number
        )
    )
    if revision is None:
        raise NotFound("No such revision.")
    return revision


@dataclass
class RepRound:
    """One round with the rep: the revision they received and their last edit in it."""

    sent: GhostPostRevision
    edited: GhostPostRevision


def rep_rounds(post: GhostPost) -> list[RepRound]:
    """The rounds in which the rep changed the text, oldest first: for each, the revision
    the ghost-writer sent and the rep's last revision before the post moved on."""
    rounds: list[RepRound] = []
    sent: GhostPostRevision | None = None
    edited: GhostPostRevision | None = None
    for revision in post.revisions:
        if revision.author_id == post.rep_id:
            edited = revision
            continue
        if sent is not None and edited is not None:
            rounds.append(RepRound(sent, edited))
        sent, edited = revision, None
    if sent is not None and edited is not None:
        rounds.append(RepRound(sent, edited))
    return rounds


def similar_posts(post: GhostPost) -> list[tuple[GhostPost, float]]:
    """Posts drafted for other reps whose text is nearly the same as this one's, most
    alike first: the same words under many names look fake on LinkedIn."""
    # Markdown marks are not words, so the bodies are compared as stored: rendering
    # hundreds of them to plain text would cost most of the check.
    own = post_text.shingles(post.body)
    if not own:
        return []
    candidates = db.session.scalars(
        select(GhostPost)
        .where(GhostPost.id != post.id, GhostPost.rep_id != post.rep_id)
        .where(GhostPost.status != "declined")
        .options(selectinload(GhostPost.latest_revision), selectinload(GhostPost.rep))
        .order_by(GhostPost.updated_at.desc())
        .limit(SIMILAR_CANDIDATES)
    )
    found = []
    for other in candidates:
        score = post_text.similarity(own, post_text.shingles(other.body))
        if score >= post_text.SIMILARITY_THRESHOLD:
            found.append((other, score))
    return sorted(found, key=lambda pair: -pair[1])


def past_posts(rep: User, viewer, limit: int = 5) -> Sequence[GhostPost]:
    """The rep's approved and published posts, newest first, that ``viewer`` may read
    here: published ones are public on their channel anyway; approved ones only for
    those who may see the post."""
    readable: ColumnElement[bool]
    if can(viewer, "view_all_posts"):
        readable = GhostPost.status.in_(("approved", "published"))
    else:
        mine = or_(GhostPost.rep_id == viewer.id, GhostPost.ghostwriter_id == viewer.id)
        readable = or_(GhostPost.status == "published", and_(GhostPost.status == "approved", mine))
    return db.session.scalars(
        select(GhostPost)
        .where(GhostPost.rep_id == rep.id, readable)
        .options(selectinload(GhostPost.latest_revision))
        .order_by(GhostPost.updated_at.desc(), GhostPost.id.desc())
        .limit(limit)
    ).all()


# ---- discussion ----------------------------------------------------------------------------


def add_comment(post: GhostPost, author, body: str) -> PostComment:
    """Comment on the post's current revision; the other party is told."""
    if not can(author, "view", post):
        raise NotFound("No such post.")
    if not can(author, "comment", post):
        raise Conflict("This post was declined; its discussion is closed.")
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed("Write a comment before posting.", {"body": "Write a comment."})
    if len(text) > COMMENT_MAX:
        message = f"Keep comments under {COMMENT_MAX:,} characters."
        raise ValidationFailed(message, {"body": message})
    latest = post.latest_revision
    assert latest is not None, "a post is created with its first revision"
    comment = PostComment(post_id=post.id, revision_number=latest.number, author=author, body=text)
    db.session.add(comment)
    db.session.flush()
    notify(
        [post.rep, post.ghostwriter],
        "post_comment",
        f"{author.name} commented on the post “{post.title}”",
        f"{_link(post)}#comment-{comment.id}",
        actor=author,
    )
    return comment


def comments(post: GhostPost) -> Sequence[PostComment]:
    return db.session.scalars(
        select(PostComment)
        .where(PostComment.post_id == post.id)
        .options(selectinload(PostComment.author))
        .order_by(PostComment.created_at, PostComment.id)
    ).all()


# ---- voice profiles -------------------------------------------------------------------------

TONE_MAX = 2000
TOPICS_MAX = 500


def voice_profile(rep: User) -> VoiceProfile | None:
    return db.session.get(VoiceProfile, rep.id)


def save_voice_profile(rep: User, tone: str, topics: str) -> VoiceProfile:
    """A rep describes their voice for the people who write for them."""
    if not can(rep, "edit_voice_profile"):
        raise PermissionDenied("Only reps keep a voice profile.")
    tone = (tone or "").replace("\r\n", "\n").strip()
    topics = ", ".join(t.strip() for t in (topics or "").split(",") if t.strip())
    errors = {}
    if len(tone) > TONE_MAX:
        errors["tone"] = f"Keep the tone notes under {TONE_MAX:,} characters."
    if len(topics) > TOPICS_MAX:
        errors["topics"] = f"Keep the topics under {TOPICS_MAX} characters."
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    profile = voice_profile(rep) or VoiceProfile(user_id=rep.id)
    profile.tone, profile.topics, profile.updated_at = tone, topics, utcnow()
    db.session.add(profile)
    db.session.flush()
    return profile
