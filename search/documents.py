"""Turning assets in the database into search documents."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from content.library.markdown import plain_text
from content.library.models import Asset, AssetRevision, StoredFile
from content.usage.signals import NO_SIGNALS, Signals, signals_for
from portal.kernel.extensions import db
from search.backend import SearchDocument


def _document(asset: Asset, signals: Signals) -> SearchDocument | None:
    # Readers find what they would see: the live words of a published asset, the latest
    # words of a draft. (An asset past its expiry date keeps its live words: readers no
    # longer find it, which the search filter decides on the day.)
    live = asset.live_revision_id is not None and asset.status != "archived"
    revision = asset.live_revision if live else asset.latest_revision
    if revision is None:
        return None
    stored = revision.file
    return SearchDocument(
        asset_id=asset.id,
        title=revision.title,
        summary=revision.summary or "",
        # Revisions saved before body_text existed have none stored.
        body=revision.body_text if revision.body_text is not None else plain_text(revision.body),
        file_text=(stored.extracted_text or "") if stored else "",
        stages=[s.slug for s in asset.stages],
        personas=[p.slug for p in asset.personas],
        industries=[i.slug for i in asset.industries],
        content_type=asset.content_type.slug if asset.content_type else None,
        tags=[t.slug for t in asset.tags],
        status=asset.status,
        live=live,
        owner_id=asset.owner_id,
        published_at=asset.published_at,
        updated_at=asset.updated_at,
        review_by=asset.review_by,
        rating_average=signals.rating_average,
        rating_count=signals.rating_count,
        usage_count=signals.usage_count,
        expires_on=asset.expires_on,
        collaborator_ids=[c.user_id for c in asset.collaborators],
    )


def load_documents(asset_ids: list[int]) -> tuple[list[SearchDocument], list[int]]:
    """Documents for the assets that exist, and the ids that no longer do."""
    assets = db.session.scalars(
        select(Asset)
        .where(Asset.id.in_(asset_ids))
        .options(
            selectinload(Asset.stages),
            selectinload(Asset.personas),
            selectinload(Asset.industries),
            selectinload(Asset.tags),
            selectinload(Asset.content_type),
            selectinload(Asset.collaborators),
            selectinload(Asset.live_revision)
            .selectinload(AssetRevision.file)
            .undefer(StoredFile.extracted_text),
            selectinload(Asset.latest_revision)
            .selectinload(AssetRevision.file)
            .undefer(StoredFile.extracted_text),
        )
    ).all()
    signals = signals_for(asset_ids)
    documents, found = [], set()
    position = {asset_id: n for n, asset_id in enumerate(asset_ids)}
    for asset in sorted(assets, key=lambda asset: position[asset.id]):  # in outbox order
        found.add(asset.id)
        document = _document(asset, signals.get(asset.id, NO_SIGNALS))
        if document is not None:
            documents.append(document)
    gone = [asset_id for asset_id in asset_ids if asset_id not in found]
    return documents, gone


def all_asset_ids() -> list[int]:
    return list(db.session.scalars(select(Asset.id).order_by(Asset.id)))
