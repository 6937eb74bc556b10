"""The database has the last word on what a searcher sees.

The index lags the database (the outbox is drained after the commit, by a thread or a
separate worker), so a hit can name an asset archived, expired or un-shared a moment ago.
Every page of hits is checked against the same visibility query the library's board uses,
in one query, before anyone sees it; the status shown comes from the database too.
"""

from dataclasses import replace

from sqlalchemy import Select, case

from content.library.models import Asset
from content.library.rules import live_or_invited, visible_assets
from portal.kernel.extensions import db
from portal.kernel.models import User
from search.backend import SearchResult


def searchable_assets(user: User, include_all: bool) -> Select:
    """The assets ``user`` may find: what they may see, and, unless they asked for
    everything (authors only), only live assets and those they were invited to, as the
    index's own filter intends."""
    query = visible_assets(user)
    if include_all:
        return query
    return query.where(live_or_invited(user))


def keep_visible(user: User, result: SearchResult, include_all: bool) -> SearchResult:
    """``result`` without the hits the database says ``user`` may not find, with each
    kept hit's status and liveness as the database holds them, and the total lowered by
    the hits dropped from this page."""
    if not result.hits:
        return result
    live = case((Asset.live_clause(), True), else_=False)
    query = (
        searchable_assets(user, include_all)
        .with_only_columns(Asset.id, Asset.status, live)
        .where(Asset.id.in_([hit.asset_id for hit in result.hits]))
    )
    states = {
        asset_id: (status, bool(live)) for asset_id, status, live in db.session.execute(query)
    }
    kept = [
        replace(hit, status=states[hit.asset_id][0], live=states[hit.asset_id][1])
        for hit in result.hits
        if hit.asset_id in states
    ]
    dropped = len(result.hits) - len(kept)
    return replace(result, hits=kept, total=max(result.total - dropped, len(kept)))
