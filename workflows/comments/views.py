"""HTML routes of an asset's discussion: post a comment or reply, resolve and reopen threads."""

from flask import Blueprint, flash, g, redirect, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from content.library.services import get_revision, get_visible_asset
from portal.kernel.errors import Conflict, PermissionDenied
from portal.kernel.forms import EmptyForm
from portal.kernel.ids import text_int
from portal.kernel.templating import flash_summary, form_accepted, template_filter
from portal.kernel.transaction import attempt, press
from workflows.comments import services as comments

bp = Blueprint("comments", __name__)


def _threads(asset) -> list:
    """The asset's threads, read once per request for the discussion and the timeline."""
    read = g.setdefault("comment_threads", {})
    if asset.id not in read:
        read[asset.id] = comments.threads(asset, current_user)
    return read[asset.id]


def discussion_for(asset) -> dict:
    """The threads the asset page shows, and which @handles in them name someone."""
    threads = _threads(asset)
    handles = {
        handle
        for thread in threads
        for comment in (thread, *thread.replies)
        for _start, _end, handle in comments.mention_spans(comment.body)
    }
    return {
        "threads": threads,
        "mentions": set(comments.resolve_handles(asset, handles)),
        "body_max": comments.BODY_MAX,
    }


def timeline_for(asset) -> list:
    return comments.timeline(asset, current_user, _threads(asset))


@template_filter("comment_text")
def comment_text(body: str, mentions: set[str]) -> Markup:
    """A comment's plain text as HTML: escaped, line breaks kept, and the @handles that
    name someone wrapped in ``<span class="mention">``."""
    parts, position = [], 0
    for start, end, handle in comments.mention_spans(body):
        if handle in mentions:
            parts.append(escape(body[position:start]))
            parts.append(Markup('<span class="mention">{}</span>').format(body[start:end]))
            position = end
    parts.append(escape(body[position:]))
    return Markup("<br>\n").join(Markup("").join(parts).split("\n"))


def _asset_page(asset_id: int, comment=None):
    anchor = f"comment-{comment.id}" if comment is not None else "discussion"
    return redirect(url_for("content.show", asset_id=asset_id, _anchor=anchor))


def _optional_number(raw: str | None, name: str, message: str) -> int | None:
    """A positive whole number from the form, None when left out; bounded before any query."""
    return text_int(raw, name, message=message)


def _posted_message(comment, mentions: comments.Mentions) -> str:
    message = "Reply posted." if comment.is_reply else "Comment posted."
    told = [user.name for user in mentions.users if user.id != current_user.id]
    if told:
        message += f" Notified: {', '.join(told)}."
    if mentions.unknown:
        handles = ", ".join(f"@{handle}" for handle in mentions.unknown)
        message += f" Not notified: {handles} (nobody who can see this asset goes by that)."
    return message


@bp.post("/assets/<id:asset_id>/comments")
@login_required
def create(asset_id: int):
    asset = get_visible_asset(current_user, asset_id)
    if not form_accepted(EmptyForm()):
        return _asset_page(asset.id)
    with attempt() as outcome:
        parent_id = _optional_number(
            request.form.get("parent_id"), "parent_id", "Choose a comment to reply to."
        )
        number = _optional_number(
            request.form.get("revision"), "revision", "Choose a revision by its number."
        )
        revision = get_revision(asset, current_user, number) if number else None
        comment = comments.add_comment(
            asset, current_user, request.form.get("body", ""), revision, parent_id
        )
    if outcome.refused:
        return _asset_page(asset.id)
    flash(_posted_message(comment, comments.find_mentions(asset, comment.body)), "success")
    return _asset_page(asset.id, comment)


def _change_thread(comment_id: int, change, done: str):
    comment = comments.get_visible_comment(current_user, comment_id)
    press(
        EmptyForm(),
        lambda: change(comment, current_user),
        refusals=(Conflict, PermissionDenied),
        show=flash_summary,
        done=done,
    )
    return _asset_page(comment.asset_id, comment)


@bp.post("/comments/<id:comment_id>/resolve")
@login_required
def resolve(comment_id: int):
    return _change_thread(comment_id, comments.resolve, "Thread resolved.")


@bp.post("/comments/<id:comment_id>/reopen")
@login_required
def reopen(comment_id: int):
    return _change_thread(comment_id, comments.reopen, "Thread reopened.")
