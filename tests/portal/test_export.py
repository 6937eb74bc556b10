"""The full export: which rows each reader's archive holds, computed again here from the
raw rows; the job that builds it (progress, claims, failures, expiry) and the command."""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from content.deals.models import Deal
from content.files.storage import file_store
from content.library.models import Asset, AssetRevision
from content.usage.models import Rating, UsageEvent
from portal.export import services
from portal.export.archive import write_zip
from portal.export.jobs import build, sweep
from portal.export.library_tables import USAGE_EVENTS
from portal.export.models import DataExport
from portal.export.table import Scope
from portal.kernel.errors import Conflict, NotFound, PermissionDenied
from portal.kernel.extensions import db
from portal.kernel.jobs import job_queue, run_held
from portal.kernel.models import utcnow
from tests.factories import SQLITE_ONLY
from tests.portal.export_world import FORMULA_TITLE, build_world, read_zip
from workflows.audit.models import WorkflowEvent
from workflows.feedback.models import FieldFeedback
from workflows.glossary.models import GlossaryTermVersion


def archive_for(user) -> dict:
    out = io.BytesIO()
    write_zip(Scope(user), out)
    return read_zip(out.getvalue())


def ids(rows, column) -> list[int]:
    return [int(row[column]) for row in rows]


def every_id(model) -> list[int]:
    return list(db.session.scalars(select(model.id).order_by(model.id)))


def test_an_admins_archive_holds_every_row_of_every_file(app, users):
    world = build_world(users)
    files = archive_for(users["admin"])

    assert ids(files["assets.csv"], "asset_id") == every_id(Asset)
    assert ids(files["revisions.csv"], "revision_id") == every_id(AssetRevision)
    assert ids(files["usage_events.csv"], "event_id") == every_id(UsageEvent)
    assert ids(files["ratings.csv"], "rating_id") == every_id(Rating)
    assert ids(files["deals.csv"], "deal_id") == every_id(Deal)
    assert ids(files["feedback.csv"], "feedback_id") == every_id(FieldFeedback)
    assert ids(files["glossary_history.csv"], "version_id") == every_id(GlossaryTermVersion)
    assert ids(files["audit_log.csv"], "event_id") == every_id(WorkflowEvent)
    assert len(files["room_visits.csv"]) == 1
    opens = [e for e in db.session.scalars(select(UsageEvent)) if e.kind == "buyer_view"]
    assert ids(files["share_link_opens.csv"], "event_id") == sorted(e.id for e in opens)

    # Each row says what its raw row says, with ids to join and times in UTC.
    events = {e.id: e for e in db.session.scalars(select(UsageEvent))}
    for row in files["usage_events.csv"]:
        event = events[int(row["event_id"])]
        assert (row["asset_id"], row["kind"], row["evidence"]) == (
            str(event.asset_id),
            event.kind,
            event.evidence,
        )
        assert row["created_at"] == event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    (rating,) = files["ratings.csv"]
    assert (rating["stars"], rating["user_email"]) == ("4", "rep@example.com")
    (deal,) = files["deals.csv"]
    assert (deal["name"], deal["amount_cents"]) == ("Acme renewal", "120000")
    assert deal["currency"] == "USD"
    assert deal["owner_email"] == "rep@example.com"
    draft = next(r for r in files["assets.csv"] if r["asset_id"] == str(world.draft.id))
    assert (draft["status"], draft["title"]) == ("draft", "Unreleased battlecard")

    # Formula cells are kept as text, as the portal's other CSV downloads do.
    formula = next(r for r in files["assets.csv"] if r["asset_id"] == str(world.formula.id))
    assert formula["title"] == "'" + FORMULA_TITLE
    assert rating["comment"] == "'+1 works well with CFOs"
    assert files["feedback.csv"][0]["text"] == "'@pricing is too high"

    manifest = json.loads(files["manifest.json"])
    assert {f["name"]: f["rows"] for f in manifest["files"]}["usage_events.csv"] == len(events)
    assert "audit_log.csv: " in files["README.txt"]
    assert manifest["exported_for"]["email"] == "admin@example.com"


@SQLITE_ONLY
def test_a_leaders_archive_lacks_what_a_leader_may_not_read(app, users):
    world = build_world(users)
    files = archive_for(users["leader"])

    assert "audit_log.csv" not in files
    assert ids(files["assets.csv"], "asset_id") == [world.formula.id]
    assert set(ids(files["revisions.csv"], "revision_id")) == {world.formula.live_revision_id}
    assert world.draft.id not in ids(files["usage_events.csv"], "asset_id")
    assert len(files["usage_events.csv"]) == len(
        [e for e in db.session.scalars(select(UsageEvent)) if e.asset_id != world.draft.id]
    )
    # Share links are their makers' and asset owners' to read: the leader's own only.
    assert ids(files["share_link_opens.csv"], "share_link_id") == [world.leaders_link_id]
    assert files["share_link_opens.csv"][0]["recipient"] == "'-buyer@globex.example"
    # Leaders read every deal, its rooms, all feedback and the glossary.
    assert len(files["deals.csv"]) == len(files["room_visits.csv"]) == 1
    assert len(files["feedback.csv"]) == len(files["glossary_history.csv"]) == 1
    assert "audit_log.csv" not in json.loads(files["manifest.json"])["files"]


