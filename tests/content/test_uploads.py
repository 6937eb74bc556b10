"""Uploading through the asset form, and downloading or previewing what was stored."""

import io
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from content.files import pending
from content.files.storage import FolderStore, file_store
from content.files.uploads import KINDS
from content.library.models import Asset, StoredFile
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from tests.content.helpers import (
    asset_form,
    counts,
    docx_bytes,
    image_bytes,
    pptx_bytes,
    stage_ids,
    zip_bomb_docx,
)
from tests.factories import login, make_asset, make_user, pdf_bytes

MB = 1024 * 1024


def _upload(client, filename: str, content: bytes, **fields):
    data = asset_form(**fields)
    data["file"] = (io.BytesIO(content), filename)
    return client.form("/assets/new", data)


def test_marketer_uploads_real_office_files_and_images(client_as):
    client = client_as("marketer")
    uploads = {
        "Acme case study.docx": (docx_bytes(), "docx"),
        "Q3 pitch.pptx": (pptx_bytes(), "pptx"),
        "One pager.pdf": (pdf_bytes(), "pdf"),
        "Chart.png": (image_bytes("PNG"), "png"),
        "Team photo.jpg": (image_bytes("JPEG"), "jpeg"),
    }

    for filename, (content, _kind) in uploads.items():
        assert _upload(client, filename, content, body="").status_code == 302, filename

    stored = {f.original_name: f for f in db.session.scalars(select(StoredFile))}
    for filename, (content, kind) in uploads.items():
        assert (stored[filename].kind, stored[filename].size) == (kind, len(content))
        assert file_store().path(stored[filename].storage_name).read_bytes() == content


def test_files_are_stored_under_generated_names(client_as):
    _upload(client_as("marketer"), "../../Q3 pitch.pptx", pptx_bytes())

    stored = db.session.scalar(select(StoredFile))
    assert stored.original_name == "Q3 pitch.pptx"
    assert re.fullmatch(r"[0-9a-f]{32}\.pptx", stored.storage_name)
    assert file_store().path(stored.storage_name).parent.name == stored.storage_name[:2]


def test_asset_page_names_the_file_and_links_download_and_preview(client_as, marketer):
    pdf = make_asset(marketer, "Security whitepaper", file=("Security 2024.pdf", pdf_bytes()))
    deck = make_asset(marketer, "Deck", file=("deck.pptx", pptx_bytes()))
    rep = client_as("rep")

    pdf_page = rep.get(f"/assets/{pdf.id}").text
    deck_page = rep.get(f"/assets/{deck.id}").text

    assert "Security 2024.pdf" in pdf_page
    assert f'href="/assets/{pdf.id}/file?revision=1"' in pdf_page
    assert f'href="/assets/{pdf.id}/file?revision=1&amp;inline=1"' in pdf_page
    assert "deck.pptx" in deck_page
    assert f'href="/assets/{deck.id}/file?revision=1"' in deck_page
    assert "inline=1" not in deck_page


def test_download_returns_the_bytes_under_the_original_name(client_as, marketer):
    content = docx_bytes("Acme story")
    asset = make_asset(marketer, "Acme story", file=("Acme story.docx", content))

    response = client_as("rep").get(f"/assets/{asset.id}/file")

    assert response.status_code == 200
    assert response.data == content
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "Acme story.docx" in response.headers["Content-Disposition"]
    assert response.mimetype == KINDS["docx"][0]
    assert response.headers["Cache-Control"] == "private, no-store"


def test_preview_shows_pdfs_inline_but_still_downloads_office_files(client_as, marketer):
    brief = make_asset(marketer, "Brief", file=("brief.pdf", pdf_bytes()))
    deck = make_asset(marketer, "Deck", file=("deck.pptx", pptx_bytes()))
    rep = client_as("rep")

    pdf = rep.get(f"/assets/{brief.id}/file?inline=1")
    office = rep.get(f"/assets/{deck.id}/file?inline=1")

    assert pdf.headers["Content-Disposition"].startswith("inline")
    assert pdf.mimetype == "application/pdf"
    assert office.headers["Content-Disposition"].startswith("attachment")


def test_rep_cannot_download_a_draft(client_as, marketer):
    asset = make_asset(marketer, "Secret", file=("secret.pdf", pdf_bytes()), publish=False)

    response = client_as("rep").get(f"/assets/{asset.id}/file")

    assert response.status_code == 404
    assert b"%PDF" not in response.data


