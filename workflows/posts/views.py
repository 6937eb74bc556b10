"""HTML routes of ghost-written posts: the queue, drafting and editing, the post page with
its workflow buttons, discussion and the rep's changes, and the rep's voice profile."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from content.library.diff import word_diff
from portal.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.forms import EmptyForm
from portal.kernel.ids import text_id
from portal.kernel.models import User, normalize_email
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import can, require
from portal.kernel.templating import (
    flash_form_errors,
    flash_summary,
    label_global,
    requested_filters,
    template_global,
)
from portal.kernel.transaction import attempt, press, submit
from workflows.posts import machine as post_machine
from workflows.posts import queue as post_queue
from workflows.posts import services as posts
from workflows.posts import text as post_text
from workflows.posts.forms import PostForm, PostTextForm, VoiceProfileForm
from workflows.posts.models import CHANNELS
from workflows.review.views import CSRF_MESSAGE

bp = Blueprint("posts", __name__)

DONE_MESSAGES = {
    "send_to_rep": "Sent to {rep}. They have been told.",
    "approve": "Approved. Copy the text, publish it, then mark it published here.",
    "request_changes": "Changes requested. {writer} has been told.",
    "decline": "Declined. {writer} has been told why.",
    "mark_published": "Marked published. Well done.",
}


post_status_label = label_global("post_status_label", post_machine.STATUS_LABELS)
post_event_label = label_global("post_event_label", post_machine.EVENT_LABELS)


@template_global
def post_actions(post) -> list[tuple[str, str]]:
    """(action, label) pairs for the workflow forms on a post page."""
    return [
        (action, post_machine.ACTION_LABELS[action])
        for action in post_machine.allowed_actions(post, current_user)
    ]


@template_global
def visible_linked_assets(post) -> list:
    return [asset for asset in post.assets if can(current_user, "view", asset)]


@template_global
def count_characters(body: str | None) -> int:
    return post_text.character_count(body)


@template_global
def character_limit(channel: str | None) -> int | None:
    return post_text.character_limit(channel or "")


def _show(post, anchor: str | None = None):
    return redirect(url_for(".show", post_id=post.id, _anchor=anchor))


def _flash_error(error) -> None:
    """A ValidationFailed names each bad field; other refusals say it in one message."""
    fields = error.fields if isinstance(error, ValidationFailed) else {}
    for message in list(fields.values()) or [error.message]:
        flash(message, "error")


@bp.get("/posts")
@login_required
def index():
    require("view_posts", status=404)
    filters = requested_filters(post_queue.parse_filters, post_queue.default_filters(current_user))
    page, per_page = requested_page()
    return render_template(
        "posts/index.html",
        page=post_queue.post_list(current_user, filters, page, per_page),
        filters=filters,
        counts=post_queue.status_counts(current_user),
        channels=CHANNELS,
        due_soon_limit=post_queue.due_soon_limit(),
    )


def _details(form: PostForm) -> posts.PostInput:
    return posts.PostInput(
        title=form.title.data,
        body=form.body.data,
        channel=form.channel.data,
        rep=form.rep.data if "rep" in form else "",
        topic=form.topic.data or "",
        due_on=form.due_on.data,
        asset_ids=[asset_id for asset_id in form.asset_ids.data or [] if asset_id],
    )


def _writing_aids(rep_email: str | None, exclude: int | None = None) -> dict:
    """The rep's voice profile and past posts, shown beside the editor."""
    rep = db.session.scalar(select(User).where(User.email == normalize_email(rep_email or "")))
    if rep is None or not rep.is_rep:
        return {"voice_rep": None, "voice": None, "past_posts": []}
    return {
        "voice_rep": rep,
        "voice": posts.voice_profile(rep),
        "past_posts": [p for p in posts.past_posts(rep, current_user) if p.id != exclude],
    }


@bp.route("/posts/new", methods=["GET", "POST"])
@login_required
def create():
    require("write_posts")
    form = PostForm()
    if request.method == "GET" and request.args.get("rep"):
        form.rep.data = request.args["rep"]
    submission = submit(form, lambda: posts.create_post(current_user, _details(form)))
    if submission.saved:
        post = submission.result
        flash(f"Draft saved for {post.rep.name}. Send it when it is ready.", "success")
        return _show(post)
    return render_template(
        "posts/form.html", form=form, post=None, conflict=None, **_writing_aids(form.rep.data)
    ), submission.status


@bp.get("/posts/<id:post_id>")
@login_required
def show(post_id: int):
    post = posts.get_visible_post(current_user, post_id)
    writer_view = can(current_user, "change_details", post)
    editor = None
    if can(current_user, "edit", post) and not writer_view:
        editor = PostTextForm(
            formdata=None,
            title=post.title,
            body=post.body,
            base_revision=post.latest_revision_id,
        )
    rounds = posts.rep_rounds(post)
    latest_round = rounds[-1] if rounds else None
    return render_template(
        "posts/show.html",
        post=post,
        editor=editor,
        history=post_machine.post_history(post),
        comments=posts.comments(post),
        rounds=rounds,
        round_diff=word_diff(latest_round.sent.body, latest_round.edited.body)
        if latest_round
        else None,
        similar=posts.similar_posts(post) if writer_view else [],
        plain=post_text.plain_text(post.body),
        characters=post_text.character_count(post.body),
        limit=post_text.character_limit(post.channel),
        **(_writing_aids(post.rep.email, post.id) if can(current_user, "write_posts") else {}),
    )


