"""The search page."""

from flask import Blueprint, flash, render_template, request
from flask_login import current_user, login_required

from portal.kernel.errors import ValidationFailed
from portal.kernel.pagination import page_args
from search import service

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
    )


FACET_ARGS = {field: arg for field, (arg, _model) in service.FILTERS.items()}
