"""Share links: a buyer opens an asset without signing in, and every open is verified
usage of it.

A link's token is 32 random bytes; only its SHA-256 is stored, so the clear link is shown
once, to the person who made it. Buyers' addresses are never stored: an open keeps only a
keyed hash of the address and browser, enough to tell visitors apart. Services flush;
callers commit.
"""

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from content.deals.models import Deal
from content.library.models import Asset, AssetRevision, FileKind
from content.usage.events import record_verified
from content.usage.models import ShareLink, UsageEvent
from portal.kernel import events
from portal.kernel.errors import Conflict, Gone, NotFound, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User, hash_token, utcnow
from portal.kernel.notifications import notify
from portal.kernel.pagination import Page, first_rows, paginate
from portal.kernel.permissions import can, get_visible
from portal.kernel.sql import rows_changed

TOKEN_BYTES = 32
MAX_DAYS = 365
RECIPIENT_MAX = 200
DAYS_INVALID = f"Links last from 1 to {MAX_DAYS} days."
INTERNAL_ONLY = "This asset is internal only: it cannot be shared with buyers."
RECIPIENT_TOO_LONG = f"Keep the recipient under {RECIPIENT_MAX} characters."
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
# Link checkers of mail and chat tools open links before any person does; their opens
# are not a buyer reading the asset.
_ROBOTS = re.compile(
    r"bot|crawl|spider|slurp|preview|scan|monitor|facebookexternalhit|embedly|"
    r"curl|wget|python-requests|headless",
    re.IGNORECASE,
)


def default_days() -> int:
    return current_app.config.get("SHARE_LINK_DAYS", 30)


def check_days(value, invalid: str = DAYS_INVALID) -> int:
    """Days from 1 to MAX_DAYS, from a number or digits; empty is the default. Anything
    else is refused with ``invalid`` on ``expires_in_days`` (deal rooms say "Rooms")."""
    if value is None or value == "":
        return default_days()
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or len(text) > 3:
        raise ValidationFailed(invalid, {"expires_in_days": invalid})
    if not 1 <= int(text) <= MAX_DAYS:
        raise ValidationFailed(invalid, {"expires_in_days": invalid})
    return int(text)


def view_only_by_default(asset: Asset) -> bool:
    """A new link is view only when it would show a deck (a PowerPoint file): decks are
    presented, not handed over. Anything else may be downloaded unless its sharer says."""
    shown = asset.live_revision.file if asset.live_revision is not None else None
    return shown is not None and shown.kind == FileKind.PPTX


def create_link(
    asset: Asset,
    user: User,
    deal: Deal | None = None,
    expires_in_days=None,
    recipient: str | None = "",
    view_only: bool | None = None,
) -> tuple[ShareLink, str]:
    """Make a link to ``asset`` for a buyer, optionally for one of ``user``'s deals.
    ``view_only`` None takes ``view_only_by_default``.

    Returns the link and its clear token (shown once). Making it records a verified
    ``share`` of the asset in the same transaction.
    """
    if not can(user, "view", asset):
        raise NotFound("No such asset.")
    if asset.internal:
        raise Conflict(INTERNAL_ONLY)
    if not can(user, "share", asset):
        raise Conflict("This asset is not in the library any more, so it cannot be shared.")
    if deal is not None and (not can(user, "view", deal) or deal.owner_id != user.id):
        raise NotFound("No such deal.")
    days = check_days(expires_in_days)
    recipient = " ".join((recipient or "").split())
    if len(recipient) > RECIPIENT_MAX:
        raise ValidationFailed(RECIPIENT_TOO_LONG, {"recipient": RECIPIENT_TOO_LONG})
    token = new_token()
    now = utcnow()
    link = ShareLink(
        token_hash=hash_token(token),
        asset=asset,
        revision_id=asset.live_revision_id,
        created_by=user,
        deal=deal,
        recipient=recipient,
        view_only=view_only_by_default(asset) if view_only is None else bool(view_only),
        expires_at=now + timedelta(days=days),
        created_at=now,
    )
    db.session.add(link)
    db.session.flush()
    record_verified(
        "share",
        asset.id,
        user.id,
        deal_id=deal.id if deal else None,
        share_link_id=link.id,
        revision_id=asset.live_revision_id,
        created_at=now,
    )
    return link, token