def test_rep_downloads_the_live_file_while_a_new_one_waits(client_as, marketer):
    asset = make_asset(marketer, "Brief", file=("v1.pdf", pdf_bytes("version one")))
    author = client_as("marketer")
    data = asset_form("Brief", base_revision=str(asset.latest_revision_id))
    data["file"] = (io.BytesIO(pdf_bytes("version two")), "v2.pdf")
    assert author.form(f"/assets/{asset.id}/edit", data).status_code == 302
    rep = client_as("rep")

    live = rep.get(f"/assets/{asset.id}/file")
    hidden = rep.get(f"/assets/{asset.id}/file?revision=2")

    assert b"version one" in live.data
    assert "v1.pdf" in live.headers["Content-Disposition"]
    assert hidden.status_code == 404
    assert b"version two" in author.get(f"/assets/{asset.id}/file?revision=2").data


def test_download_of_a_missing_file_or_revision_is_404(client_as, marketer):
    asset = make_asset(marketer, "Brief", file=("brief.pdf", pdf_bytes()))
    words_only = make_asset(marketer, "Words only")
    client = client_as("marketer")

    for number in ("abc", "99", "1234567890123"):
        response = client.get(f"/assets/{asset.id}/file?revision={number}")

        assert response.status_code == 404, number
    assert client.get(f"/assets/{words_only.id}/file").status_code == 404


def test_bad_uploads_are_refused_and_change_nothing(client_as):
    client = client_as("marketer")
    before = counts()
    cases = [
        ("setup.exe", b"MZ\x90\x00" + bytes(64), "Upload a PDF, PowerPoint (.pptx), Word (.docx)"),
        ("notes.pdf", b"plain text pretending", "The file&#39;s content is not a valid PDF file."),
        ("chart.pdf", image_bytes("PNG"), "The file&#39;s content is not a valid PDF file."),
        ("big.pdf", b"%PDF-1.4\n" + bytes(2 * MB + 1), "The file is larger than the 2 MB limit."),
        ("empty.pdf", b"", "The file is empty."),
    ]

    for filename, content, message in cases:
        response = _upload(client, filename, content, body="", title=f"Keep {filename}")

        assert response.status_code == 200, filename
        assert message in response.text, filename
        assert f'value="Keep {filename}"' in response.text
    assert counts() == before


def test_bad_file_in_an_edit_saves_no_revision(client_as, marketer):
    asset = make_asset(marketer, "Brief", file=("brief.pdf", pdf_bytes()), publish=False)
    client = client_as("marketer")
    base = asset.latest_revision_id
    data = asset_form("Brief", base_revision=str(base))
    data["file"] = (io.BytesIO(b"not a pdf"), "brief-v2.pdf")
    before = counts()

    refused = client.form(f"/assets/{asset.id}/edit", data)
    retried = client.form(f"/assets/{asset.id}/edit", asset_form("Brief", base_revision=str(base)))

    assert "not a valid PDF file" in refused.text
    assert before["revisions"] == 1
    assert retried.status_code == 302
    assert counts()["revisions"] == 2
    assert counts()["files"] == before["files"]


def test_upload_over_the_request_limit_gets_a_413_page_naming_the_limit(client_as):
    client = client_as("marketer")
    before = counts()

    response = _upload(client, "huge.pdf", b"%PDF-1.4\n" + bytes(3 * MB + 100))

    assert response.status_code == 413
    assert "larger than the 2 MB limit" in response.text
    assert "Nothing was saved" in response.text
    assert counts() == before


def test_zip_bomb_upload_is_refused_quickly_and_changes_nothing(client_as):
    client = client_as("marketer")
    bomb = zip_bomb_docx()
    before = counts()

    started = time.perf_counter()
    response = _upload(client, "report.docx", bomb)

    assert time.perf_counter() - started < 2
    assert response.status_code == 200
    assert "compressed suspiciously tightly" in response.text
    assert counts() == before


def test_the_folder_store_keeps_whole_files_under_generated_names_only(tmp_path):
    store = FolderStore(tmp_path / "uploads")
    store.save("ab12.pdf", io.BytesIO(b"%PDF-1.7 whole"))

    assert store.open("ab12.pdf").read() == b"%PDF-1.7 whole"
    assert [p.name for p in (tmp_path / "uploads" / "ab").iterdir()] == ["ab12.pdf"]
    with store.local_path("ab12.pdf") as path:
        assert path.read_bytes() == b"%PDF-1.7 whole"
    for hostile in ("../etc/passwd", "ab/../../x", ".hidden", ""):
        with pytest.raises(ValueError, match="Not a storage name"):
            store.path(hostile)

    store.delete("ab12.pdf")
    store.delete("ab12.pdf")  # gone already: nothing happens
    with pytest.raises(FileNotFoundError), store.local_path("ab12.pdf"):
        pass


# ---- a refused save keeps the file ------------------------------------------------------------


