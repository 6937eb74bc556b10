"""What people do with search: the searches made on the search page and the results they
open from them, so "searched but did not open" can be counted.

A result link goes through ``/search/open/<asset id>`` with a signed token naming the
search, the rank and the query. The token is what makes a GET safe to record: another
site cannot make a signed-in user record a click it did not make, since it cannot sign
one, and the redirect only ever leads to the asset's own page, so it is no open redirect.
"""

import re

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from portal.kernel.extensions import db
from portal.kernel.models import User
from search.models import SearchClick, SearchRecord

QUERY_MAX = 300
_SPACE = re.compile(r"\s+")


def normalise(query: str) -> str:
    """The query as it is grouped: lowercased, whitespace folded."""
    return _SPACE.sub(" ", query).strip().lower()[:QUERY_MAX]


def record_search(user: User, query: str, total: int, stage_slug: str = "") -> SearchRecord:
    """Keep a search made on the search page; the request commits it."""
    record = SearchRecord(
        query=query[:QUERY_MAX],
        normalised=normalise(query),
        total=total,
        stage_slug=stage_slug,
        role=user.role,
        user_id=user.id,
    )
    db.session.add(record)
    db.session.flush()
    return record


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="search-click")


def click_token(search_id: int | None, asset_id: int, rank: int, query: str) -> str:
    """The signed part of a result's link."""
    return str(_signer().dumps([search_id, asset_id, rank, query[:QUERY_MAX]]))


def record_click(user: User, asset_id: int, token: str) -> SearchClick | None:
    """Keep the opening of result ``asset_id`` when ``token`` was signed for that result
    and, naming a search, for a search ``user`` made; anything else records nothing (the
    link still opens the asset)."""
    try:
        search_id, signed_asset_id, rank, query = _signer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if signed_asset_id != asset_id or not isinstance(rank, int) or not isinstance(query, str):
        return None
    if search_id is not None:
        record = db.session.get(SearchRecord, search_id)
        if record is None or record.user_id != user.id:
            return None
    click = SearchClick(
        search_id=search_id,
        asset_id=asset_id,
        rank=rank,
        query=query[:QUERY_MAX],
        normalised=normalise(query),
        user_id=user.id,
    )
    db.session.add(click)
    db.session.flush()
    return click
