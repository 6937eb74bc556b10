"""Usage events: views, downloads and deals an asset was used in.

Views and downloads are recorded by the pages that serve them and are ``verified`` (Tandem
saw them happen). A rep attaching an asset to one of their deals is ``self_reported``; a
CRM sending the same fact is ``imported``. Share links and buyer views live in
content.usage.share_links. Services flush; callers commit.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from content.deals.models import Deal
from content.library.models import Asset, AssetRevision
from content.usage.models import RANKED_KINDS, USED_IN_DEAL_INDEX_WHERE, AssetViewMark, UsageEvent
from content.usage.signals import signal_changed
from portal.kernel import events
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from portal.kernel.pagination import Page, paginate
from portal.kernel.permissions import can
from portal.kernel.sql import upsert_insert

log = logging.getLogger(__name__)

# Opening the same asset again within this window is the same visit.
VIEW_WINDOW = timedelta(minutes=30)
NOTE_MAX = 500
NOTE_TOO_LONG = f"Keep the note under {NOTE_MAX} characters."
_USED_IN_DEAL = UsageEvent.kind == "used_in_deal"


def publish_usage(event_id: int, values: dict) -> None:
    """Publish ``usage.recorded`` for the usage event ``event_id`` written with ``values``:
    what was used, how it is known, by whom and for which deal, link or room; never the
    buyer's visitor hash."""
    asset_id = values["asset_id"]
    events.publish(
        "usage.recorded",
        {
            "usage": {
                "id": event_id,
                "kind": values["kind"],
                "evidence": values["evidence"],
                "created_at": values["created_at"],
                "user_id": values.get("user_id"),
                "deal_id": values.get("deal_id"),
                "share_link_id": values.get("share_link_id"),
                "room_id": values.get("room_id"),
            },
            "asset": {"id": asset_id, "url": events.link(f"/assets/{asset_id}")},
        },
    )


def _insert_event(**values) -> int:
    """Insert one usage event; returns its id. Ranked kinds re-rank the asset."""
    values.setdefault("created_at", utcnow())
    event_id = db.session.execute(
        upsert_insert(UsageEvent).values(**values).returning(UsageEvent.id)
    ).scalar_one()
    if values["kind"] in RANKED_KINDS:
        signal_changed(values["asset_id"])
    publish_usage(event_id, values)
    return event_id


def record_verified(kind: str, asset_id: int, user_id: int, **values) -> int:
    """Record usage Tandem saw happen (a view, a download, a share, a buyer opening a
    link), credited to ``user_id``; returns the event's id."""
    return _insert_event(
        asset_id=asset_id, kind=kind, evidence="verified", user_id=user_id, **values
    )


def record_view(asset: Asset, user: User, now: datetime | None = None) -> bool:
    """Count ``user`` opening a live asset's page, unless their last counted view of it is
    less than 30 minutes old. Returns True when the view counted.

    The window is claimed with one upsert on (user, asset) that only moves the mark when
    it is older than the window, so simultaneous opens count once.
    """
    if not asset.is_live:
        return False  # drafts are work, not usage
    now = now or utcnow()
    statement = upsert_insert(AssetViewMark).values(
        user_id=user.id, asset_id=asset.id, counted_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=[AssetViewMark.user_id, AssetViewMark.asset_id],
        set_={"counted_at": now},
        where=AssetViewMark.counted_at <= now - VIEW_WINDOW,
    ).returning(AssetViewMark.user_id)
    if db.session.execute(statement).first() is None:
        return False
    record_verified("view", asset.id, user.id, revision_id=asset.live_revision_id, created_at=now)
    return True


def record_download(asset: Asset, user: User, revision: AssetRevision) -> None:
    """A signed-in user downloaded the file of a live revision (previews do not count)."""
    if revision.id != asset.live_revision_id or not asset.is_live:
        return  # authors fetching a draft's file are not using content
    record_verified("download", asset.id, user.id, revision_id=revision.id)


