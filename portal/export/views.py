"""The export's pages: what the archive holds and the button that starts it, the progress
page (it reloads itself without JavaScript; with it, it updates in place) and the download.
For anyone but admins and leaders these pages do not exist (404), and an export is shown
only to the person who asked for it."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from content.files.storage import file_store
from portal.export import services
from portal.export.archive import TABLES
from portal.export.table import Scope
from portal.kernel.forms import EmptyForm
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import require
from portal.kernel.transaction import press

bp = Blueprint("export", __name__, url_prefix="/export")
EXPIRED = "This archive has expired and was deleted: start a new export to download one."
# Seconds between reloads of the progress page without JavaScript.
REFRESH_SECONDS = 3


def _show(export_id: int):
    return redirect(url_for(".show", export_id=export_id))


@bp.get("")
@login_required
def index():
    require("export_data", status=404)
    page, per_page = requested_page()
    scope = Scope(current_user)
    return render_template(
        "export/index.html",
        tables=[table for table in TABLES if table.readable(scope) is not None],
        withheld=[table for table in TABLES if table.readable(scope) is None],
        running=services.unfinished_export(current_user),
        history=services.exports_of(current_user, page, per_page),
        form=EmptyForm(),
    )


@bp.post("")
@login_required
def start():
    require("export_data", status=404)
    submission = press(EmptyForm(), lambda: services.start_export(current_user))
    if submission.saved:
        flash("Export started: this page shows its progress.", "success")
        return _show(submission.result.id)
    running = services.unfinished_export(current_user)
    return _show(running.id) if running else redirect(url_for(".index"))


@bp.get("/<id:export_id>")
@login_required
def show(export_id: int):
    require("export_data", status=404)
    export = services.get_export(current_user, export_id)
    return render_template(
        "export/show.html",
        export=export,
        refresh=REFRESH_SECONDS if export.unfinished else None,
        form=EmptyForm(),
    )


@bp.get("/<id:export_id>/download")
@login_required
def download(export_id: int):
    require("export_data", status=404)
    export = services.get_export(current_user, export_id)
    if not export.ready or not export.storage_name:
        flash(EXPIRED if export.status in ("ready", "expired") else "Not ready yet.", "info")
        return _show(export_id)
    try:
        return file_store().response(
            export.storage_name, "application/zip", True, services.download_name(export)
        )
    except FileNotFoundError:
        flash(EXPIRED, "info")
        return _show(export_id)
