"""Events: what happened in the portal, told to whoever listens (webhook endpoints).

The vocabulary is :data:`EVENTS`, one name per kind of fact a system outside Tandem may
want to hear of. A feature calls :func:`publish` (or :func:`publish_many` for a batch)
inside the transaction of the change it describes; subscribers run in that same
transaction, so what they write is rolled back with a change that is rolled back, and
whatever they send leaves after the commit (as a background job).

Subscribers are installed per application by a feature's ``register(app)`` through
:func:`subscribe`, never by importing a module. Telling subscribers must never break the
change itself: an error in one is logged and the change goes on, except in tests
(``TESTING``), where it is raised so a programming error is seen where it is made.

``data`` is a dict of JSON values (dates and times are written as ISO 8601 by the
subscriber); links in it are absolute, made with :func:`link`.
"""

import logging
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)

# Every event and what it means, in the order the admin page lists them.
EVENTS = {
    "asset.published": "An asset, or a new revision of it, went live in the library.",
    "asset.archived": "An asset was archived: reps no longer see it.",
    "usage.recorded": (
        "Use of an asset was recorded: a view, a download, a share link made, "
        "a buyer's view or a deal it was used in."
    ),
    "share.opened": "A buyer opened a share link or a deal room.",
    "post.approved": "A rep approved a ghost-written post.",
    "deal.updated": (
        "A deal was created or changed: on its page, through the API or by a CRM import."
    ),
    "feedback.created": "A rep or a leader sent field feedback.",
}
# The event an admin sends by hand to try an endpoint; nothing in the portal publishes it.
PING = "ping"

Subscriber = Callable[[str, Sequence[dict[str, Any]]], None]
_KEY = "event_subscribers"


def subscribe(app: Flask, subscriber: Subscriber) -> None:
    """Call ``subscriber(name, items)`` for every event ``app`` publishes, in the
    publishing transaction; ``items`` holds the data of one or more events of that name."""
    subscribers = app.extensions.setdefault(_KEY, [])
    if subscriber not in subscribers:
        subscribers.append(subscriber)


def publish(name: str, data: dict[str, Any]) -> None:
    """Tell the subscribers that the event ``name`` happened, with ``data``."""
    publish_many(name, [data])


def publish_many(name: str, items: Sequence[dict[str, Any]]) -> None:
    """Tell the subscribers of several events of one name at once (a batch of imported
    deals), so that they can write them in a few statements. Raises ValueError for a name
    that is not in EVENTS: a typo fails where it is made."""
    if name not in EVENTS:
        raise ValueError(f"Unknown event {name!r}; known events: {sorted(EVENTS)}")
    if not items or not has_app_context():
        return
    for subscriber in current_app.extensions.get(_KEY, ()):
        try:
            subscriber(name, items)
        except Exception:
            if current_app.testing:
                raise
            log.exception("A subscriber of %s failed; the change goes on without it", name)


def link(path: str) -> str:
    """The absolute address of a site path (``/assets/3``), for systems outside Tandem."""
    return current_app.config["BASE_URL"].rstrip("/") + path