def record_quietly(description: str, record: Callable[[], object]) -> None:
    """Run ``record`` and commit it in its own transaction; on any failure log it and roll
    back. Recording usage must never break or hold up the page the reader asked for, so
    callers run this after the page's own work is done."""
    try:
        record()
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("Could not record %s; the page was served without it", description)


# ---- used in a deal ----------------------------------------------------------------------


def _note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(NOTE_TOO_LONG, {"note": NOTE_TOO_LONG})
    return note


def attachment(deal: Deal, asset: Asset) -> UsageEvent | None:
    """The event that attached ``asset`` to ``deal``, if any."""
    return db.session.scalar(
        select(UsageEvent).where(
            _USED_IN_DEAL, UsageEvent.deal_id == deal.id, UsageEvent.asset_id == asset.id
        )
    )


def _attach(deal: Deal, asset: Asset, user_id: int, evidence: str, note: str):
    """Insert the attachment unless the asset is attached already: (event, created)."""
    values = {
        "asset_id": asset.id,
        "kind": "used_in_deal",
        "evidence": evidence,
        "user_id": user_id,
        "deal_id": deal.id,
        "revision_id": asset.live_revision_id,
        "note": note,
        "created_at": utcnow(),
    }
    statement = (
        upsert_insert(UsageEvent)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=[UsageEvent.deal_id, UsageEvent.asset_id],
            index_where=USED_IN_DEAL_INDEX_WHERE,
        )
        .returning(UsageEvent.id)
    )
    inserted = db.session.execute(statement).first()
    if inserted is not None:
        signal_changed(asset.id)
        publish_usage(inserted.id, values)
    return attachment(deal, asset), inserted is not None


def attach_to_deal(
    asset: Asset, user: User, deal: Deal, note: str | None = ""
) -> tuple[UsageEvent, bool]:
    """The rep says ``asset`` was used in their ``deal`` (self-reported).

    Returns (event, created): attaching an asset twice keeps the first record, so a
    double click or a retried API call never counts twice.
    """
    if not can(user, "view", asset):
        raise NotFound("No such asset.")
    if not can(user, "view", deal) or deal.owner_id != user.id:
        raise NotFound("No such deal.")
    if not can(user, "attach_to_deal", asset):
        if not asset.is_live:
            raise Conflict("Only published assets can be attached to a deal.")
        raise PermissionDenied("Only the rep who owns a deal attaches content to it.")
    return _attach(deal, asset, user.id, "self_reported", _note(note))


def importable_assets(user: User, asset_ids: list[int]) -> list[Asset]:
    """The assets with these ids, in the order given, when each is live and visible to
    ``user``; otherwise a ValidationFailed naming every id that is not (unknown, hidden
    from them or not published), before anything is written."""
    found = {
        asset.id: asset
        for asset in db.session.scalars(select(Asset).where(Asset.id.in_(asset_ids)))
    }
    refused = [
        str(asset_id)
        for asset_id in asset_ids
        if asset_id not in found
        or not can(user, "view", found[asset_id])
        or not found[asset_id].is_live
    ]
    if refused:
        message = f"No published asset has the id {', '.join(refused)}."
        raise ValidationFailed(message, {"asset_ids": message})
    return [found[asset_id] for asset_id in asset_ids]


def import_attachment(asset: Asset, deal: Deal, note: str = "") -> tuple[UsageEvent, bool]:
    """The CRM says ``asset`` was used in ``deal`` (imported). The caller has checked that
    it may write the deal."""
    return _attach(deal, asset, deal.owner_id, "imported", _note(note))


def detach_from_deal(asset: Asset, user: User, deal: Deal) -> bool:
    """The rep takes back their claim that ``asset`` was used in ``deal``. Returns False
    when it was not attached. Imported attachments belong to the CRM and stay."""
    if not can(user, "edit", deal):
        raise NotFound("No such deal.")
    event = attachment(deal, asset)
    if event is None:
        return False
    if event.evidence == "imported":
        raise Conflict("This attachment came from the CRM; change it there.")
    db.session.execute(delete(UsageEvent).where(UsageEvent.id == event.id))
    signal_changed(asset.id)
    return True


