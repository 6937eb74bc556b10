"""Asset titles for the search box's suggestions: only assets the user may find, titled as
they would see them (the live revision, or the latest for a draft they were invited to)."""

from flask import url_for
from sqlalchemy import case, func, or_

from content.library.models import Asset, AssetRevision
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.suggestions import Suggestion, like_words
from search.recheck import searchable_assets


def asset_titles(user: User, text: str, limit: int) -> list[Suggestion]:
    """Titles that start with ``text`` or have a word that does; titles that start with
    it come first, then A–Z."""
    starts, word = like_words(text)
    title = func.lower(AssetRevision.title)
    query = (
        searchable_assets(user, include_all=False)
        .join(
            AssetRevision,
            AssetRevision.id == func.coalesce(Asset.live_revision_id, Asset.latest_revision_id),
        )
        .with_only_columns(Asset.id, AssetRevision.title)
        .where(or_(title.like(starts, escape="\\"), title.like(word, escape="\\")))
        .order_by(case((title.like(starts, escape="\\"), 0), else_=1), title, Asset.id)
        .limit(limit)
    )
    return [
        Suggestion(name, url_for("content.show", asset_id=asset_id), "Asset")
        for asset_id, name in db.session.execute(query)
    ]
