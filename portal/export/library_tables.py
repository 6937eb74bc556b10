"""The export's files about content and its use: assets, revisions, usage events,
ratings and share-link opens. Each keeps the rows of assets the reader may see."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, Select, or_, select
from sqlalchemy.orm import aliased

from content.library.models import (
    Asset,
    AssetCollaborator,
    AssetRevision,
    ContentType,
    Industry,
    Persona,
    Stage,
    StoredFile,
    Tag,
    asset_industries,
    asset_personas,
    asset_stages,
    asset_tags,
)
from content.usage.models import Rating, ShareLink, UsageEvent, UsageKind
from portal.export.table import Scope, Table
from portal.kernel.extensions import db
from portal.kernel.models import User

Latest = aliased(AssetRevision, name="latest")
Live = aliased(AssetRevision, name="live")
Owner = aliased(User, name="owner")
# Each taxonomy an asset is filed under: its link table, the link's column and the term.
_TERMS = (
    (asset_stages, asset_stages.c.stage_id, Stage),
    (asset_personas, asset_personas.c.persona_id, Persona),
    (asset_industries, asset_industries.c.industry_id, Industry),
    (asset_tags, asset_tags.c.tag_id, Tag),
)


def _invited(scope: Scope) -> set[int] | None:
    """The assets whose work in progress the reader sees (None: every asset)."""
    if scope.may("view_drafts"):
        return None
    assert scope.user is not None
    return set(
        db.session.scalars(
            select(AssetCollaborator.asset_id).where(AssetCollaborator.user_id == scope.user.id)
        )
    )


def _assets(scope: Scope) -> Select:
    return (
        select(
            Asset.id,
            Latest.title,
            Live.title,
            Asset.status,
            Asset.audience,
            ContentType.slug,
            Asset.owner_id,
            Owner.email,
            Asset.live_revision_id,
            Asset.latest_revision_id,
            Asset.review_by,
            Asset.expires_on,
            Asset.created_at,
            Asset.updated_at,
            Asset.published_at,
            Asset.archived_at,
        )
        .join(Owner, Owner.id == Asset.owner_id)
        .outerjoin(Latest, Latest.id == Asset.latest_revision_id)
        .outerjoin(Live, Live.id == Asset.live_revision_id)
        .outerjoin(ContentType, ContentType.id == Asset.content_type_id)
        .where(*scope.of_visible_assets(Asset.id))
    )


def _terms_of(asset_ids: list[int]) -> list[dict[int, list[str]]]:
    """For each taxonomy, the slugs of each asset's terms (one query per taxonomy)."""
    found = []
    for link, term_id, term in _TERMS:
        slugs: dict[int, list[str]] = defaultdict(list)
        rows = db.session.execute(
            select(link.c.asset_id, term.slug)
            .join(term, term.id == term_id)
            .where(link.c.asset_id.in_(asset_ids))
            .order_by(term.slug)
        )
        for asset_id, slug in rows:
            slugs[asset_id].append(slug)
        found.append(slugs)
    return found


def _asset_rows(scope: Scope, rows: Sequence[Row]) -> Iterable[Sequence[Any]]:
    """An asset reads as its latest revision to those who see work in progress, and as
    what is live to everyone else; its terms are joined with "; "."""
    invited = _invited(scope)
    terms = _terms_of([row[0] for row in rows])
    for asset_id, latest, live, *rest in rows:
        sees_latest = invited is None or asset_id in invited
        values = list(rest)
        if not sees_latest:
            values[6] = values[5]  # the latest revision they may read is the live one
        lists = ["; ".join(slugs.get(asset_id, ())) for slugs in terms]
        yield [asset_id, latest if sees_latest else live, *values[:5], *lists, *values[5:]]


ASSETS = Table(
    "assets.csv",
    "Every asset's metadata (no file bytes): its title as the reader sees it, state, "
    "audience, owner, taxonomy and dates.",
    (
        "asset_id",
        "title",
        "status",
        "audience",
        "content_type",
        "owner_id",
        "owner_email",
        "stages",
        "personas",
        "industries",
        "tags",
        "live_revision_id",
        "latest_revision_id",
        "review_by",
        "expires_on",
        "created_at",
        "updated_at",
        "published_at",
        "archived_at",
    ),  # fmt: skip
    Asset.id,
    _assets,
    _asset_rows,
)


