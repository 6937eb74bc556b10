"""Who hears about each step of an asset's review, in the app and by email.

The review feature installs them as hooks of the state machine and of invitations, so
every way of taking a step (page, API, seeding) tells the same people. Notifications are
written in the step's transaction: a refused or rolled-back step tells nobody.
"""

import re

from sqlalchemy import select, update

from content.library.models import Asset, AssetRevision
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from portal.kernel.notifications import MAX_TEXT, Notification, notify
from portal.kernel.sql import rows_changed
from workflows.review import collaborators
from workflows.review import policy as review


def _title(asset: Asset) -> str:
    return asset.latest_revision.title if asset.latest_revision else f"asset {asset.id}"


# Paths, not url_for: steps are also taken outside requests (seeding, the CLI, workers).
def _page(asset: Asset) -> str:
    return f"/assets/{asset.id}"


def review_link(asset: Asset) -> str:
    """Where a reviewer starts: what changed since the live revision, or the whole draft
    when nothing is live yet."""
    live, latest = asset.live_revision, asset.latest_revision
    if live is None or latest is None or live.id == latest.id:
        return _page(asset)
    return f"/assets/{asset.id}/diff?from={live.number}&to={latest.number}"


def _people(asset: Asset, role: str | None = None) -> list:
    return [c.user for c in asset.collaborators if role is None or c.role == role]


def _authors(asset: Asset) -> list:
    return [asset.owner, *_people(asset, "author")]


def _notice(asset: Asset, actor: User, event) -> tuple[list, str, str, str] | None:
    """Who hears of the step ``event``, the kind of notice, its words and its link; None
    when the step tells nobody."""
    title, name, page = _title(asset), actor.name, _page(asset)
    if event.action == "submit":
        text = f"{name} asks for your review of “{title}”"
        return _people(asset, "reviewer"), "review_requested", text, review_link(asset)
    if event.action == "request_changes":
        text = f"{name} requested changes to “{title}”: {event.comment}"
        return _authors(asset), "changes_requested", text, page
    if event.action == "approve" and event.to_state == "approved":
        text = f"“{title}” has every sign-off it needs and can be published"
        return _authors(asset), "approved", text, page
    if event.action == "approve":
        waiting = " and ".join(review.missing_sides(asset))
        text = f"{name} approved “{title}”; still waiting for a {waiting} approval"
        return [asset.owner], "approved", text, page
    if event.action == "publish":
        text = f"{name} published revision {event.revision_number} of “{title}”"
        return [asset.owner, *_people(asset)], "published", text, page
    return None


def tell_about_transition(asset: Asset, actor: User, event) -> None:
    notice = _notice(asset, actor, event)
    if notice is not None:
        people, kind, text, link = notice
        notify(people, kind, text, link, actor=actor)


def tell_the_invited(collaborator, actor: User) -> None:
    asset = collaborator.asset
    role = collaborators.ROLE_LABELS[collaborator.role].lower()
    notify(
        [collaborator.user],
        "invited",
        f"{actor.name} invited you as {role} on “{_title(asset)}”",
        _page(asset),
        actor=actor,
    )


# ---- edits by co-authors ----------------------------------------------------------------

EDITED = "draft_edited"
_EDITS_SINCE = re.compile(r"from=(\d+)&to=\d+$")


def tell_about_edit(asset: Asset, editor: User, revision: AssetRevision) -> None:
    """Tell the owner and the other co-authors that someone else saved the draft.

    Batched: each of them has at most one unread notice per asset, which every further
    save brings up to date (the latest editor and time, how many saves, and a link to
    everything that changed since the first of them); once read, the next save tells
    them again. Runs in the save's transaction after its claim on the asset row
    (content.library.services.revise_asset), which makes saves of one asset wait for
    each other: two saves cannot both find no notice and both add one.
    """
    if editor.id == asset.owner_id:
        return
    for person in _authors(asset):
        if person.id != editor.id and not _update_unread(person, asset, editor, revision):
            since = revision.number - 1
            link = f"/assets/{asset.id}/diff?from={since}&to={revision.number}"
            notify(person, EDITED, _edited_text(editor, revision, 1), link, actor=editor)


def _edited_text(editor: User, revision: AssetRevision, saves: int) -> str:
    if saves == 1:
        text = f"{editor.name} edited “{revision.title}”"
    else:
        text = f"“{revision.title}” was edited {saves} times, last by {editor.name}"
    return text[:MAX_TEXT]


def _update_unread(person: User, asset: Asset, editor: User, revision: AssetRevision) -> bool:
    """Bring ``person``'s unread notice of edits to ``asset`` up to date; False when they
    have none (or read it a moment ago: the UPDATE only touches it while unread)."""
    unread = db.session.execute(
        select(Notification.id, Notification.link).where(
            Notification.user_id == person.id,
            Notification.kind == EDITED,
            Notification.read_at.is_(None),
            Notification.link.startswith(f"/assets/{asset.id}/diff?", autoescape=True),
        )
    ).first()
    found = _EDITS_SINCE.search(unread.link) if unread else None
    if unread is None or found is None:
        return False
    since = int(found.group(1))
    changed = rows_changed(
        update(Notification)
        .where(Notification.id == unread.id, Notification.read_at.is_(None))
        .values(
            text=_edited_text(editor, revision, revision.number - since),
            link=f"/assets/{asset.id}/diff?from={since}&to={revision.number}",
            actor_id=editor.id,
            created_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return changed == 1
