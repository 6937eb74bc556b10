"""Page previews of stored files: page images and a first-page thumbnail, kept beside
the file in the file store under names derived from its storage name.

The images are made in the background after the upload has answered (the ``files.preview``
job); this module names them and answers the requests that show them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask import url_for
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from content.files.storage import file_store
from content.library.models import Asset, AssetRevision, PreviewStatus, StoredFile
from portal.kernel.extensions import db
from portal.kernel.templating import template_global

IMAGE_MIME_TYPE = "image/webp"
IMAGE_SUFFIX = ".webp"
# An image's name carries its file's generated storage name, and revisions never change
# their file, so the browser may keep an image for a day; "private" keeps shared caches out.
IMAGE_CACHE_CONTROL = "private, max-age=86400"


def _stem(stored: StoredFile) -> str:
    return PurePosixPath(stored.storage_name).stem


def page_name(stored: StoredFile, number: int) -> str:
    """The storage name of page ``number`` (from 1) of ``stored``."""
    return f"{_stem(stored)}-page-{number}{IMAGE_SUFFIX}"


def thumbnail_name(stored: StoredFile) -> str:
    """The storage name of ``stored``'s first-page thumbnail."""
    return f"{_stem(stored)}-thumb{IMAGE_SUFFIX}"


def _image_response(name: str):
    response = file_store().response(
        name, mimetype=IMAGE_MIME_TYPE, as_attachment=False, download_name=name
    )
    response.headers["Cache-Control"] = IMAGE_CACHE_CONTROL
    return response


def page_response(stored: StoredFile, number: int):
    """A response with page ``number`` of ``stored``; 404 when it has no such page."""
    if not stored.has_preview or not 1 <= number <= stored.preview_pages:
        raise NotFound()
    return _image_response(page_name(stored, number))


def thumbnail_response(stored: StoredFile):
    """A response with ``stored``'s thumbnail; 404 while it has none."""
    if not stored.has_preview:
        raise NotFound()
    return _image_response(thumbnail_name(stored))


@dataclass(frozen=True)
class ShownFile:
    """What a list shows of an asset's file: its kind ("pdf") and its thumbnail's URL, or
    None while the file has no page previews."""

    kind: str
    thumbnail: str | None


@template_global
def shown_files(asset_ids: Iterable[int]) -> dict[int, ShownFile]:
    """The file of each asset among ``asset_ids`` whose live revision (or latest, for
    drafts) has one, in one query: search hits come from the index, not from rows that
    know their file, yet show the same file-type chip and thumbnail as board cards. The
    thumbnail route checks who may see each."""
    ids = list(asset_ids)
    if not ids:
        return {}
    shown = func.coalesce(Asset.live_revision_id, Asset.latest_revision_id)
    rows = db.session.execute(
        select(
            Asset.id,
            AssetRevision.number,
            StoredFile.kind,
            StoredFile.preview_status,
            StoredFile.preview_pages,
        )
        .join(AssetRevision, AssetRevision.id == shown)
        .join(StoredFile, StoredFile.id == AssetRevision.file_id)
        .where(Asset.id.in_(ids))
    ).all()
    return {
        asset_id: ShownFile(
            kind,
            url_for("content.thumbnail", asset_id=asset_id, revision=number)
            if status == PreviewStatus.READY and (pages or 0) > 0
            else None,
        )
        for asset_id, number, kind, status, pages in rows
    }


@template_global
def files_without_preview(limit: int = 20) -> list:
    """Assets whose latest revision's file has no preview because rendering failed, newest
    first, with the reason: the list authors see under the asset list."""
    return list(
        db.session.execute(
            select(Asset.id, AssetRevision.title, StoredFile.original_name, StoredFile.preview_note)
            .join(AssetRevision, AssetRevision.id == Asset.latest_revision_id)
            .join(StoredFile, StoredFile.id == AssetRevision.file_id)
            .where(StoredFile.preview_status == PreviewStatus.FAILED)
            .order_by(StoredFile.id.desc())
            .limit(limit)
        ).all()
    )
