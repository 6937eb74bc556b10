"""Campaign briefs: marketing tells reps what a campaign is, whom it is for, what to say
and what to send; reps acknowledge the brief and tell marketing how customers react.

A campaign is a draft until its owner (or an admin) publishes it; publishing tells every
active rep, once. Reps see published campaigns that have not ended yet on the library
board. "Current", "upcoming" and "past" are days of the portal's calendar
(TANDEM_TIMEZONE), so a campaign ending today is current until midnight there.

Services flush, never commit: the caller commits once.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload

from content.library.models import Asset, AssetRevision
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, check_text
from portal.kernel.extensions import db
from portal.kernel.models import Role, User, utcnow
from portal.kernel.notifications import notify
from portal.kernel.pagination import Page, paginate
from portal.kernel.permissions import can, get_visible
from portal.kernel.reporting import local_today
from portal.kernel.sql import rows_changed, upsert_insert
from workflows.campaigns.models import Campaign, CampaignRead
from workflows.campaigns.rules import visible_campaigns

NAME_MAX = 200
AUDIENCE_MAX = 500
TEXT_MAX = 20_000
ASSETS_MAX = 20
# The asset picker offers this many live assets, by title.
LINKABLE_MAX = 500
# The board shows this many campaigns; the campaign list has the rest.
HOME_MAX = 6

NAME_MISSING = "Name the campaign."
NAME_TOO_LONG = f"Keep the name to {NAME_MAX} characters or fewer."
STARTS_MISSING = "Say when the campaign starts."
ENDS_MISSING = "Say when the campaign ends."
ENDS_BEFORE_START = "The campaign cannot end before it starts."
AUDIENCE_TOO_LONG = f"Keep the audience to {AUDIENCE_MAX} characters or fewer."
TEXT_TOO_LONG = f"Keep this to {TEXT_MAX:,} characters or fewer."
KEY_MESSAGES_NEEDED = "A published brief needs its key messages: reps read them first."
ASSETS_TOO_MANY = f"Link at most {ASSETS_MAX} assets."
ASSETS_NOT_LIVE = "Link published assets only; one of them is not (any more)."

# (view name, label) of the campaign list; "drafts" is for writers only.
LIST_VIEWS = {"current": "Current", "upcoming": "Upcoming", "past": "Past", "drafts": "Drafts"}


def get_visible_campaign(user: User, campaign_id: int) -> Campaign:
    """The campaign if this user may see it; otherwise NotFound (never a 403)."""
    return get_visible(user, Campaign, campaign_id, "No such campaign.")


Timing = Literal["upcoming", "current", "past"]


def timing(campaign: Campaign, today: date | None = None) -> Timing:
    """ "upcoming", "current" or "past" by the portal's calendar."""
    today = today or local_today()
    if campaign.starts_on > today:
        return "upcoming"
    return "current" if campaign.ends_on >= today else "past"


# ---- writing ---------------------------------------------------------------------------


@dataclass
class CampaignInput:
    """What a marketer submits; assets are ids."""

    name: str
    starts_on: date | None
    ends_on: date | None
    audience: str = ""
    key_messages: str = ""
    talking_points: str = ""
    asset_ids: list[int] = field(default_factory=list)


