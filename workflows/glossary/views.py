"""HTML routes for the shared glossary: the list with search, proposing and editing a
term, a term's page with its sign-off panel and history, and signing it off."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.kernel.errors import Conflict, ValidationFailed
from portal.kernel.forms import chosen_id
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import can, require
from portal.kernel.templating import (
    flash_form_errors,
    flash_refusal,
    flash_summary,
    label_global,
    template_global,
)
from portal.kernel.transaction import attempt, press, submit
from workflows.glossary import matching as glossary_matching
from workflows.glossary import queries as glossary_queries
from workflows.glossary import services as glossary
from workflows.glossary.forms import SignForm, TermForm
from workflows.glossary.models import SIDES, TERM_STATUSES

bp = Blueprint("glossary", __name__)

LETTERS = [chr(code) for code in range(ord("A"), ord("Z") + 1)]


term_status_label = label_global("term_status_label", TERM_STATUSES, str.capitalize)


def glossary_terms_on_asset(asset, revision=None) -> list:
    """Agreed terms the asset's words mention, for the "Terms used here" box."""
    if not can(current_user, "view_glossary"):
        return []
    return glossary_matching.terms_on_asset(asset, revision)


SEARCH_BOX_TERMS = 3  # terms the search page's box shows besides those the query names


@template_global
def glossary_search_matches(words: str) -> list:
    """The agreed terms a library search mentions, whatever else it contains ("MQL SQL
    definition" shows MQL and SQL), then a few whose names or definitions match it."""
    if not can(current_user, "view_glossary"):
        return []
    mentioned = glossary_matching.terms_in_text(words)
    others = [t for t in glossary_queries.search_matches(words) if t not in mentioned]
    return mentioned + others[: max(0, SEARCH_BOX_TERMS - len(mentioned))]


@template_global
def short_definition(term) -> str:
    return glossary.short_definition(term.definition)


def _show(term):
    return redirect(url_for(".show", term_id=term.id))


@bp.get("/glossary")
@login_required
def index():
    require("view_glossary", status=404)
    filters = glossary_queries.parse_filters(request.args)
    try:
        page, per_page = requested_page()
    except ValidationFailed as error:
        flash_refusal(error)
        page, per_page = 1, current_app.config["PER_PAGE"]
    return render_template(
        "glossary/index.html",
        page=glossary_queries.term_list(filters, page, per_page),
        counts=glossary_queries.tab_counts(filters),
        filters=filters,
        letters=LETTERS,
    )


@bp.route("/glossary/new", methods=["GET", "POST"])
@login_required
def create():
    require("propose_term")
    form = TermForm()
    submission = submit(form, lambda: glossary.propose_term(current_user, form.data_for_service()))
    if submission.saved:
        term = submission.result
        flash(
            f"“{term.name}” is proposed. The sales and marketing leaders are asked to sign it off.",
            "success",
        )
        return _show(term)
    return render_template("glossary/form.html", form=form, term=None), submission.status


@bp.get("/glossary/<id:term_id>")
@login_required
def show(term_id: int):
    term = glossary.get_term(current_user, term_id)
    version = glossary.current_version(term)
    return render_template(
        "glossary/show.html",
        term=term,
        version=version,
        sides=glossary.signoffs_by_side(version),
        sign_refusal=glossary.sign_refusal(term, current_user),
        history=glossary_queries.history(term),
        sign_form=SignForm(formdata=None, version=term.version),
    )


@bp.route("/glossary/<id:term_id>/edit", methods=["GET", "POST"])
@login_required
def edit(term_id: int):
    term = glossary.get_term(current_user, term_id)
    require("edit", term)
    form = TermForm(obj=term) if request.method == "GET" else TermForm()
    if request.method == "GET":
        form.based_on.data = term.version
        form.note.data = ""
    current, status = None, 200
    if form.validate_on_submit():
        with attempt(form, refusals=(ValidationFailed, Conflict)) as outcome:
            saved = glossary.edit_term(
                term, current_user, chosen_id(form.based_on.data), form.data_for_service()
            )
        if isinstance(outcome.refusal, Conflict):
            # Show what is there now; saving again knowingly replaces it.
            current = glossary.current_version(term)
            form.based_on.data = term.version
            status = 409
        elif not outcome.refused:
            if saved is None:
                flash("Nothing changed, so no new version was saved.", "info")
            else:
                flash(
                    f"Saved as version {saved.number}. The term is proposed again until both "
                    "leaders sign the new definition.",
                    "success",
                )
            return _show(term)
    elif request.method == "POST":
        flash_form_errors(form)
    if request.method == "POST" and status == 200:
        status = 422
    return render_template("glossary/form.html", form=form, term=term, current=current), status


@bp.post("/glossary/<id:term_id>/sign")
@login_required
def sign(term_id: int):
    term = glossary.get_term(current_user, term_id)
    form = SignForm()
    submission = press(
        form,
        lambda: glossary.sign(term, current_user, chosen_id(form.version.data)),
        refusals=(Conflict,),
        show=flash_summary,
    )
    if not submission.saved:
        return _show(term)
    signoff = submission.result
    if term.status == "agreed":
        flash(f"Signed for {signoff.side}. “{term.name}” is now agreed by both teams.", "success")
    else:
        waiting = [side for side in SIDES if side != signoff.side]
        flash(f"Signed for {signoff.side}. Waiting for {' and '.join(waiting)}.", "success")
    return _show(term)


@bp.get("/glossary/<id:term_id>/diff")
@login_required
def diff(term_id: int):
    term = glossary.get_term(current_user, term_id)
    new = chosen_id(request.args.get("new")) or term.version
    old = chosen_id(request.args.get("old")) or max(new - 1, 1)
    changes = glossary_queries.version_diff(term, old, new)
    return render_template("glossary/diff.html", term=term, changes=changes)