def _kept_token(html: str) -> str:
    return re.search(r'name="pending_file" type="hidden" value="([^"]*)"', html).group(1)


def _kept_names() -> list[str]:
    return list(file_store().names(pending.PREFIX))


def test_a_refused_save_keeps_the_file_and_the_corrected_save_creates_the_asset_with_it(
    client_as,
):
    client = client_as("marketer")
    content = pdf_bytes("Kept across tries") + bytes(1024 * 1024)  # 1.0 MB

    refused = _upload(client, "report.pdf", content, body="", stages=[])
    token = _kept_token(refused.text)
    saved = client.form(
        "/assets/new", asset_form(body="", pending_file=token, stages=stage_ids("decision"))
    )

    assert "Choose at least one buyer stage." in refused.text
    assert (
        "Attached: <strong>report.pdf</strong> (1.0 MB) — kept from your last try; "
        "choose another file to replace it." in refused.text
    )
    assert saved.status_code == 302
    stored = db.session.scalar(select(Asset)).latest_revision.file
    assert stored.original_name == "report.pdf"
    assert file_store().path(stored.storage_name).read_bytes() == content
    assert _kept_names() == []  # the kept copy went with the save


def test_a_refused_revision_keeps_the_file_for_the_next_try(client_as, marketer):
    asset = make_asset(marketer, "Brief", body="Words.", publish=False)
    client = client_as("marketer")
    data = asset_form("Brief", base_revision=str(asset.latest_revision_id), stages=[])
    data["file"] = (io.BytesIO(docx_bytes("Second take")), "brief.docx")

    refused = client.form(f"/assets/{asset.id}/edit", data)
    saved = client.form(
        f"/assets/{asset.id}/edit",
        asset_form(
            "Brief",
            base_revision=str(asset.latest_revision_id),
            pending_file=_kept_token(refused.text),
        ),
    )

    assert "Attached: <strong>brief.docx</strong>" in refused.text
    assert saved.status_code == 302
    db.session.expire_all()
    assert asset.latest_revision.number == 2
    assert asset.latest_revision.file.original_name == "brief.docx"


def test_a_stale_revision_keeps_the_file_beside_what_changed(client_as, marketer):
    asset = make_asset(marketer, "Brief", body="Words.", publish=False)
    stale = str(asset.latest_revision_id)
    client = client_as("marketer")
    assert (
        client.form(
            f"/assets/{asset.id}/edit", asset_form("Brief", base_revision=stale, body="Newer.")
        ).status_code
        == 302
    )
    data = asset_form("Brief", base_revision=stale)
    data["file"] = (io.BytesIO(pdf_bytes()), "brief.pdf")

    conflict = client.form(f"/assets/{asset.id}/edit", data)

    assert conflict.status_code == 409
    assert "Changed since you started" in conflict.text
    assert "Attached: <strong>brief.pdf</strong>" in conflict.text
    assert len(_kept_names()) == 1


def test_a_refused_save_with_a_bad_file_keeps_nothing(client_as):
    refused = _upload(client_as("marketer"), "notes.pdf", b"plain text", stages=[])

    assert "The file&#39;s content is not a valid PDF file." in refused.text
    assert "Attached:" not in refused.text
    assert _kept_token(refused.text) == ""
    assert _kept_names() == []


def test_another_users_or_an_altered_token_is_refused_and_changes_nothing(client, client_as):
    token = _kept_token(_upload(client_as("marketer"), "plan.pdf", pdf_bytes(), stages=[]).text)
    other = login(client, make_user("marketer"))
    before = counts()
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    theirs = other.form("/assets/new", asset_form(pending_file=token, body=""))
    tampered = client_as("marketer").form("/assets/new", asset_form(pending_file=altered))

    assert pending.NOT_FOUND in theirs.text
    assert "Attached:" not in theirs.text
    assert pending.ALTERED in tampered.text
    assert counts() == before  # no asset, and the owner's kept file is still there
    assert len(_kept_names()) == 1


def test_kept_files_expire_and_the_hourly_job_deletes_them(client_as, monkeypatch):
    client = client_as("marketer")
    token = _kept_token(_upload(client, "old.pdf", pdf_bytes(), stages=[]).text)
    later = utcnow() + timedelta(hours=25)
    monkeypatch.setattr(pending, "utcnow", lambda: later)
    _upload(client, "new.pdf", pdf_bytes(), stages=[])  # kept "now", 25 hours on

    expired = client.form("/assets/new", asset_form(pending_file=token, body=""))
    pruned = pending.prune_pending()

    assert pending.EXPIRED in expired.text
    assert counts()["assets"] == 0
    assert pruned == 1
    assert len(_kept_names()) == 1  # the newer one stays