def new_token() -> str:
    """A fresh clear token for a buyer's link (a share link's or a deal room's)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def well_formed(token) -> bool:
    """Whether ``token`` could be a clear token at all: anything else finds nothing
    without a database lookup."""
    return isinstance(token, str) and bool(_TOKEN.match(token))


def find_by_token(token: str) -> ShareLink | None:
    """The link with this clear token, or None (a malformed token finds nothing)."""
    if not well_formed(token):
        return None
    return db.session.scalar(select(ShareLink).where(ShareLink.token_hash == hash_token(token)))


def shown_revision(link: ShareLink) -> AssetRevision:
    """What the buyer sees: the live revision, or after the asset left the library the
    last one that was live (an archived asset keeps it), else the one shared."""
    asset = link.asset
    live = asset.live_revision if asset.live_revision_id is not None else None
    return live if live is not None else link.revision


class LinkExpired(Gone):
    """Gone, carrying the link, so the buyer's page can say who to ask for a new one."""

    def __init__(self, link: ShareLink):
        super().__init__("This link has expired.")
        self.link = link


def open_link(token: str) -> ShareLink:
    """The link a buyer opened: NotFound for an unknown token, Gone (LinkExpired) for one
    that expired, was revoked, or whose asset passed its hard expiry date or is internal
    (its links are revoked when it turns internal; this holds whatever way it did)."""
    link = find_by_token(token)
    if link is None:
        raise NotFound("No such link.")
    if not link.active or link.asset.expired or link.asset.internal:
        raise LinkExpired(link)
    return link


def is_robot(user_agent: str | None) -> bool:
    """Link checkers and previews, whose opens are not a person reading."""
    return not user_agent or bool(_ROBOTS.search(user_agent))


def visitor_hash(address: str | None, user_agent: str | None) -> str:
    """A keyed hash of the visitor's address and browser: tells visitors apart without
    keeping the address (the key is the app's secret, so it cannot be reversed by
    trying every address)."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{address or ''}|{user_agent or ''}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class BuyerView:
    """A buyer's open of a link, as plain values: it is recorded after the page has been
    sent, when the request's objects are gone."""

    asset_id: int
    credited_to: int
    deal_id: int | None
    share_link_id: int
    revision_id: int
    visitor_hash: str

    def record(self) -> None:
        """A verified ``buyer_view`` of the asset, credited to the link's creator and deal,
        and the ``share.opened`` event."""
        record_verified(
            "buyer_view",
            self.asset_id,
            self.credited_to,
            deal_id=self.deal_id,
            share_link_id=self.share_link_id,
            revision_id=self.revision_id,
            visitor_hash=self.visitor_hash,
        )
        events.publish(
            "share.opened",
            {
                "kind": "share_link",
                "opened_at": utcnow(),
                "share_link": {
                    "id": self.share_link_id,
                    "url": events.link(f"/share-links/{self.share_link_id}"),
                },
                "asset": {"id": self.asset_id, "url": events.link(f"/assets/{self.asset_id}")},
                "deal_id": self.deal_id,
                "shared_by_id": self.credited_to,
            },
        )


def buyer_view(link: ShareLink, visitor: str) -> BuyerView:
    """The open of ``link`` by the visitor ``visitor`` (see ``visitor_hash``)."""
    return BuyerView(
        link.asset_id, link.created_by_id, link.deal_id, link.id, shown_revision(link).id, visitor
    )


def record_buyer_view(link: ShareLink, visitor: str) -> None:
    """A buyer opened the link: a verified ``buyer_view`` of the asset, credited to the
    link's creator and deal."""
    buyer_view(link, visitor).record()


