"""The admins' jobs page and the `jobs`, `worker` and `scheduler` commands."""

import json

from sqlalchemy import func, select

from content.library.models import Stage
from portal.kernel.extensions import db
from portal.kernel.jobs import FailedJob, enqueue_now, job_queue, run_held
from portal.kernel.logs import current_request_id
from search import indexing


def give_up(name: str = "files.extract", arguments: dict | None = None, error: str = "") -> int:
    row = FailedJob(
        name=name,
        arguments=json.dumps(arguments or {}),
        error=error or "Traceback …\nOSError: [Errno 28] No space left on device",
        attempts=7,
        request_id="3f2a9c",
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def failed_count() -> int:
    return db.session.scalar(select(func.count(FailedJob.id))) or 0


def test_only_admins_see_the_jobs_page(client_as):
    for role in ("rep", "marketer", "leader"):
        assert client_as(role).get("/admin/jobs").status_code == 404

    page = client_as("admin").get("/admin/jobs")

    assert page.status_code == 200
    assert "No job has given up" in page.text
    assert "Jobs are held until they are run by hand." in page.text


def test_the_page_lists_failed_jobs_with_their_last_error_line(client_as):
    give_up("search.index_asset", {"asset_id": 12})

    page = client_as("admin").get("/admin/jobs")

    assert "search.index_asset" in page.text
    assert "{&#34;asset_id&#34;: 12}" in page.text
    assert "OSError: [Errno 28] No space left on device" in page.text
    assert "Request 3f2a9c" in page.text
    assert "1 failed job" in page.text


def test_retry_queues_the_job_again_and_takes_it_off_the_list(app, client_as):
    failed_id = give_up("search.index_asset", {"asset_id": 12})
    admin = client_as("admin")
    queue = job_queue(app)
    queue.held.clear()

    response = admin.form(f"/admin/jobs/{failed_id}/retry")

    assert response.status_code == 302
    assert failed_count() == 0
    assert [(q.name, q.arguments) for q in queue.held] == [("search.index_asset", {"asset_id": 12})]
    assert "The job search.index_asset is queued again." in admin.get("/admin/jobs").text


def test_discard_drops_the_job_without_running_it(app, client_as):
    failed_id = give_up()
    admin = client_as("admin")
    job_queue(app).held.clear()

    admin.form(f"/admin/jobs/{failed_id}/discard")

    assert failed_count() == 0
    assert job_queue(app).held == []
    again = admin.form(f"/admin/jobs/{failed_id}/discard")
    assert again.status_code == 404


def test_a_retry_without_the_form_token_changes_nothing(app, client_as):
    failed_id = give_up()
    app.config["WTF_CSRF_ENABLED"] = True

    response = client_as("admin").post(f"/admin/jobs/{failed_id}/retry")

    assert response.status_code in (302, 400)
    assert failed_count() == 1


def test_a_rep_cannot_retry_a_failed_job(client_as):
    failed_id = give_up()

    assert client_as("rep").form(f"/admin/jobs/{failed_id}/retry").status_code == 404
    assert failed_count() == 1


def test_the_commands_list_retry_and_run_jobs(app):
    runner = app.test_cli_runner()
    failed_id = give_up("search.index_asset", {"asset_id": 5})
    job_queue(app).held.clear()

    status = runner.invoke(args=["jobs", "status"])
    assert "Queue: held; waiting or running: 0; failed: 1" in status.output

    assert runner.invoke(args=["jobs", "failed", "--limit", "0"]).exit_code == 2
    listed = runner.invoke(args=["jobs", "failed"])
    assert f"{failed_id}\t" in listed.output
    assert "search.index_asset" in listed.output
    assert "No space left on device" in listed.output

    assert runner.invoke(args=["jobs", "retry"]).exit_code != 0
    retried = runner.invoke(args=["jobs", "retry", "--all"])
    assert "1 job(s) queued again." in retried.output
    assert failed_count() == 0
    assert [q.name for q in job_queue(app).held] == ["search.index_asset"]

    ran = runner.invoke(args=["jobs", "run", "files.extract"])
    assert ran.exit_code == 0, ran.output
    assert "files.extract done." in ran.output
    unknown = runner.invoke(args=["jobs", "run", "files.read"])
    assert unknown.exit_code == 1
    assert "Unknown job 'files.read'" in unknown.output


def test_worker_and_scheduler_say_they_need_redis(app):
    runner = app.test_cli_runner()
    for command in ("worker", "scheduler"):
        result = runner.invoke(args=[command])
        assert result.exit_code == 1
        assert "needed only when TANDEM_REDIS_URL is set" in result.output


def test_the_queue_and_the_failed_jobs_are_metrics(app, users):
    give_up()
    queue = job_queue(app)
    queue.held.clear()
    enqueue_now("files.extract")
    enqueue_now("search.index")

    text = app.test_client().get("/metrics").text

    assert "tandem_jobs_waiting 2.0" in text
    assert "tandem_jobs_failed 1.0" in text


def test_a_job_runs_and_gives_up_under_the_id_of_the_request_that_asked_for_it(
    app, client_as, monkeypatch
):
    seen: list[str | None] = []

    def failing_drain(*_args, **_kwargs):
        seen.append(current_request_id())
        raise OSError("the index disk is full")

    marketer = client_as("marketer")
    job_queue(app).held.clear()
    created = marketer.form(
        "/assets/new", {"title": "Pricing guide", "body": "Prices.", "stages": [stage_id()]}
    )
    assert created.status_code == 302, created.text
    request_id = created.headers["X-Request-ID"]
    monkeypatch.setattr(indexing, "drain", failing_drain)

    run_held()

    assert seen == [request_id]
    (failed,) = db.session.scalars(select(FailedJob)).all()
    assert (failed.name, failed.request_id) == ("search.index", request_id)
    page = client_as("admin").get("/admin/jobs")
    assert f"Request {request_id}" in page.text


def stage_id() -> int:
    return db.session.scalar(select(Stage.id).where(Stage.slug == "decision"))
