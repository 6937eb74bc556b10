"""The export's pages: who sees them, starting an export, its progress page with and
without JavaScript, and the download, which only its requester gets and only until it
expires."""

from datetime import timedelta

from portal.export.models import DataExport
from portal.kernel.extensions import db
from portal.kernel.jobs import run_held
from portal.kernel.models import utcnow
from tests.factories import SQLITE_ONLY, login, make_asset, make_user
from tests.portal.export_world import FORMULA_TITLE, read_zip


def test_a_leader_starts_an_export_follows_it_and_downloads_the_archive(app, users, client_as):
    make_asset(users["marketer"], FORMULA_TITLE)
    run_held(app)
    leader = client_as("leader")

    page = leader.get("/export")
    assert page.status_code == 200
    assert "assets.csv" in page.text
    assert "usage_events.csv" in page.text
    assert "Not in your archive" in page.text
    assert "audit_log.csv" in page.text
    assert "You have not exported anything yet." in page.text
    assert "Export all data" in leader.get("/library").text  # the menu link

    started = leader.form("/export")
    assert started.status_code == 302
    assert started.location == "/export/1"
    waiting = leader.get("/export/1")
    assert "Export started" in waiting.text
    assert "Waiting to start" in waiting.text
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in waiting.text
    assert "export.js" in waiting.text
    again = leader.form("/export", follow_redirects=True)
    assert "still being made" in again.text  # one unfinished export per person
    assert db.session.query(DataExport).count() == 1

    assert run_held(app) == 1
    ready = leader.get("/export/1")
    assert "Download" in ready.text
    assert "refresh" not in ready.text
    assert "/export/1/download" in leader.get("/export").text

    download = leader.get("/export/1/download")
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    assert "attachment; filename=tandem-export-" in download.headers["Content-Disposition"]
    files = read_zip(download.data)
    assert files["assets.csv"][0]["title"] == "'" + FORMULA_TITLE
    assert "audit_log.csv" not in files


@SQLITE_ONLY
def test_an_export_is_a_404_for_everyone_but_its_requester(app, users, client_as):
    other_leader = make_user("leader", "other.leader@example.com")
    client_as("admin").form("/export")
    run_held(app)

    for client in (client_as("rep"), client_as("marketer"), client_as("leader")):
        for url in ("/export/1", "/export/1/download"):
            assert client.get(url).status_code == 404, url
    other = login(app.test_client(), other_leader)
    assert other.get("/export/1/download").status_code == 404
    for role in ("rep", "marketer"):
        client = client_as(role)
        assert client.get("/export").status_code == 404
        assert client.form("/export").status_code == 404
        assert "Export all data" not in client.get("/library").text
    assert db.session.query(DataExport).count() == 1


@SQLITE_ONLY
def test_an_expired_download_says_so_and_offers_a_new_export(app, users, client_as):
    admin = client_as("admin")
    admin.form("/export")
    run_held(app)
    export = db.session.get(DataExport, 1)
    export.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    expired = admin.get("/export/1/download", follow_redirects=True)
    assert "This archive has expired" in expired.text
    assert "Start a new export" in expired.text


@SQLITE_ONLY
def test_a_failed_export_shows_why_and_starts_again(app, users, client_as, monkeypatch):
    admin = client_as("admin")
    admin.form("/export")

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("portal.export.jobs.write_zip", broken)
    run_held(app)
    failed = admin.get("/export/1")
    assert "Failed" in failed.text
    assert "could not be made" in failed.text
    assert "disk full" not in failed.text
    assert admin.form("/export").location == "/export/2"
