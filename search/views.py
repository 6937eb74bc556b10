"""The search page, and the link each result opens through."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from content.library.browsing import internal_among
from content.library.services import get_visible_asset
from portal.kernel.errors import ValidationFailed
from portal.kernel.pagination import page_args
from portal.kernel.suggestions import suggest
from search import activity, service

bp = Blueprint("search", __name__)
PER_PAGE = 20


@bp.get("/search")
@login_required
def results():
    raw = request.args.get("q", "")
    sort = request.args.get("sort", "relevance")
    include_all = request.args.get("all") == "1"
    try:
        page, _per_page = page_args(request.args, PER_PAGE)
        filters = service.read_filters(request.args)
        found = service.search(
            current_user, raw, filters, include_all=include_all, sort=sort, page=page,
            per_page=PER_PAGE, as_typed=request.args.get("as_typed") == "1",
        )  # fmt: skip
    except ValidationFailed as error:
        for message in error.fields.values() or [error.message]:
            flash(message, "error")
        return render_template("search/results.html", found=None, q=raw), 400
    for note in found.parsed.notes:
        flash(note, "info")
    return render_template(
        "search/results.html",
        found=found,
        q=raw,
        facet_args=FACET_ARGS,
        term_names=service.term_names(),
        result_links=_result_links(found),
        internal=internal_among([hit.asset_id for hit in found.result.hits]),
    )


def _result_links(found: service.SearchPage) -> list[str]:
    """Each hit's link, through the click recorder; the first page of a search records
    the search itself, so a search nobody opened a result of shows on Search gaps."""
    if found.parsed.empty:
        return []
    query = found.query
    search_id = None
    if found.page == 1:
        stage = found.filters.get("stages", "")
        search_id = activity.record_search(current_user, query, found.result.total, stage).id
    first = (found.page - 1) * found.per_page + 1
    return [
        url_for(
            ".open_result",
            asset_id=hit.asset_id,
            t=activity.click_token(search_id, hit.asset_id, rank, query),
        )
        for rank, hit in enumerate(found.result.hits, start=first)
    ]


@bp.get("/search/open/<id:asset_id>")
@login_required
def open_result(asset_id: int):
    """Record that a result was opened, then show it. Only ever redirects to the asset's
    own page; an asset the user may not see is a 404, as its page would be."""
    asset = get_visible_asset(current_user, asset_id)
    activity.record_click(current_user, asset.id, request.args.get("t", ""))
    return redirect(url_for("content.show", asset_id=asset.id))


@bp.get("/search/suggest")
@login_required
def suggestions():
    """What the search box suggests for ``q`` (asset titles, glossary terms), as JSON for
    the page's script. A session route, not the token API: the page is signed in with its
    cookie and must never hold an API token, and a GET that changes nothing needs no CSRF
    token."""
    found = suggest(current_user, request.args.get("q", ""))
    return jsonify(suggestions=[{"label": s.label, "url": s.url, "kind": s.kind} for s in found])


FACET_ARGS = {field: arg for field, (arg, _model) in service.FILTERS.items()}