@SQLITE_ONLY
def test_reps_and_marketers_may_not_export(app, users):
    for role in ("rep", "marketer"):
        with pytest.raises(PermissionDenied):
            services.start_export(users[role])


@SQLITE_ONLY
def test_pages_of_rows_are_read_in_id_order_without_gaps(app, users):
    build_world(users)
    scope = Scope(users["admin"])
    query = USAGE_EVENTS.readable(scope)
    pages = list(USAGE_EVENTS.batches(scope, query, size=2))
    assert all(len(page) <= 2 for page in pages)
    assert len(pages) > 1
    assert [row[0] for page in pages for row in page] == every_id(UsageEvent)


def test_the_job_records_progress_builds_the_archive_and_runs_once(app, users):
    build_world(users)
    run_held(app)  # the notifications the world's rows asked for
    leader = users["leader"]
    export = services.start_export(leader)
    db.session.commit()
    with pytest.raises(Conflict):
        services.start_export(leader)  # one unfinished export per person
    db.session.rollback()

    assert run_held(app) == 1
    db.session.refresh(export)
    assert export.status == "ready"
    assert export.ready
    assert export.percent == 100
    assert export.rows_total > 0
    assert export.rows_done == export.rows_total
    assert export.expires_at - export.finished_at == timedelta(hours=24)
    with file_store().open(export.storage_name) as stored:
        files = read_zip(stored.read())
    assert "assets.csv" in files
    assert "audit_log.csv" not in files
    assert not list((Path(app.instance_path) / "exports").iterdir())  # no partial file left

    # A second run of the same job (a retry, a message sent twice) does nothing.
    stored_as = export.storage_name
    build(export_id=export.id)
    db.session.commit()
    db.session.refresh(export)
    assert (export.status, export.storage_name) == ("ready", stored_as)

    # Another export may start now that this one is finished; two unfinished ones for
    # one person are refused by the database too, should two requests race.
    assert services.start_export(leader).id != export.id
    db.session.add(DataExport(requested_by_id=leader.id, status="running"))
    with pytest.raises(IntegrityError):
        db.session.flush()


@SQLITE_ONLY
def test_a_failed_export_says_so_and_may_be_started_again(app, users, monkeypatch, caplog):
    admin = users["admin"]
    export = services.start_export(admin)
    db.session.commit()

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("portal.export.jobs.write_zip", broken)
    run_held(app)
    db.session.refresh(export)
    assert export.status == "failed"
    assert "could not be made" in export.error
    assert "The export 1 failed" in caplog.text
    assert services.start_export(admin).id == export.id + 1


@SQLITE_ONLY
def test_the_sweep_deletes_expired_archives_and_asks_again_for_lost_exports(app, users):
    admin, leader = users["admin"], users["leader"]
    done = services.start_export(admin)
    db.session.commit()
    run_held(app)
    lost = services.start_export(leader)
    db.session.commit()
    job_queue(app).held.clear()  # its message was lost
    db.session.refresh(done)
    stored_as = done.storage_name
    done.expires_at = utcnow() - timedelta(seconds=1)
    lost.created_at = utcnow() - timedelta(hours=1)
    db.session.commit()

    sweep()
    db.session.commit()
    db.session.refresh(done)
    assert (done.status, done.storage_name) == ("expired", None)
    with pytest.raises(FileNotFoundError):
        file_store().open(stored_as)
    run_held(app)  # the build the sweep asked for again
    db.session.refresh(lost)
    assert lost.status == "ready"


@SQLITE_ONLY
def test_an_export_is_its_requesters_alone(app, users):
    export = services.start_export(users["admin"])
    db.session.commit()
    assert services.get_export(users["admin"], export.id) == export
    with pytest.raises(NotFound):
        services.get_export(users["leader"], export.id)


@SQLITE_ONLY
def test_the_command_writes_every_file_into_a_folder_and_refuses_a_full_one(app, users, tmp_path):
    build_world(users)
    folder = tmp_path / "out" / "export"
    runner = app.test_cli_runner()

    result = runner.invoke(args=["export", str(folder)])
    assert result.exit_code == 0, result.output
    assert "audit_log.csv: " in result.output
    assert "Exported " in result.output
    written = sorted(path.name for path in folder.iterdir())
    assert "audit_log.csv" in written
    assert "README.txt" in written
    assert "manifest.json" in written
    assets = (folder / "assets.csv").read_text(encoding="utf-8")
    assert assets.startswith("asset_id,title,")
    assert "'=HYPERLINK" in assets
    assert db.session.scalar(select(DataExport.id)) is None  # nothing recorded

    refused = runner.invoke(args=["export", str(folder)])
    assert refused.exit_code == 1
    assert "is not empty" in refused.output
    assert runner.invoke(args=["export", str(folder), "--force"]).exit_code == 0
