"""The admins' page of background jobs: what waits, and the jobs that gave up, to retry
or discard."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.kernel.forms import EmptyForm
from portal.kernel.jobs import FailedJob, discard_failed, failed_jobs, job_queue, retry_failed
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import can, get_visible
from portal.kernel.transaction import press

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")
MISSING = "There is no such failed job: it may have been retried or discarded already."


@bp.before_request
@login_required
def _admins_only():
    # Non-admins are told nothing exists here.
    if not can(current_user, "manage_jobs"):
        abort(404)


@bp.get("")
def index():
    page, per_page = requested_page()
    queue = job_queue()
    return render_template(
        "jobs/index.html",
        page=failed_jobs(page, per_page),
        mode=queue.mode,
        waiting=queue.waiting(),
        form=EmptyForm(),
    )


@bp.post("/<id:failed_id>/retry")
def retry(failed_id: int):
    failed = get_visible(current_user, FailedJob, failed_id, MISSING)
    press(EmptyForm(), lambda: retry_failed(failed), done=f"The job {failed.name} is queued again.")
    return redirect(url_for("jobs.index"))


@bp.post("/<id:failed_id>/discard")
def discard(failed_id: int):
    failed = get_visible(current_user, FailedJob, failed_id, MISSING)
    press(EmptyForm(), lambda: discard_failed(failed), done=f"The job {failed.name} is discarded.")
    return redirect(url_for("jobs.index"))
