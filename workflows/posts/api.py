"""JSON API for ghost-written posts: the queue, drafting, revising and transitions."""

from flask import Blueprint

from portal.kernel.models import User
from portal.kernel.schemas import Created, created, operation
from workflows.posts import machine as post_machine
from workflows.posts import queue as post_queue
from workflows.posts import services as posts
from workflows.posts.schemas import (
    SHOWN_LOADS,
    MovedPost,
    Post,
    PostInput,
    PostList,
    PostQuery,
    PostRevisionInput,
    PostTransitionInput,
)

bp = Blueprint("posts_api", __name__)

_DETAILS = ("channel", "topic", "due_on", "asset_ids")


@bp.get("/posts")
@operation(
    "Ghost-written posts you may see (a rep's own; a ghost-writer's own)",
    answer="A page of posts, soonest due first",
)
def list_posts(query: PostQuery, user: User) -> PostList:
    filters = post_queue.parse_filters(query.model_dump(exclude_none=True), user)
    page, per_page = query.pages()
    listed = post_queue.post_list(user, filters, page, per_page, SHOWN_LOADS)
    return PostList.of(listed, lambda post: Post.shown(post, user))


@bp.post("/posts")
@operation("Draft a post for a rep (marketers)", answer="The new draft", errors=(403,))
def create_post(body: PostInput, user: User) -> Created[Post]:
    post = posts.create_post(
        user,
        posts.PostInput(
            title=body.title,
            body=body.body,
            channel=body.channel,
            rep=body.rep,
            topic=body.topic,
            due_on=body.due_on or None,
            asset_ids=body.asset_ids,
        ),
    )
    return created(Post.shown(post, user), ".get_post", post_id=post.id)


@bp.get("/posts/<id:post_id>")
@operation("Read one post", answer="The post")
def get_post(post_id: int, user: User) -> Post:
    return Post.shown(posts.get_visible_post(user, post_id), user)


@bp.patch("/posts/<id:post_id>")
@operation(
    "Save an edit on top of base_revision (the latest revision's number); "
    "channel, topic, due_on and asset_ids are the ghost-writer's",
    answer="The post with its new revision",
    errors=(403, 409),
)
def revise_post(post_id: int, body: PostRevisionInput, user: User) -> Post:
    """A new revision on top of ``base_revision``; detail fields are the ghost-writer's."""
    post = posts.get_visible_post(user, post_id)
    number = body.base_revision
    latest = post.latest_revision
    assert latest is not None, "a post is created with its first revision"
    base = posts.get_revision(post, number).id if number <= latest.number else 0
    details = None
    if any(body.given(name) for name in _DETAILS):
        details = posts.PostInput(
            title="",
            body="",
            channel=body.channel if body.given("channel") else post.channel,
            topic=body.topic if body.given("topic") else post.topic,
            due_on=(body.due_on or None) if body.given("due_on") else post.due_on,
            asset_ids=body.asset_ids
            if body.given("asset_ids")
            else [asset.id for asset in post.assets],
        )
    posts.revise_post(
        post,
        user,
        base,
        body.title if body.given("title") else post.title,
        body.body if body.given("body") else post.body,
        details,
    )
    return Post.shown(post, user)


@bp.post("/posts/<id:post_id>/transitions")
@operation(
    "Move the post: send_to_rep, approve, request_changes (comment), decline (comment), "
    "mark_published (url)",
    answer="The post after the transition, with the event",
    errors=(409,),
)
def transition(post_id: int, body: PostTransitionInput, user: User) -> MovedPost:
    post = posts.get_visible_post(user, post_id)
    event = post_machine.transition(
        post,
        user,
        body.action,
        comment=body.comment,
        url=body.url,
        acknowledge_similar=body.acknowledge_similar,
    )
    return MovedPost.moved(post, user, event)