def _revisions(scope: Scope) -> Select:
    query = (
        select(
            AssetRevision.id,
            AssetRevision.asset_id,
            AssetRevision.number,
            AssetRevision.title,
            AssetRevision.summary,
            AssetRevision.note,
            AssetRevision.audience,
            AssetRevision.author_id,
            User.email,
            AssetRevision.file_id,
            StoredFile.original_name,
            StoredFile.kind,
            StoredFile.size,
            StoredFile.sha256,
            AssetRevision.created_at,
        )
        .join(User, User.id == AssetRevision.author_id)
        .outerjoin(StoredFile, StoredFile.id == AssetRevision.file_id)
        .where(*scope.of_visible_assets(AssetRevision.asset_id))
    )
    invited = _invited(scope)
    if invited is None:
        return query
    # Readers who see only what is live read an asset's live revision, not its history.
    live = select(Asset.live_revision_id).where(Asset.live_clause())
    return query.where(or_(AssetRevision.asset_id.in_(invited), AssetRevision.id.in_(live)))


REVISIONS = Table(
    "revisions.csv",
    "Each revision's metadata: number, title, summary, note, audience, author and the "
    "stored file's name, kind, size and SHA-256 (not its bytes).",
    (
        "revision_id",
        "asset_id",
        "number",
        "title",
        "summary",
        "note",
        "audience",
        "author_id",
        "author_email",
        "file_id",
        "file_name",
        "file_kind",
        "file_size",
        "file_sha256",
        "created_at",
    ),  # fmt: skip
    AssetRevision.id,
    _revisions,
)


def _usage(scope: Scope) -> Select:
    return (
        select(
            UsageEvent.id,
            UsageEvent.asset_id,
            UsageEvent.kind,
            UsageEvent.evidence,
            UsageEvent.user_id,
            User.email,
            UsageEvent.deal_id,
            UsageEvent.share_link_id,
            UsageEvent.room_id,
            UsageEvent.revision_id,
            UsageEvent.note,
            UsageEvent.created_at,
        )
        .outerjoin(User, User.id == UsageEvent.user_id)
        .where(*scope.of_visible_assets(UsageEvent.asset_id))
    )


USAGE_EVENTS = Table(
    "usage_events.csv",
    "Every view, download, share, buyer view and use in a deal, with its evidence: "
    "verified (seen by Tandem), self_reported (a rep said so) or imported (from the CRM).",
    (
        "event_id",
        "asset_id",
        "kind",
        "evidence",
        "user_id",
        "user_email",
        "deal_id",
        "share_link_id",
        "room_id",
        "revision_id",
        "note",
        "created_at",
    ),  # fmt: skip
    UsageEvent.id,
    _usage,
)


def _ratings(scope: Scope) -> Select:
    return (
        select(
            Rating.id,
            Rating.asset_id,
            Rating.user_id,
            User.email,
            Rating.stars,
            Rating.comment,
            Rating.created_at,
            Rating.updated_at,
        )
        .join(User, User.id == Rating.user_id)
        .where(*scope.of_visible_assets(Rating.asset_id))
    )


RATINGS = Table(
    "ratings.csv",
    "Each person's 1–5 star rating of an asset, with its comment.",
    (
        "rating_id",
        "asset_id",
        "user_id",
        "user_email",
        "stars",
        "comment",
        "created_at",
        "updated_at",
    ),  # fmt: skip
    Rating.id,
    _ratings,
)


def _share_link_opens(scope: Scope) -> Select:
    query = (
        select(
            UsageEvent.id,
            UsageEvent.share_link_id,
            ShareLink.asset_id,
            ShareLink.revision_id,
            ShareLink.deal_id,
            ShareLink.created_by_id,
            User.email,
            ShareLink.recipient,
            ShareLink.view_only,
            ShareLink.created_at,
            ShareLink.expires_at,
            ShareLink.revoked_at,
            UsageEvent.created_at,
        )
        .join(ShareLink, ShareLink.id == UsageEvent.share_link_id)
        .join(User, User.id == ShareLink.created_by_id)
        .where(UsageEvent.kind == UsageKind.BUYER_VIEW)
        .where(*scope.of_visible_assets(ShareLink.asset_id))
    )
    if scope.user is None or scope.user.is_admin:
        return query
    # A link is its maker's and its asset owner's to see (and an admin's), as on its page.
    owned = select(Asset.id).where(Asset.owner_id == scope.user.id)
    return query.where(or_(ShareLink.created_by_id == scope.user.id, ShareLink.asset_id.in_(owned)))


SHARE_LINK_OPENS = Table(
    "share_link_opens.csv",
    "Each time a buyer opened a share link, with the link: its asset, deal, maker, "
    "recipient and dates.",
    (
        "event_id",
        "share_link_id",
        "asset_id",
        "revision_id",
        "deal_id",
        "link_created_by_id",
        "link_created_by_email",
        "recipient",
        "view_only",
        "link_created_at",
        "link_expires_at",
        "link_revoked_at",
        "opened_at",
    ),  # fmt: skip
    UsageEvent.id,
    _share_link_opens,
)
