"""Page previews after the upload: the files.preview job claims each waiting file once,
stores its pages beside it, and records "ready" or "failed"; signed-in readers see the
pages of revisions they may see, buyers those of the link's revision, authors why a file
has none."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from content.files import previewing
from content.files.previewing import (
    claim_waiting_preview,
    record_rendering,
    render_claimed_file,
    render_waiting_previews,
)
from content.files.previews import page_name, thumbnail_name
from content.files.rendering import Rendering
from content.files.storage import file_store
from content.library.models import PreviewStatus, StoredFile
from content.library.services import AssetInput, revise_asset
from portal.kernel.extensions import db
from portal.kernel.jobs import job_queue, run_held
from portal.kernel.models import utcnow
from tests.content.helpers import asset_form
from tests.content.usage_helpers import BROWSER, share
from tests.factories import make_asset, pdf_bytes

CORRUPT_PDF = b"%PDF-1.4 garbage that is not a PDF at all"
# For tests where the database plays no part; the claims run on both.
sqlite_only = pytest.mark.parametrize("database", ["sqlite"])


def _file(file_id: int) -> StoredFile:
    db.session.expire_all()
    stored = db.session.get(StoredFile, file_id)
    assert stored is not None
    return stored


def _rendered(owner, title: str = "Pricing review", content: bytes | None = None, **options):
    """A committed asset with a PDF whose previews the job has rendered."""
    asset = make_asset(owner, title, file=(f"{title}.pdf", content or pdf_bytes()), **options)
    render_waiting_previews()
    db.session.expire_all()
    return asset


# ---- the upload leaves the rendering to the job ---------------------------------------


def test_an_upload_waits_for_its_preview_and_the_job_renders_it(client_as):
    data = asset_form("Pricing review", body="")
    data["file"] = (io.BytesIO(pdf_bytes("Quarterly pricing")), "review.pdf")

    response = client_as("marketer").form("/assets/new", data)

    assert response.status_code == 302
    stored = db.session.scalar(select(StoredFile))
    assert stored.preview_status == "pending"
    assert "files.preview" in [queued.name for queued in job_queue().held]

    run_held()

    stored = _file(stored.id)
    assert (stored.preview_status, stored.preview_pages, stored.preview_claimed_at) == (
        "ready",
        1,
        None,
    )
    assert file_store().path(page_name(stored, 1)).read_bytes()[8:12] == b"WEBP"
    assert file_store().path(thumbnail_name(stored)).exists()


def test_a_file_is_claimed_once_and_an_abandoned_claim_is_taken_again(app, marketer):
    stored_id = make_asset(marketer, file=("a.pdf", pdf_bytes())).latest_revision.file_id
    first = claim_waiting_preview()
    db.session.commit()

    assert first is not None
    assert first.file_id == stored_id
    assert claim_waiting_preview() is None, "a live claim is nobody else's"

    # The first renderer died long ago: its claim is taken again, and its late result lost.
    long_ago = utcnow() - timedelta(seconds=app.config["PREVIEW_TIMEOUT_SECONDS"], minutes=3)
    db.session.execute(update(StoredFile).values(preview_claimed_at=long_ago))
    db.session.commit()
    second = claim_waiting_preview()
    db.session.commit()

    assert second is not None
    assert second.file_id == stored_id
    assert record_rendering(first, Rendering("ready", 1, "")) is False
    assert record_rendering(second, render_claimed_file(second)) is True
    db.session.commit()
    assert _file(stored_id).preview_status == "ready"
    assert render_waiting_previews() == [], "a job run again finds nothing to do"


@sqlite_only
def test_a_file_that_cannot_be_rendered_stays_a_download_with_a_reason(client_as, marketer):
    asset = _rendered(marketer, "Board pack", CORRUPT_PDF)
    author, rep = client_as("marketer"), client_as("rep")

    stored = _file(asset.latest_revision.file_id)
    assert (stored.preview_status, stored.preview_note) == (
        "failed",
        "The PDF is damaged or not in a format we can read.",
    )
    assert rep.get(f"/assets/{asset.id}/file").status_code == 200
    rep_page = rep.get(f"/assets/{asset.id}").text
    author_page = author.get(f"/assets/{asset.id}").text
    assert "No preview" in rep_page
    assert "damaged" not in rep_page
    assert "No page preview: The PDF is damaged" in author_page
    author_list = author.get("/assets").text
    assert "Files without a preview (1)" in author_list
    assert "Board pack" in author_list.split("Files without a preview")[1]
    assert "Files without a preview" not in rep.get("/assets").text


@sqlite_only
def test_the_configured_timeout_applies(app, marketer):
    app.config["PREVIEW_TIMEOUT_SECONDS"] = 0.01

    asset = _rendered(marketer)

    stored = _file(asset.latest_revision.file_id)
    assert (stored.preview_status, stored.preview_note) == (
        "failed",
        "Making the preview took longer than 0.01 s.",
    )


@sqlite_only
def test_a_crash_outside_the_child_costs_only_the_preview(app, marketer, monkeypatch):
    def crash(*_args):
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(previewing, "render_pages", crash)

    stored = _file(_rendered(marketer).latest_revision.file_id)

    assert (stored.preview_status, stored.preview_note) == (
        "failed",
        "The pages could not be shown.",
    )


# ---- who sees the pages ---------------------------------------------------------------


@sqlite_only
def test_readers_see_the_pages_and_thumbnail_of_what_they_may_see(client, client_as, marketer):
    asset = _rendered(marketer, summary="For the CFO")
    draft = _rendered(marketer, "Unreleased deck", publish=False)
    rep, author = client_as("rep"), client_as("marketer")
    pages = f"/assets/{asset.id}/revisions/1/pages"

    page = rep.get(f"{pages}/1")
    assert (page.status_code, page.mimetype) == (200, "image/webp")
    assert page.headers["Cache-Control"] == "private, max-age=86400"
    assert rep.get(f"/assets/{asset.id}/revisions/1/thumbnail").mimetype == "image/webp"
    assert rep.get(f"{pages}/2").status_code == 404, "past the last page"
    assert rep.get(f"/assets/{asset.id}/revisions/2/pages/1").status_code == 404
    assert rep.get(f"/assets/{draft.id}/revisions/1/pages/1").status_code == 404
    assert author.get(f"/assets/{draft.id}/revisions/1/pages/1").status_code == 200
    assert client.get(f"{pages}/1").status_code == 302, "signed-in only"

    shown = rep.get(f"/assets/{asset.id}").text
    assert f'src="{pages}/1"' in shown
    assert 'aria-label="Pages of Pricing review"' in shown
    assert f'src="/assets/{asset.id}/revisions/1/thumbnail"' in rep.get("/library").text


@sqlite_only
def test_a_reader_sees_the_live_revisions_pages_not_a_newer_drafts(client_as, marketer):
    asset = _rendered(marketer)
    data = AssetInput(title="Pricing review v2", summary="", body="New", stages=asset.stages)
    revise_asset(asset, marketer, asset.latest_revision_id, data)
    db.session.commit()
    rep = client_as("rep")

    assert rep.get(f"/assets/{asset.id}/revisions/2/thumbnail").status_code == 404
    assert rep.get(f"/assets/{asset.id}/revisions/1/thumbnail").status_code == 200


@sqlite_only
def test_a_buyer_sees_the_pages_of_the_shared_revision(client, users):
    asset = _rendered(users["marketer"])
    _link, token = share(asset, users["rep"])

    shared = client.get(f"/s/{token}", headers={"User-Agent": BROWSER}).text
    image = client.get(f"/s/{token}/pages/1?v=1")

    assert re.search(rf'src="/s/{token}/pages/1\?v=1"', shared)
    assert (image.status_code, image.mimetype) == (200, "image/webp")
    assert image.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert image.headers["Referrer-Policy"] == "no-referrer"
    assert image.headers["Cache-Control"] == "private, max-age=86400"
    assert "Set-Cookie" not in image.headers
    assert client.get(f"/s/{token}/pages/2").status_code == 404
    assert client.get("/s/not-a-token/pages/1").status_code == 404


# ---- the command ----------------------------------------------------------------------


@sqlite_only
def test_rebuild_renders_missing_previews_then_all_of_them(app, marketer):
    ready = _rendered(marketer, "Ready one").latest_revision.file_id
    old = make_asset(marketer, "Old one", file=("old.pdf", pdf_bytes())).latest_revision.file_id
    db.session.execute(
        update(StoredFile).where(StoredFile.id == old).values(preview_status=PreviewStatus.ABSENT)
    )
    db.session.commit()
    runner = app.test_cli_runner()

    missing = runner.invoke(args=["previews", "rebuild", "--missing"])
    everything = runner.invoke(args=["previews", "rebuild"])
    status = runner.invoke(args=["previews", "status"])

    assert missing.exit_code == 0, missing.output
    assert "Rendered 1 file: 1 ready, 0 failed." in missing.output
    assert "Rendered 2 files: 2 ready, 0 failed." in everything.output
    assert "ready: 2" in status.output
    assert {_file(ready).preview_status, _file(old).preview_status} == {"ready"}
