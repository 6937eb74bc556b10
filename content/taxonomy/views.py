"""Admin pages for the taxonomy: stages, personas, industries, content types and tags."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from content.library.models import ContentType, Stage
from content.taxonomy import services as taxonomy
from content.taxonomy.forms import TermForm
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.forms import EmptyForm
from portal.kernel.permissions import require
from portal.kernel.templating import flash_summary
from portal.kernel.transaction import attempt, press

bp = Blueprint("taxonomy", __name__)

LABELS = {
    "stages": "Buyer stages",
    "personas": "Personas",
    "industries": "Industries",
    "content-types": "Content types",
    "tags": "Tags",
}


def _require_admin():
    require("manage_taxonomy", status=404)


@bp.get("/admin/taxonomy")
@login_required
def taxonomy_home():
    _require_admin()
    return redirect(url_for("taxonomy.taxonomy_list", kind="stages"))


@bp.get("/admin/taxonomy/<kind>")
@login_required
def taxonomy_list(kind: str):
    _require_admin()
    model = taxonomy.taxonomy_model(kind)
    order = (Stage.position, Stage.id) if model is Stage else (model.name,)
    terms = db.session.scalars(select(model).order_by(*order)).all()
    return render_template(
        "content/taxonomy.html",
        kind=kind,
        kinds=LABELS,
        terms=terms,
        is_stage=model is Stage,
        is_content_type=model is ContentType,
        form=TermForm(formdata=None),
        delete_form=EmptyForm(),
    )


@bp.post("/admin/taxonomy/<kind>")
@bp.post("/admin/taxonomy/<kind>/<id:term_id>")
@login_required
def taxonomy_save(kind: str, term_id: int | None = None):
    _require_admin()
    taxonomy.taxonomy_model(kind)
    form = TermForm()
    submission = press(
        form,
        lambda: taxonomy.save_term(
            current_user,
            kind,
            term_id,
            form.name.data,
            form.slug.data,
            position=form.position.data,
            description=form.description.data,
            default_audience=form.default_audience.data,
        ),
        refusals=(ValidationFailed,),
        show=flash_summary,
    )
    if submission.saved:
        flash(f"“{submission.result.name}” saved.", "success")
    return redirect(url_for("taxonomy.taxonomy_list", kind=kind))


@bp.post("/admin/taxonomy/<kind>/<id:term_id>/delete")
@login_required
def taxonomy_delete(kind: str, term_id: int):
    _require_admin()
    if not EmptyForm().validate_on_submit():
        flash("The form expired. Please try again.", "error")
        return redirect(url_for("taxonomy.taxonomy_list", kind=kind))
    with attempt(refusals=(ValidationFailed,), show=flash_summary) as outcome:
        name = taxonomy.delete_term(current_user, kind, term_id)
    if not outcome.refused:
        flash(f"“{name}” deleted. Assets that used it keep their other labels.", "success")
    return redirect(url_for("taxonomy.taxonomy_list", kind=kind))