def revoke(link: ShareLink, user: User) -> bool:
    """Stop the link working now; returns False when it was revoked already."""
    if not can(user, "revoke", link):
        raise NotFound("No such link.")
    now = utcnow()
    done = rows_changed(
        update(ShareLink)
        .where(ShareLink.id == link.id, ShareLink.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(link)
    return done == 1


def revoke_all(asset: Asset, user: User) -> int:
    """The owner takes back every working link to their asset; returns how many."""
    if not can(user, "revoke_links", asset):
        raise NotFound("No such asset.")
    now = utcnow()
    return rows_changed(
        update(ShareLink)
        .where(
            ShareLink.asset_id == asset.id,
            ShareLink.revoked_at.is_(None),
            ShareLink.expires_at > now,
        )
        .values(revoked_at=now, revoked_by_id=user.id)
        .execution_options(synchronize_session=False)
    )


def stop_links_to_internal(asset: Asset, actor: User) -> None:
    """``asset`` turned internal: revoke every working link to it and tell each link's
    maker once how many of theirs stopped. Turning it external again revives none."""
    if not asset.internal:
        return
    now = utcnow()
    makers = db.session.scalars(
        update(ShareLink)
        .where(
            ShareLink.asset_id == asset.id,
            ShareLink.revoked_at.is_(None),
            ShareLink.expires_at > now,
        )
        .values(revoked_at=now, revoked_by_id=actor.id)
        .returning(ShareLink.created_by_id)
        .execution_options(synchronize_session=False)
    ).all()
    stopped: dict[int, int] = {}
    for maker_id in makers:
        stopped[maker_id] = stopped.get(maker_id, 0) + 1
    if not stopped:
        return
    title = asset.latest_revision.title if asset.latest_revision else "An asset"
    for maker_id, count in sorted(stopped.items()):
        noun = "share link" if count == 1 else "share links"
        text = (
            f"“{title}” is now internal only: {count} of your {noun} to it stopped "
            "working, and buyers who open them are asked to contact you."
        )
        maker = db.session.get(User, maker_id)
        notify(maker, "links_stopped", text, f"/assets/{asset.id}", actor=actor)


def active_link_count(asset: Asset) -> int:
    count = db.session.scalar(
        select(func.count(ShareLink.id)).where(
            ShareLink.asset_id == asset.id,
            ShareLink.revoked_at.is_(None),
            ShareLink.expires_at > utcnow(),
        )
    )
    return count or 0


# ---- who opened what ---------------------------------------------------------------------


@dataclass
class LinkStats:
    link: ShareLink
    opens: int = 0
    visitors: int = 0
    first_opened_at: datetime | None = None
    last_opened_at: datetime | None = None


def _stats(links: Sequence[ShareLink]) -> list[LinkStats]:
    ids = [link.id for link in links]
    rows = {}
    if ids:
        rows = {
            row[0]: row[1:]
            for row in db.session.execute(
                select(
                    UsageEvent.share_link_id,
                    func.count(UsageEvent.id),
                    func.count(func.distinct(UsageEvent.visitor_hash)),
                    func.min(UsageEvent.created_at),
                    func.max(UsageEvent.created_at),
                )
                .where(UsageEvent.kind == "buyer_view", UsageEvent.share_link_id.in_(ids))
                .group_by(UsageEvent.share_link_id)
            )
        }
    return [LinkStats(link, *rows.get(link.id, ())) for link in links]


_LINK_LOADS = (
    selectinload(ShareLink.asset).selectinload(Asset.live_revision),
    selectinload(ShareLink.revision),
    selectinload(ShareLink.deal),
    selectinload(ShareLink.created_by),
)


_NEWEST = (ShareLink.created_at.desc(), ShareLink.id.desc())


def _page(query, page: int, per_page: int) -> Page:
    links = paginate(query, page, per_page, order=_NEWEST, options=_LINK_LOADS)
    links.items = _stats(links.items)
    return links


def links_by(user: User, page: int = 1, per_page: int = 20) -> Page:
    """The links ``user`` made, newest first, with their opens."""
    return _page(select(ShareLink).where(ShareLink.created_by_id == user.id), page, per_page)


def links_to(asset: Asset, user: User, shown: int) -> Page:
    """The first links ``user`` made to ``asset``, for its page. The asset and its maker
    are loaded already, and a link's revision is most often the page's own."""
    query = select(ShareLink).where(
        ShareLink.created_by_id == user.id, ShareLink.asset_id == asset.id
    )
    links = first_rows(query, shown, order=_NEWEST, options=(selectinload(ShareLink.deal),))
    links.items = _stats(links.items)
    return links


def links_for_deal(deal: Deal, user: User) -> Sequence[LinkStats]:
    """The links made for ``deal``, newest first, with their opens."""
    if not can(user, "view", deal):
        raise NotFound("No such deal.")
    return _page(select(ShareLink).where(ShareLink.deal_id == deal.id), 1, 100).items


def get_link(user: User, link_id: int) -> ShareLink:
    return get_visible(user, ShareLink, link_id, "No such link.")


def link_stats(link: ShareLink) -> LinkStats:
    return _stats([link])[0]


def opens(link: ShareLink, page: int = 1, per_page: int = 20) -> Page:
    """Each time a buyer opened the link, newest first; visitors are numbered in the
    order they first came."""
    query = select(UsageEvent).where(
        UsageEvent.kind == "buyer_view", UsageEvent.share_link_id == link.id
    )
    return paginate(
        query, page, per_page, order=(UsageEvent.created_at.desc(), UsageEvent.id.desc())
    )


def visitor_numbers(link: ShareLink) -> dict[str | None, int]:
    """Visitor hash -> 1, 2, 3… in the order of their first open."""
    rows = db.session.execute(
        select(UsageEvent.visitor_hash, func.min(UsageEvent.id))
        .where(UsageEvent.kind == "buyer_view", UsageEvent.share_link_id == link.id)
        .group_by(UsageEvent.visitor_hash)
        .order_by(func.min(UsageEvent.id))
    ).all()
    return {visitor: number for number, (visitor, _first) in enumerate(rows, start=1)}