def _markdown(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _checked(
    writer, data: CampaignInput, kept: frozenset[int] = frozenset()
) -> tuple[dict, list[Asset]]:
    """The cleaned column values and linked assets, or a ValidationFailed naming each bad
    field (name, starts_on, ends_on, audience, key_messages, talking_points, asset_ids).
    ``kept`` are ids already linked, which may stay linked after they stop being live."""
    name = " ".join((data.name or "").split())
    audience = " ".join((data.audience or "").split())
    texts = {
        "key_messages": _markdown(data.key_messages),
        "talking_points": _markdown(data.talking_points),
    }
    values = {
        "name": name,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "audience": audience,
        **texts,
    }
    errors: dict[str, str] = {}
    check_text(errors, "name", name, NAME_MAX, NAME_TOO_LONG, NAME_MISSING)
    if data.starts_on is None:
        errors["starts_on"] = STARTS_MISSING
    if data.ends_on is None:
        errors["ends_on"] = ENDS_MISSING
    elif data.starts_on is not None and data.ends_on < data.starts_on:
        errors["ends_on"] = ENDS_BEFORE_START
    check_text(errors, "audience", audience, AUDIENCE_MAX, AUDIENCE_TOO_LONG)
    for field_name, text in texts.items():
        check_text(errors, field_name, text, TEXT_MAX, TEXT_TOO_LONG)
    assets = _linked_assets(writer, data.asset_ids, kept, errors)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    return values, assets


def _linked_assets(writer, asset_ids: list[int], kept: frozenset[int], errors: dict) -> list[Asset]:
    """The assets chosen, each once. A newly linked one must be live, or reps could not
    open it; one linked before may stay (reps stop seeing it, writers see it flagged), so
    an asset being archived never blocks editing the rest of the brief."""
    ids = list(dict.fromkeys(asset_ids))
    if len(ids) > ASSETS_MAX:
        errors["asset_ids"] = ASSETS_TOO_MANY
        return []
    found = db.session.scalars(select(Asset).where(Asset.id.in_(ids))).all() if ids else []
    assets = [
        asset
        for asset in found
        if (asset.is_live or asset.id in kept) and can(writer, "view", asset)
    ]
    if len(assets) != len(ids):
        errors["asset_ids"] = ASSETS_NOT_LIVE
    return sorted(assets, key=lambda asset: asset.id)


def create_campaign(writer, data: CampaignInput) -> Campaign:
    """Start a draft brief owned by ``writer``; nobody else hears of it until published."""
    if not can(writer, "write_campaigns"):
        raise PermissionDenied("Only marketers write campaign briefs.")
    values, assets = _checked(writer, data)
    campaign = Campaign(**values, owner=writer, status="draft", assets=assets)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def update_campaign(
    campaign: Campaign, editor, data: CampaignInput, based_on: datetime | None
) -> Campaign:
    """Save an edit made on the version of ``campaign`` last changed at ``based_on``.

    A save based on an older version is refused (Conflict) rather than overwriting the
    other editor's words: the check and the claim are one conditional UPDATE.
    """
    if not can(editor, "view", campaign):
        raise NotFound("No such campaign.")
    if not can(editor, "edit", campaign):
        raise PermissionDenied(f"Only {campaign.owner.name}, its owner, and admins edit it.")
    values, assets = _checked(editor, data, frozenset(a.id for a in campaign.assets))
    if campaign.status == "published" and not values["key_messages"]:
        raise ValidationFailed(KEY_MESSAGES_NEEDED, {"key_messages": KEY_MESSAGES_NEEDED})
    claimed = rows_changed(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.updated_at == based_on)
        .values(**values, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(campaign)
    if claimed != 1:
        raise Conflict(
            "Someone saved this campaign while you were editing. Nothing was saved: "
            "open it again and re-apply your changes."
        )
    campaign.assets = assets
    db.session.flush()
    return campaign


def publish_refusal(campaign: Campaign, today: date | None = None) -> str | None:
    """Why the draft cannot go to the field yet, or None when it can."""
    if not campaign.key_messages.strip():
        return "Write the key messages before publishing: they are what reps read first."
    if campaign.ends_on < (today or local_today()):
        return f"The campaign ended on {campaign.ends_on:%-d %b %Y}; change its dates first."
    return None


def publish(campaign: Campaign, publisher) -> Campaign:
    """Publish a draft and tell every active rep, once.

    Draft to published is one conditional UPDATE, so of two people publishing at once
    exactly one does (and notifies); the other gets a Conflict.
    """
    if not can(publisher, "view", campaign):
        raise NotFound("No such campaign.")
    if not can(publisher, "edit", campaign):
        raise PermissionDenied(f"Only {campaign.owner.name}, its owner, and admins publish it.")
    if campaign.status != "draft":
        raise Conflict("This campaign is already published.")
    refusal = publish_refusal(campaign)
    if refusal:
        raise Conflict(refusal)
    claimed = rows_changed(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.status == "draft")
        .values(status="published", published_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(campaign)
    if claimed != 1:
        raise Conflict("This campaign is already published.")
    reps = db.session.scalars(select(User).where(User.role == Role.REP, User.active.is_(True)))
    text = (
        f"{publisher.name} published the campaign brief “{campaign.name}”: "
        "read it before your next call"
    )
    notify(reps, "campaign_published", text, f"/campaigns/{campaign.id}", actor=publisher)
    return campaign


def asset_title(asset: Asset) -> str:
    """The title reps know an asset by; the latest one once it is no longer live."""
    revision = asset.live_revision or asset.latest_revision
    return revision.title if revision is not None else f"Asset {asset.id}"


def linkable_assets(campaign: Campaign | None = None) -> list[Asset]:
    """What a writer may link, by title: every live asset, plus those the campaign already
    links (which may have stopped being live since)."""
    live = db.session.scalars(
        select(Asset)
        .join(AssetRevision, AssetRevision.id == Asset.live_revision_id)
        .where(Asset.live_clause())
        .options(selectinload(Asset.live_revision))
        .order_by(func.lower(AssetRevision.title), Asset.id)
        .limit(LINKABLE_MAX)
    ).all()
    known = {asset.id for asset in live}
    linked = [asset for asset in (campaign.assets if campaign else []) if asset.id not in known]
    return [*linked, *live]


def shown_assets(campaign: Campaign, user: User) -> list[Asset]:
    """The linked assets ``user`` gets to see on the brief: reps only live ones; writers
    every one, so they notice one that went offline."""
    writer = can(user, "write_campaigns")
    return [
        asset for asset in campaign.assets if (asset.is_live or writer) and can(user, "view", asset)
    ]


# ---- reading the brief -------------------------------------------------------------------


def acknowledge(campaign: Campaign, rep: User) -> tuple[CampaignRead, bool]:
    """Record that ``rep`` read the brief. Returns (read, created): acknowledging again,
    from a double click or a second tab, keeps the first read time and adds no row."""
    if not can(rep, "view", campaign):
        raise NotFound("No such campaign.")
    if not can(rep, "acknowledge", campaign):
        raise PermissionDenied("Only reps acknowledge campaign briefs.")
    statement = (
        upsert_insert(CampaignRead)
        .values(campaign_id=campaign.id, user_id=rep.id, read_at=utcnow())
        .on_conflict_do_nothing(index_elements=[CampaignRead.campaign_id, CampaignRead.user_id])
        .returning(CampaignRead.id)
    )
    created = db.session.execute(statement).first() is not None
    read = read_by(campaign, rep)
    assert read is not None, "the upsert above wrote it or found it"
    return read, created


def read_by(campaign: Campaign, user: User) -> CampaignRead | None:
    """``user``'s acknowledgement of the brief, if they gave one."""
    return db.session.scalar(
        select(CampaignRead).where(
            CampaignRead.campaign_id == campaign.id, CampaignRead.user_id == user.id
        )
    )


# ---- lists -------------------------------------------------------------------------------


@dataclass
class HomeCampaign:
    """A card on the library board: the campaign, its timing and the user's read time."""

    campaign: Campaign
    timing: str
    read_at: datetime | None


def home_campaigns(user: User, limit: int = HOME_MAX) -> list[HomeCampaign]:
    """Published campaigns that have not ended, current ones first (two queries)."""
    today = local_today()
    campaigns = db.session.scalars(
        select(Campaign)
        .where(Campaign.status == "published", Campaign.ends_on >= today)
        .order_by(Campaign.starts_on, Campaign.ends_on, Campaign.id)
        .limit(limit)
    ).all()
    reads = _read_times(user, [c.id for c in campaigns])
    return [HomeCampaign(c, timing(c, today), reads.get(c.id)) for c in campaigns]


def _read_times(user: User, campaign_ids: list[int]) -> dict[int, datetime]:
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        select(CampaignRead.campaign_id, CampaignRead.read_at).where(
            CampaignRead.user_id == user.id, CampaignRead.campaign_id.in_(campaign_ids)
        )
    )
    return dict(rows.all())


def list_views(user: User) -> dict[str, str]:
    """The tabs of the campaign list this user has."""
    if can(user, "write_campaigns"):
        return LIST_VIEWS
    return {key: label for key, label in LIST_VIEWS.items() if key != "drafts"}


def parse_view(raw: str | None, user: User) -> str:
    """The list view asked for ("current" when none); an unknown one is a ValidationFailed."""
    view = (raw or "current").strip()
    if view not in list_views(user):
        message = f"Choose one of: {', '.join(list_views(user))}."
        raise ValidationFailed(message, {"show": message})
    return view


def _in_view(user: User, view: str) -> Select:
    today = local_today()
    query = visible_campaigns(user)
    if view == "drafts":
        return query.where(Campaign.status == "draft").order_by(Campaign.updated_at.desc())
    query = query.where(Campaign.status == "published")
    if view == "upcoming":
        return query.where(Campaign.starts_on > today).order_by(Campaign.starts_on)
    if view == "past":
        return query.where(Campaign.ends_on < today).order_by(Campaign.ends_on.desc())
    current = query.where(Campaign.starts_on <= today, Campaign.ends_on >= today)
    return current.order_by(Campaign.ends_on)


def campaign_list(user: User, view: str, page: int, per_page: int, loads: Sequence = ()) -> Page:
    """A page of the campaigns in ``view`` this user may see, as HomeCampaign rows;
    ``loads`` are further loader options for what the caller shows of each campaign."""
    query = _in_view(user, view)
    listed = paginate(
        query,
        page,
        per_page,
        order=(Campaign.id.desc(),),
        options=(selectinload(Campaign.owner), *loads),
    )
    reads = _read_times(user, [c.id for c in listed.items])
    today = local_today()
    rows = [HomeCampaign(c, timing(c, today), reads.get(c.id)) for c in listed.items]
    return replace(listed, items=rows)