# What a deal's list of attachments shows of each: the asset's title, who attached it.
_ATTACHMENT_LOADS = (
    selectinload(UsageEvent.asset).selectinload(Asset.live_revision),
    selectinload(UsageEvent.asset).selectinload(Asset.latest_revision),
    selectinload(UsageEvent.user),
)
_NEWEST_FIRST = (UsageEvent.created_at.desc(), UsageEvent.id.desc())


def attached_assets(deal: Deal) -> Sequence[UsageEvent]:
    """The deal's attachments, newest first, with their assets loaded."""
    return db.session.scalars(
        select(UsageEvent)
        .where(_USED_IN_DEAL, UsageEvent.deal_id == deal.id)
        .options(*_ATTACHMENT_LOADS)
        .order_by(*_NEWEST_FIRST)
    ).all()


def attached_page(deal: Deal, page: int, per_page: int) -> Page:
    """One page of the deal's attachments, newest first, for the deal page."""
    query = select(UsageEvent).where(_USED_IN_DEAL, UsageEvent.deal_id == deal.id)
    return paginate(query, page, per_page, order=_NEWEST_FIRST, options=_ATTACHMENT_LOADS)


def attachments_by_deal(deal_ids: list[int]) -> dict[int, list[UsageEvent]]:
    """Each deal's attachments, newest first, in one query for a whole page of deals."""
    found: dict[int, list[UsageEvent]] = {deal_id: [] for deal_id in deal_ids}
    if deal_ids:
        for event in db.session.scalars(
            select(UsageEvent)
            .where(_USED_IN_DEAL, UsageEvent.deal_id.in_(deal_ids))
            .options(*_ATTACHMENT_LOADS)
            .order_by(*_NEWEST_FIRST)
        ):
            assert event.deal_id is not None, "the query keeps events of the given deals"
            found[event.deal_id].append(event)
    return found


# ---- how an asset is used ----------------------------------------------------------------


@dataclass
class UsageSummary:
    """Counts per kind and evidence for one asset, for its authors and leaders."""

    counts: dict[tuple[str, str], int]
    deals: int
    deals_won: int
    readers: int
    last_used_at: datetime | None

    def count(self, kind: str, evidence: str | None = None) -> int:
        return sum(
            number
            for (k, e), number in self.counts.items()
            if k == kind and (evidence is None or e == evidence)
        )

    @property
    def empty(self) -> bool:
        return not self.counts


def usage_summary(asset: Asset, user: User) -> UsageSummary:
    """How ``asset`` has been used, all time: per kind and evidence, distinct deals (and
    won among them), distinct readers and the last use."""
    if not can(user, "view_usage", asset):
        raise NotFound("No such asset.")
    counts = {
        (kind, evidence): number
        for kind, evidence, number in db.session.execute(
            select(UsageEvent.kind, UsageEvent.evidence, func.count(UsageEvent.id))
            .where(UsageEvent.asset_id == asset.id)
            .group_by(UsageEvent.kind, UsageEvent.evidence)
        )
    }
    deals = select(UsageEvent.deal_id).where(UsageEvent.asset_id == asset.id, _USED_IN_DEAL)
    of_asset = UsageEvent.asset_id == asset.id
    deals_won, readers, last = db.session.execute(
        select(
            select(func.count(Deal.id))
            .where(Deal.id.in_(deals), Deal.status == "won")
            .scalar_subquery(),
            select(func.count(func.distinct(UsageEvent.user_id)))
            .where(of_asset, UsageEvent.kind == "view")
            .scalar_subquery(),
            select(func.max(UsageEvent.created_at))
            .where(of_asset, UsageEvent.kind != "view")
            .scalar_subquery(),
        )
    ).one()
    return UsageSummary(
        counts=counts,
        deals=sum(n for (kind, _e), n in counts.items() if kind == "used_in_deal"),
        deals_won=deals_won or 0,
        readers=readers or 0,
        last_used_at=last,
    )
