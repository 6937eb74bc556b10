"""The CRM import pages: admins upload, preview, import and map stages; for everyone
else the pages do not exist."""

import io
import re

from sqlalchemy import func, select

from content.crm import stages as crm_stages
from content.crm.imports import create_import, finish_import
from content.crm.models import CrmStageMapping, DealImport
from content.deals.models import Deal
from content.files.storage import file_store
from content.library.models import Stage
from portal.kernel.extensions import db
from portal.kernel.jobs import job_queue, run_held
from portal.kernel.notifications import Notification
from tests.content.crm_exports import export, opportunity
from tests.factories import login
from tests.portal.helpers import flashes, redirect_path

ROWS = [
    opportunity(1, name="Acme renewal"),
    opportunity(2, stage="Discovery"),
    opportunity(3, id='=HYPERLINK("http://evil")', amount="lots"),
]


def upload(client, raw: bytes, filename: str = "pipeline.csv", **options):
    data = {"file": (io.BytesIO(raw), filename)}
    return client.form("/deals/import", data, content_type="multipart/form-data", **options)


def signed_in(client, user):
    """``client`` signed in as ``user``, the welcome message already read."""
    login(client, user).get("/library")
    return client


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def text(response) -> str:
    """The page's text without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())


def test_only_admins_know_the_import_pages_exist(app, users, client):
    deal_import, _plan = create_import(users["admin"], export(ROWS), "pipeline.csv")
    mapping = crm_stages.save_mapping(users["admin"], "Discovery", db.session.get(Stage, 1))
    db.session.commit()
    pages = [
        ("get", "/deals/import"),
        ("form", "/deals/import"),
        ("get", f"/deals/import/{deal_import.id}"),
        ("form", f"/deals/import/{deal_import.id}/run"),
        ("get", f"/deals/import/{deal_import.id}/rejects.csv"),
        ("get", "/deals/import/stages"),
        ("form", "/deals/import/stages"),
        ("form", f"/deals/import/stages/{mapping.id}/delete"),
        ("form", "/deals/import/stages/defaults"),
    ]

    for method, path in pages:
        assert redirect_path(getattr(client, method)(path)).startswith("/login"), path
    for role in ("rep", "marketer", "leader"):
        visitor = login(app.test_client(), users[role])
        for method, path in pages:
            assert getattr(visitor, method)(path).status_code == 404, (role, path)
    admin = login(app.test_client(), users["admin"])
    assert admin.get("/deals/import").status_code == 200
    assert admin.get("/deals/import/99999").status_code == 404
    assert (count(Deal), count(CrmStageMapping)) == (0, 11)
    assert db.session.get(DealImport, deal_import.id).status == "previewed"


def test_the_preview_writes_no_deal_and_the_confirmation_imports(app, users, client):
    admin = signed_in(client, users["admin"])

    response = upload(admin, export(ROWS))

    assert response.status_code == 302
    deal_import = db.session.scalar(select(DealImport))
    assert redirect_path(response) == f"/deals/import/{deal_import.id}"
    assert count(Deal) == 0
    assert [p.name for p in file_store().root.rglob("*.csv")] == [deal_import.storage_name]
    page = admin.get(redirect_path(response))
    assert flashes(page) == ["Preview ready: nothing is imported until you confirm."]
    shown = text(page)
    assert "Deals to create 1 Deals to update 0 Unchanged 0 Rejected rows 2" in shown
    assert "3 0060000002 The CRM stage “Discovery” is not mapped to a buyer stage" in shown
    assert "Amount “lots”: Write the amount as a number" in shown
    assert "Map “Discovery” (1 row)" in shown
    assert "Acme renewal" in shown

    done = admin.form(f"/deals/import/{deal_import.id}/run")

    assert redirect_path(done) == f"/deals/import/{deal_import.id}"
    assert flashes(admin.get(redirect_path(done))) == [
        "Imported: 1 created, 0 updated, 0 unchanged, 2 rejected."
    ]
    assert db.session.scalar(select(Deal.name)) == "Acme renewal"

    again = admin.form(f"/deals/import/{deal_import.id}/run", follow_redirects=True)

    assert flashes(again)[0].startswith("This file was already imported on ")
    assert "Imported" in text(again)
    assert count(Deal) == 1


def test_a_refused_file_is_explained_and_nothing_is_kept(app, users, client):
    admin = signed_in(client, users["admin"])
    header = ("Opportunity ID", "Name", "Account")

    response = upload(admin, export([("1", "A", "B")], header=header))

    assert response.status_code == 422
    assert "The file lacks the required columns Stage, Owner Email." in flashes(response)[0]
    assert count(DealImport) == 0
    assert upload(admin, b"").status_code == 422
    missing = admin.form("/deals/import", {}, content_type="multipart/form-data")
    assert flashes(missing) == ["CRM export (CSV): Choose the CSV file exported from your CRM."]


def test_a_windows_1252_preview_warns_and_shows_the_accents(app, users, client):
    admin = signed_in(client, users["admin"])
    raw = export([opportunity(1, account="Société Générale")], encoding="cp1252")

    page = upload(admin, raw, follow_redirects=True)

    assert "Warning: The file is not UTF-8, so it was read as Windows-1252" in text(page)
    assert "Société Générale" in text(page)


def test_rejects_download_as_csv_with_formulas_kept_as_text(app, users, client):
    admin = signed_in(client, users["admin"])
    deal_import, _plan = create_import(users["admin"], export(ROWS), "pipeline.csv")
    db.session.commit()

    response = admin.get(f"/deals/import/{deal_import.id}/rejects.csv")

    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.text.splitlines()
    assert lines[0] == "line,opportunity_id,reason"
    assert lines[1].startswith("3,0060000002,The CRM stage “Discovery” is not mapped")
    assert lines[2].startswith('4,"\'=HYPERLINK(""http://evil"")","Amount “lots”: Write')


def test_mapping_a_stage_from_the_preview_brings_the_admin_back(app, users, client):
    admin = signed_in(client, users["admin"])
    deal_import, _plan = create_import(users["admin"], export(ROWS[:2]), "pipeline.csv")
    db.session.commit()
    form = admin.get(f"/deals/import/stages?crm_stage=Discovery&import_id={deal_import.id}")
    assert 'value="Discovery"' in form.text
    awareness = db.session.scalar(select(Stage).where(Stage.slug == "awareness"))

    saved = admin.form(
        f"/deals/import/stages?import_id={deal_import.id}",
        {"crm_stage": "Discovery", "stage": awareness.id},
    )

    assert redirect_path(saved) == f"/deals/import/{deal_import.id}"
    preview = admin.get(redirect_path(saved))
    assert flashes(preview) == ["The CRM stage “Discovery” now means Awareness."]
    assert "Deals to create 2" in text(preview)


def test_the_mapping_page_edits_deletes_and_adds_the_defaults(app, users, client):
    admin = signed_in(client, users["admin"])
    assert "No CRM stages are mapped yet." in admin.get("/deals/import/stages").text

    added = admin.form("/deals/import/stages/defaults", follow_redirects=True)
    assert flashes(added) == ["Mapped 10 of Salesforce's standard stages."]
    prospecting = db.session.scalar(
        select(CrmStageMapping).where(CrmStageMapping.key == "prospecting")
    )
    decision = db.session.scalar(select(Stage).where(Stage.slug == "decision"))

    changed = admin.form("/deals/import/stages", {"crm_stage": "Prospecting", "stage": decision.id})
    assert flashes(admin.get(redirect_path(changed))) == [
        "The CRM stage “Prospecting” now means Decision."
    ]
    deleted = admin.form(f"/deals/import/stages/{prospecting.id}/delete", follow_redirects=True)
    refused = admin.form("/deals/import/stages", {"crm_stage": "", "stage": "0"})

    assert redirect_path(changed) == "/deals/import/stages"
    assert flashes(deleted) == [
        "“Prospecting” is no longer mapped: rows at that CRM stage will be refused."
    ]
    assert refused.status_code == 422
    assert count(CrmStageMapping) == 9
    again = admin.form("/deals/import/stages/defaults", follow_redirects=True)
    assert flashes(again) == ["Mapped 1 of Salesforce's standard stages."]


def test_forms_without_a_csrf_token_change_nothing(app, users, client):
    admin = signed_in(client, users["admin"])
    deal_import, _plan = create_import(users["admin"], export(ROWS), "pipeline.csv")
    db.session.commit()
    raw = {"file": (io.BytesIO(export(ROWS)), "pipeline.csv")}

    responses = [
        admin.post("/deals/import", data=raw, content_type="multipart/form-data"),
        admin.post(f"/deals/import/{deal_import.id}/run"),
        admin.post("/deals/import/stages", data={"crm_stage": "X", "stage": "1"}),
        admin.post("/deals/import/stages/defaults"),
    ]

    assert [response.status_code for response in responses] == [400] * 4
    assert (count(DealImport), count(Deal), count(CrmStageMapping)) == (1, 0, 10)


def test_past_imports_are_listed_newest_first_page_by_page(app, users, client):
    admin = signed_in(client, users["admin"])
    assert "No imports yet." in admin.get("/deals/import").text
    for number in range(6):
        create_import(users["admin"], export([opportunity(number)]), f"export-{number}.csv")
    db.session.commit()

    first, second = admin.get("/deals/import"), admin.get("/deals/import?page=2")

    assert "export-5.csv" in first.text
    assert "export-1.csv" in first.text
    assert "export-0.csv" not in first.text
    assert "export-0.csv" in second.text
    assert "Page 1 of 2" in first.text
    assert admin.get("/deals/import?page=x").status_code == 422


def test_a_lost_upload_is_explained_and_imports_nothing(app, users, client):
    admin = signed_in(client, users["admin"])
    deal_import, _plan = create_import(users["admin"], export(ROWS), "pipeline.csv")
    db.session.commit()
    file_store().delete(deal_import.storage_name)

    page = admin.get(f"/deals/import/{deal_import.id}")
    run = admin.form(f"/deals/import/{deal_import.id}/run", follow_redirects=True)

    assert flashes(page) == ["The uploaded file is no longer on the server: upload it again."]
    assert "Upload the file again" in page.text
    assert "Import these deals" not in page.text
    assert "The uploaded file is no longer on the server" in flashes(run)[0]
    db.session.expire_all()
    assert (deal_import.status, count(Deal)) == ("previewed", 0)


def test_a_large_file_is_imported_in_the_background_and_the_admin_is_told(app, users, client):
    app.config["CRM_IMPORT_INLINE_ROWS"] = 2
    admin = signed_in(client, users["admin"])
    rows = [opportunity(n, name=f"Deal {n}") for n in range(1, 5)]
    admin.get(redirect_path(upload(admin, export(rows))))  # the preview, read
    deal_import = db.session.scalar(select(DealImport))
    queue = job_queue(app)
    queue.held.clear()

    started = admin.form(f"/deals/import/{deal_import.id}/run", follow_redirects=True)

    assert flashes(started) == [
        "The import runs in the background: you will be notified when it is done, and this "
        "page shows what it did."
    ]
    assert "This file is being imported in the background since" in text(started)
    assert count(Deal) == 0
    assert [(q.name, q.arguments) for q in queue.held] == [
        ("deals.import", {"import_id": deal_import.id, "actor_id": users["admin"].id})
    ]
    again = admin.form(f"/deals/import/{deal_import.id}/run", follow_redirects=True)
    assert flashes(again)[0].startswith("This file is being imported since ")
    assert "Importing…" in text(admin.get("/deals/import"))

    started_at = deal_import.imported_at
    assert run_held() == 1

    assert count(Deal) == 4
    db.session.refresh(deal_import)
    assert deal_import.imported_at > started_at, "the import's time is when it finished"
    page = admin.get(f"/deals/import/{deal_import.id}")
    assert "4 created, 0 updated, 0 unchanged, 0 rejected" in text(page)
    (note,) = db.session.scalars(select(Notification).where(Notification.kind == "deals_imported"))
    assert note.user_id == users["admin"].id
    assert note.text == "Imported “pipeline.csv”: 4 created, 0 updated, 0 unchanged, 0 rejected"
    assert note.link == f"/deals/import/{deal_import.id}"
    finish_import(deal_import.id, users["admin"].id)  # a second run finds it done
    assert count(Deal) == 4
