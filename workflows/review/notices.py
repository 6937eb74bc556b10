"""Who hears about each step of an asset's review, in the app and by email.

The review feature installs them as hooks of the state machine and of invitations, so
every way of taking a step (page, API, seeding) tells the same people. Notifications are
written in the step's transaction: a refused or rolled-back step tells nobody.
"""

from content.library.models import Asset
from portal.kernel.models import User
from portal.kernel.notifications import notify
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


def tell_about_transition(asset: Asset, actor: User, event) -> None:
    title, name = _title(asset), actor.name
    if event.action == "submit":
        notify(
            _people(asset, "reviewer"),
            "review_requested",
            f"{name} asks for your review of “{title}”",
            review_link(asset),
            actor=actor,
        )
    elif event.action == "request_changes":
        notify(
            _authors(asset),
            "changes_requested",
            f"{name} requested changes to “{title}”: {event.comment}",
            _page(asset),
            actor=actor,
        )
    elif event.action == "approve" and event.to_state == "approved":
        notify(
            _authors(asset),
            "approved",
            f"“{title}” has every sign-off it needs and can be published",
            _page(asset),
            actor=actor,
        )
    elif event.action == "approve":
        waiting = " and ".join(review.missing_sides(asset))
        notify(
            [asset.owner],
            "approved",
            f"{name} approved “{title}”; still waiting for a {waiting} approval",
            _page(asset),
            actor=actor,
        )
    elif event.action == "publish":
        notify(
            [asset.owner, *_people(asset)],
            "published",
            f"{name} published revision {event.revision_number} of “{title}”",
            _page(asset),
            actor=actor,
        )


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