@bp.route("/posts/<id:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int):
    post = posts.get_visible_post(current_user, post_id)
    if not can(current_user, "edit", post):
        flash(posts.edit_refusal(post), "error")
        return _show(post)
    writer = can(current_user, "change_details", post)
    form_class = PostForm if writer else PostTextForm
    if request.method == "GET":
        form = form_class(obj=post, base_revision=post.latest_revision_id)
        if writer:
            form.asset_ids.data = [asset.id for asset in post.assets]
    else:
        form = form_class()
    if writer:
        del form.rep  # the rep of record stays with the post
    conflict = None
    if request.method == "POST" and form.validate_on_submit():
        base = _base_revision(form.base_revision.data)
        with attempt(form, refusals=(Conflict, ValidationFailed, PermissionDenied)) as outcome:
            revision = posts.revise_post(
                post,
                current_user,
                base,
                form.title.data,
                form.body.data,
                _details(form) if writer else None,
            )
        if isinstance(outcome.refusal, Conflict):
            conflict = _since(post, base)
        elif not outcome.refused:
            if revision is None:
                flash("Saved. The text did not change, so no new revision.", "info")
            else:
                flash(f"Saved as revision {revision.number}.", "success")
            return _show(post)
    elif request.method == "POST":
        flash_form_errors(form)
    status = 409 if conflict else (422 if request.method == "POST" else 200)
    aids = _writing_aids(post.rep.email, post.id) if writer else {}
    return render_template(
        "posts/form.html", form=form, post=post, conflict=conflict, **aids
    ), status


def _base_revision(raw) -> int | None:
    return text_id(raw) or None


def _since(post, base_id: int | None) -> dict | None:
    """What changed between the revision the editor started from and the latest."""
    db.session.refresh(post)
    base = next((r for r in post.revisions if r.id == base_id), None)
    latest = post.latest_revision
    if base is None or latest is None or base.id == latest.id:
        return None
    return {"base": base, "latest": latest, "body": word_diff(base.body, latest.body)}


@bp.post("/posts/<id:post_id>/transitions")
@login_required
def transition(post_id: int):
    post = posts.get_visible_post(current_user, post_id)
    action = request.form.get("action", "")
    submission = press(
        EmptyForm(),
        lambda: post_machine.transition(
            post,
            current_user,
            action,
            comment=request.form.get("comment", ""),
            url=request.form.get("url", ""),
            acknowledge_similar=request.form.get("acknowledge_similar") in {"1", "y", "on"},
        ),
        show=_flash_error,
    )
    if submission.saved:
        message = DONE_MESSAGES.get(action, "Done.")
        flash(message.format(rep=post.rep.name, writer=post.ghostwriter.name), "success")
    return _show(post)


@bp.post("/posts/<id:post_id>/comments")
@login_required
def comment(post_id: int):
    post = posts.get_visible_post(current_user, post_id)
    submission = press(
        EmptyForm(),
        lambda: posts.add_comment(post, current_user, request.form.get("body", "")),
        show=flash_summary,
        done="Comment posted.",
    )
    if not submission.saved:
        return _show(post, "discussion")
    return _show(post, f"comment-{submission.result.id}")


@bp.get("/posts/<id:post_id>/diff")
@login_required
def diff(post_id: int):
    post = posts.get_visible_post(current_user, post_id)
    numbers = []
    for name in ("from", "to"):
        number = text_id(request.args.get(name))
        if not number:
            abort(404)
        numbers.append(number)
    old, new = (posts.get_revision(post, number) for number in numbers)
    return render_template(
        "posts/diff.html",
        post=post,
        old=old,
        new=new,
        title_diff=word_diff(old.title, new.title),
        body_diff=word_diff(old.body, new.body),
    )


@bp.post("/posts/preview")
@login_required
def preview():
    """The characters a channel receives for a body, for the editor's live count."""
    if not EmptyForm().validate_on_submit():
        return jsonify({"error": {"code": "csrf", "message": CSRF_MESSAGE}}), 400
    body = request.form.get("body", "")[: posts.BODY_MAX + 1]
    channel = request.form.get("channel", "linkedin")
    return jsonify(
        {
            "characters": post_text.character_count(body),
            "limit": post_text.character_limit(channel),
        }
    )


@bp.route("/profile/voice", methods=["GET", "POST"])
@login_required
def voice():
    require("edit_voice_profile", status=404)
    profile = posts.voice_profile(current_user)
    form = VoiceProfileForm(obj=profile)
    submission = submit(
        form, lambda: posts.save_voice_profile(current_user, form.tone.data, form.topics.data)
    )
    if submission.saved:
        flash("Voice profile saved. Your ghost-writers see it beside their drafts.", "success")
        return redirect(url_for(".voice"))
    return render_template("posts/voice.html", form=form, profile=profile)
