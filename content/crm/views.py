"""HTML routes for importing a CRM opportunity export: upload, preview, import, history,
and the mapping of CRM stages to buyer stages. Admins only: for everyone else these
pages do not exist (404)."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

import content.crm.models  # noqa: F401 - registers the import's tables with the app
from content.crm import export_file as deal_import_csv
from content.crm import imports
from content.crm import stages as crm_stages
from content.crm.forms import StageMappingForm, UploadForm
from content.crm.models import DealImport
from content.library.models import Stage
from portal.kernel.csv_export import csv_response
from portal.kernel.errors import Conflict, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.forms import EmptyForm
from portal.kernel.ids import text_id
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import require
from portal.kernel.templating import form_accepted
from portal.kernel.transaction import press, submit

bp = Blueprint("deal_imports", __name__)
PREVIEW_ROWS = 50  # rows shown per table; the rejects are all in the CSV download


def _require_importer() -> None:
    require("import_deals", status=404)


def _show(import_id: int):
    return redirect(url_for(".show", import_id=import_id))


@bp.route("/deals/import", methods=["GET", "POST"])
@login_required
def index():
    _require_importer()
    form = UploadForm()
    submission = submit(form, lambda: _preview(form.file.data))
    if submission.saved:
        deal_import, _plan = submission.result
        flash("Preview ready: nothing is imported until you confirm.", "success")
        return _show(deal_import.id)
    page, per_page = requested_page()
    return render_template(
        "deal_imports/index.html",
        form=form,
        history=imports.import_history(page, per_page),
        columns=deal_import_csv.COLUMNS,
        required=deal_import_csv.REQUIRED,
        date_order=current_app.config["CRM_DATE_ORDER"],
    ), submission.status


def _preview(upload):
    """The import of an uploaded CSV file, read up to one byte past the upload limit so
    the service can tell a file that is too large."""
    raw = upload.stream.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)
    return imports.create_import(current_user, raw, upload.filename)


@bp.get("/deals/import/<id:import_id>")
@login_required
def show(import_id: int):
    _require_importer()
    deal_import = imports.get_import(current_user, import_id)
    plan = None
    if deal_import.imported:
        rejects = imports.rejects_of(deal_import)
    elif deal_import.importing:
        rejects = []
    else:
        try:
            plan = imports.preview(deal_import)
        except ValidationFailed as error:
            flash(error.message, "error")
        rejects = plan.rejects if plan else []
    return render_template(
        "deal_imports/show.html",
        deal_import=deal_import,
        plan=plan,
        rejects=rejects,
        earlier=imports.earlier_import(deal_import),
        run_form=EmptyForm(),
        limit=PREVIEW_ROWS,
    )


@bp.post("/deals/import/<id:import_id>/run")
@login_required
def run(import_id: int):
    _require_importer()
    deal_import = imports.get_import(current_user, import_id)
    submission = press(EmptyForm(), lambda: _import(deal_import), show=_flash_run_refusal)
    if submission.saved and submission.result is None:
        flash(BACKGROUND, "success")
    elif submission.saved:
        flash(f"Imported: {submission.result}.", "success")
    return _show(import_id)


BACKGROUND = (
    "The import runs in the background: you will be notified when it is done, and this "
    "page shows what it did."
)


def _import(deal_import):
    """Import now (the counts), or hand a large file to the background job (None)."""
    if deal_import.importing or deal_import.imported:
        return imports.run_import(current_user, deal_import)  # the Conflict that explains
    plan = imports.preview(deal_import)
    if len(plan.creates) + len(plan.updates) > current_app.config["CRM_IMPORT_INLINE_ROWS"]:
        imports.start_import(current_user, deal_import)
        return None
    return imports.run_import(current_user, deal_import, plan)


def _flash_run_refusal(error) -> None:
    """An import already run (a Conflict) is news, not an error; bad rows are an error."""
    flash(error.message, "info" if isinstance(error, Conflict) else "error")


@bp.get("/deals/import/<id:import_id>/rejects.csv")
@login_required
def rejects_csv(import_id: int):
    _require_importer()
    deal_import = imports.get_import(current_user, import_id)
    try:
        rejects = imports.rejects_of(deal_import)
    except ValidationFailed as error:
        flash(error.message, "error")
        return _show(import_id)
    filename = f"tandem-import-{deal_import.id}-rejects.csv"
    # The ids and reasons come from the uploaded file: formula cells are kept as text.
    rows = ([reject.line, reject.external_id, reject.reason] for reject in rejects)
    return csv_response(filename, ["line", "opportunity_id", "reason"], rows)


# ---- the mapping of CRM stages -------------------------------------------------------------


def _return_to() -> int | None:
    """The import whose preview sent the admin here to map a stage, if any."""
    deal_import = db.session.get(DealImport, text_id(request.args.get("import_id")))
    return deal_import.id if deal_import is not None else None


def _stage(form) -> Stage | None:
    """The buyer's stage chosen in a stage mapping form, if any."""
    return db.session.get(Stage, form.stage.data) if form.stage.data else None


@bp.route("/deals/import/stages", methods=["GET", "POST"])
@login_required
def stages():
    _require_importer()
    form = StageMappingForm(data={"crm_stage": request.args.get("crm_stage", "")[:100]})
    submission = submit(
        form, lambda: crm_stages.save_mapping(current_user, form.crm_stage.data, _stage(form))
    )
    if submission.saved:
        mapping = submission.result
        flash(f"The CRM stage “{mapping.crm_stage}” now means {mapping.stage.name}.", "success")
        back = _return_to()
        return _show(back) if back else redirect(url_for(".stages"))
    return render_template(
        "deal_imports/stages.html",
        form=form,
        mappings=crm_stages.mappings(),
        buyer_stages=form.stage.choices[1:],
        defaults=crm_stages.DEFAULT_MAPPINGS,
        return_to=_return_to(),
    ), submission.status


@bp.post("/deals/import/stages/<id:mapping_id>/delete")
@login_required
def delete_stage_mapping(mapping_id: int):
    _require_importer()
    if not form_accepted(EmptyForm()):
        return redirect(url_for(".stages"))
    label = crm_stages.delete_mapping(current_user, mapping_id)
    flash(f"“{label}” is no longer mapped: rows at that CRM stage will be refused.", "success")
    return redirect(url_for(".stages"))


@bp.post("/deals/import/stages/defaults")
@login_required
def add_default_mappings():
    _require_importer()
    if not form_accepted(EmptyForm()):
        return redirect(url_for(".stages"))
    added = crm_stages.ensure_default_mappings(current_user)
    if added:
        flash(f"Mapped {added} of Salesforce's standard stages.", "success")
    else:
        flash("Salesforce's standard stages were all mapped already.", "info")
    return redirect(url_for(".stages"))
