"""The CRM import service: reading an export, the preview's classification of each row,
applying it once, and the mapping of CRM stages to buyer stages."""

import codecs
from datetime import date

import pytest
from sqlalchemy import func, select, text

from content.crm import stages as crm_stages
from content.crm.imports import create_import, legacy_import_folder, preview, run_import
from content.crm.models import CrmStageMapping, DealImport
from content.crm.plan import REFUSED_BY_DATABASE
from content.deals.models import Deal
from content.deals.services import DealInput, upsert_external
from content.files.storage import file_store
from content.library.models import Stage
from content.taxonomy import services as taxonomy
from portal.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from tests.content.crm_exports import HEADER, export, opportunity
from tests.factories import POSTGRES_ONLY, make_user


@pytest.fixture
def admin(users):
    return users["admin"]


def deals() -> dict[str, Deal]:
    db.session.expire_all()
    return {deal.external_id: deal for deal in db.session.scalars(select(Deal))}


def imported(admin, raw: bytes, filename: str = "opportunities.csv"):
    """Upload and import ``raw``; returns (the plan of the preview, the import's counts)."""
    deal_import, plan = create_import(admin, raw, filename)
    counts = run_import(admin, deal_import)
    db.session.commit()
    return plan, counts


def refusal(admin, raw: bytes, filename: str = "opportunities.csv") -> str:
    with pytest.raises(ValidationFailed) as refused:
        create_import(admin, raw, filename)
    db.session.rollback()
    assert db.session.scalar(select(func.count(DealImport.id))) == 0
    assert list(file_store().root.rglob("*.csv")) == [], "a refused file is not kept"
    return refused.value.message


def test_a_good_file_is_previewed_without_writing_then_imported(admin, users):
    raw = export(
        [
            opportunity(1, amount="$12,500.50", close_date="03/04/2026"),
            opportunity(2, stage="Closed Won", amount=""),
            opportunity(3, stage="decision", owner="REP@example.com "),
        ]
    )

    deal_import, plan = create_import(admin, raw, "Q3 pipeline.csv")
    db.session.commit()

    assert [deal.line for deal in plan.creates] == [2, 3, 4]
    assert (plan.counts.created, plan.rejects) == (3, [])
    assert deals() == {}
    assert (deal_import.status, deal_import.created_count, deal_import.encoding) == (
        "previewed", 3, "UTF-8",
    )  # fmt: skip
    stored = file_store().path(deal_import.storage_name)
    assert stored.read_bytes() == raw
    assert "Q3" not in deal_import.storage_name

    counts = run_import(admin, deal_import)
    db.session.commit()

    assert (counts.created, counts.updated, counts.unchanged, counts.rejected) == (3, 0, 0, 0)
    stored_deals = deals()
    first = stored_deals["0060000001"]
    assert (first.name, first.account, first.amount_cents) == ("Renewal 1", "Account 1", 1250050)
    assert (first.stage.slug, first.status, first.close_date) == (
        "consideration", "open", date(2026, 3, 4),
    )  # fmt: skip
    assert (first.owner_id, first.source) == (users["rep"].id, "import")
    won = stored_deals["0060000002"]
    assert (won.stage.slug, won.status, won.amount_cents) == ("onboarding", "won", None)
    assert stored_deals["0060000003"].stage.slug == "decision"
    assert deal_import.imported
    assert deal_import.imported_at is not None


def test_importing_the_same_file_twice_changes_nothing(admin, users):
    raw = export([opportunity(number) for number in range(1, 6)])
    imported(admin, raw)
    before = {key: (deal.updated_at, deal.name) for key, deal in deals().items()}

    plan, counts = imported(admin, raw)

    assert (plan.counts.created, plan.counts.updated, plan.counts.unchanged) == (0, 0, 5)
    assert (counts.created, counts.updated, counts.unchanged, counts.rejected) == (0, 0, 5, 0)
    assert {key: (deal.updated_at, deal.name) for key, deal in deals().items()} == before


def test_an_upload_imports_once(admin, users):
    deal_import, _plan = create_import(admin, export([opportunity(1)]), "once.csv")
    run_import(admin, deal_import)
    db.session.commit()

    with pytest.raises(Conflict, match="already imported"):
        run_import(admin, deal_import)

    assert (deal_import.created_count, deal_import.unchanged_count) == (1, 0)


def test_a_repeated_opportunity_id_rejects_the_later_rows(admin, users):
    raw = export([opportunity(1), opportunity(2), opportunity(1, name="Other"), opportunity(1)])

    plan, counts = imported(admin, raw)

    assert [(reject.line, reject.external_id) for reject in plan.rejects] == [
        (4, "0060000001"), (5, "0060000001"),
    ]  # fmt: skip
    assert "also on line 2" in plan.rejects[0].reason
    assert (counts.created, counts.rejected) == (2, 2)
    assert deals()["0060000001"].name == "Renewal 1"


def test_bad_rows_are_rejected_with_their_reasons_and_good_rows_still_import(admin, users):
    make_user("marketer", "writer@example.com")
    rows = [
        opportunity(1),
        opportunity(2, amount="twelve"),
        opportunity(3, close_date="13/45/2026"),
        opportunity(4, owner="nobody@example.com"),
        opportunity(5, owner="writer@example.com"),
        opportunity(6, stage="Discovery"),
        opportunity(7, name="  "),
        (*opportunity(8), "extra cell"),
        opportunity(9, id="", account=""),
        opportunity(10, close_date="2026-02-30"),
        opportunity(11),
    ]

    plan, counts = imported(admin, export(rows))

    reasons = {reject.line: reject.reason for reject in plan.rejects}
    assert sorted(reasons) == list(range(3, 12))
    assert reasons[3].startswith("Amount “twelve”: Write the amount as a number")
    assert "Close Date “13/45/2026” is not a date" in reasons[4]
    assert "MM/DD/YYYY" in reasons[4]
    assert "no active user has the email “nobody@example.com”" in reasons[5]
    assert "writer@example.com is a marketer; deals belong to reps." in reasons[6]
    assert "The CRM stage “Discovery” is not mapped to a buyer stage" in reasons[7]
    assert reasons[8] == "Opportunity Name: Name the deal, as it is called in your CRM."
    assert "The line has 8 cells but the header has 7" in reasons[9]
    assert reasons[10].startswith("Opportunity ID: Give the CRM's id of the deal.")
    assert "Account Name: Say which account" in reasons[10]
    assert "Close Date “2026-02-30” is not a date" in reasons[11]
    assert plan.unmapped == {"Discovery": 1}
    assert (counts.created, counts.rejected) == (2, 9)
    assert sorted(deals()) == ["0060000001", "0060000011"]


def test_a_windows_1252_file_is_read_with_a_warning(admin, users):
    raw = export(
        [opportunity(1, account="Société Générale", name="Müller – Renewal")], encoding="cp1252"
    )

    plan, _counts = imported(admin, raw)

    assert plan.export.encoding == "Windows-1252"
    assert "read as Windows-1252" in plan.export.warnings[0]
    deal = deals()["0060000001"]
    assert (deal.account, deal.name) == ("Société Générale", "Müller – Renewal")


@pytest.mark.parametrize(
    ("encoding", "delimiter", "read_as"),
    [("utf-8-sig", ",", "UTF-8"), ("utf-16", "\t", "UTF-16")],
)
def test_files_with_a_byte_order_mark_are_read_as_unicode(
    admin, users, encoding, delimiter, read_as
):
    raw = export(
        [opportunity(1, account="Zürich Ça Va 株式会社")], encoding=encoding, delimiter=delimiter
    )
    assert raw.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))

    plan, counts = imported(admin, raw)

    assert (plan.export.encoding, plan.export.warnings, counts.created) == (read_as, [], 1)
    assert deals()["0060000001"].account == "Zürich Ça Va 株式会社"


NOT_TEXT = "This is not a text CSV file."
REFUSED_FILES = {
    "binary": (bytes(range(256)) * 4, "x.csv", NOT_TEXT),
    "NUL bytes": (b"Opportunity ID,Name\x00\x01\x02\r\n", "x.csv", NOT_TEXT),
    "undefined in Windows-1252": (b"\x81\x8d\x8f garbage \x90\x9d", "x.csv", NOT_TEXT),
    "a workbook": (b"PK\x03\x04" + bytes(100), "x.csv", "This looks like an Excel workbook"),
    "empty": (b"", "x.csv", "The file is empty."),
    "not a .csv": (export([opportunity(1)]), "x.xlsx", "Upload the export as a .csv file"),
    "only a header": (export([]), "x.csv", "The file names its columns but has no opportunities"),
    "over the limit": (b"x" * 2049, "x.csv", "The file is larger than the 2 KB limit."),
    "missing columns": (
        export([("0061", "Renewal", "Acme")], header=HEADER[:3]),
        "x.csv",
        "The file lacks the required columns Stage, Owner Email. The first line must name",
    ),
    "a column twice": (
        export([("1", "2", "N", "A", "Decision", "rep@example.com")], header=("Id", *HEADER[:5])),
        "x.csv",
        "The columns “Id” and “Opportunity ID” both read as Opportunity ID; remove one",
    ),
}


def test_files_that_cannot_be_read_are_refused_whole(app, admin):
    app.config["MAX_UPLOAD_BYTES"] = 2048

    for problem, (raw, filename, message) in REFUSED_FILES.items():
        assert refusal(admin, raw, filename).startswith(message), problem

    assert deals() == {}


def test_semicolons_header_aliases_and_day_first_dates(app, admin, users):
    app.config["CRM_DATE_ORDER"] = "dmy"
    header = ("ID", "Name", "ACCOUNT", "Stage Name", "Close Date", "Opportunity Owner Email")
    header += ("Probability (%)", "Status")
    rows = [
        (
            "A-1",
            "Big deal",
            "Acme",
            "Negotiation/Review",
            "31/12/2026",
            "rep@example.com",
            "90",
            "",
        ),
        (
            "A-2",
            "Lost one",
            "Initech",
            "Qualification",
            "1/2/2026",
            "rep@example.com",
            "0",
            "Closed Lost",
        ),
        ("A-3", "Odd", "Umbrella", "Prospecting", "", "rep@example.com", "5", "maybe"),
    ]

    plan, counts = imported(admin, export(rows, header=header, delimiter=";"))

    assert (plan.export.delimiter_name, plan.export.ignored_columns) == (
        "semicolon", ["Probability (%)"],
    )  # fmt: skip
    assert plan.rejects[0].reason.startswith("Status “maybe” is not open, won or lost")
    stored = deals()
    assert (stored["A-1"].close_date, stored["A-1"].status, stored["A-1"].stage.slug) == (
        date(2026, 12, 31), "open", "decision",
    )  # fmt: skip
    assert (stored["A-2"].close_date, stored["A-2"].status) == (date(2026, 2, 1), "lost")
    assert counts.created == 2


def test_ten_thousand_rows(admin, users):
    reps = [users["rep"], *(make_user("rep", f"seller{n}@example.com") for n in range(4))]
    stages = ["Prospecting", "Needs Analysis", "Proposal/Price Quote", "Closed Won", "Closed Lost"]
    rows = [
        opportunity(
            number,
            owner=reps[number % 5].email,
            stage=stages[number % 5],
            amount=f"${number * 10:,}.25",
            close_date=f"{number % 12 + 1}/{number % 28 + 1}/2026",
        )
        for number in range(10_000)
    ]
    rows[5000] = opportunity(5000, amount="n/a")

    plan, counts = imported(admin, export(rows))

    assert (plan.counts.created, plan.counts.rejected) == (9_999, 1)
    assert (counts.created, counts.updated, counts.unchanged, counts.rejected) == (9_999, 0, 0, 1)
    assert db.session.scalar(select(func.count(Deal.id))) == 9_999
    sample = db.session.scalars(
        select(Deal).where(
            Deal.external_id.in_(["0060000000", "0060000003", "0060004567", "0060009999"])
        )
    ).all()
    found = {
        deal.external_id: (deal.amount_cents, deal.close_date, deal.status, deal.owner.email)
        for deal in sample
    }
    assert found == {
        "0060000000": (25, date(2026, 1, 1), "open", "rep@example.com"),
        "0060000003": (3025, date(2026, 4, 4), "won", "seller2@example.com"),
        "0060004567": (4567025, date(2026, 8, 4), "open", "seller1@example.com"),
        "0060009999": (9999025, date(2026, 4, 4), "lost", "seller3@example.com"),
    }


@POSTGRES_ONLY
def test_a_large_import_into_tables_analysed_empty_refreshes_their_statistics(admin, users):
    """Planned from "no rows" (a table analysed after its rows were deleted), the history
    writer's statements scanned the history once per deal: a 10,000-row import took
    minutes. The import counts the tables again as they grow."""
    db.session.commit()
    tables = ("deals", "deal_stage_changes")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE pg_class SET reltuples = 0, relpages = 85"
                " WHERE oid = ANY(CAST(:tables AS regclass[]))"
            ),
            {"tables": list(tables)},
        )
    rows = [opportunity(number) for number in range(2_000)]

    plan, counts = imported(admin, export(rows))

    assert counts.created == 2_000
    estimated = dict(
        db.session.execute(
            text("SELECT relname, reltuples FROM pg_class WHERE oid = ANY(CAST(:t AS regclass[]))"),
            {"t": list(tables)},
        ).all()
    )
    assert estimated == {"deals": 2_000, "deal_stage_changes": 2_000}


def test_an_update_shows_and_writes_what_changed(admin, users):
    other = make_user("rep", "other.rep@example.com")
    imported(admin, export([opportunity(1), opportunity(2)]))
    untouched = deals()["0060000002"].updated_at
    changed = opportunity(1, stage="Closed Won", amount="250000", owner=other.email)

    plan, counts = imported(admin, export([changed, opportunity(2)]))

    changes = [(c.field, c.old, c.new) for c in plan.updates[0].changes]
    assert changes == [
        ("Amount", "$100.50", "$250,000"),
        ("Stage", "Consideration", "Onboarding"),
        ("Status", "Open", "Won"),
        ("Owner", "rep@example.com", "other.rep@example.com"),
    ]
    assert (counts.updated, counts.unchanged) == (1, 1)
    deal, same = deals()["0060000001"], deals()["0060000002"]
    assert (deal.amount_cents, deal.stage.slug, deal.status, deal.owner_id) == (
        25_000_000, "onboarding", "won", other.id,
    )  # fmt: skip
    assert deal.updated_at > deal.created_at
    assert same.updated_at == untouched


def test_a_deal_the_api_created_since_the_preview_is_updated_not_duplicated(admin, users):
    deal_import, plan = create_import(admin, export([opportunity(1), opportunity(2)]), "x.csv")
    decision = db.session.scalar(select(Stage).where(Stage.slug == "decision"))
    upsert_external(
        admin, "0060000001", DealInput("From the API", "Acme", stage=decision), "rep@example.com"
    )

    counts = run_import(admin, deal_import, plan)
    db.session.commit()

    assert (counts.created, counts.updated, counts.unchanged) == (1, 1, 0)
    assert deals()["0060000001"].name == "Renewal 1"
    assert db.session.scalar(select(func.count(Deal.id))) == 2


def test_a_row_the_database_refuses_costs_only_itself(admin, users):
    rows = [opportunity(1), opportunity(2, stage="Prospecting"), opportunity(3)]
    deal_import, plan = create_import(admin, export(rows), "x.csv")
    awareness = db.session.scalar(select(Stage).where(Stage.slug == "awareness"))
    taxonomy.delete_term(admin, "stages", awareness.id)  # after the preview, before the import

    counts = run_import(admin, deal_import, plan)
    db.session.commit()

    assert (counts.created, counts.rejected) == (2, 1)
    assert deal_import.rejects == [
        {"line": 3, "external_id": "0060000002", "reason": REFUSED_BY_DATABASE}
    ]
    assert sorted(deals()) == ["0060000001", "0060000003"]


def test_crm_stage_mappings_are_edited_by_admins(admin, users):
    raw = export([opportunity(1, stage="  DISCOVERY call ")])
    deal_import, plan = create_import(admin, raw, "x.csv")
    assert plan.unmapped == {"DISCOVERY call": 1}

    mapping = crm_stages.save_mapping(admin, "Discovery  Call", stage("awareness"))
    assert preview(deal_import).creates[0].stage_name == "Awareness"
    again = crm_stages.save_mapping(admin, "discovery call", stage("consideration"))
    assert (again.id, again.crm_stage, again.stage.slug) == (
        mapping.id,
        "discovery call",
        "consideration",
    )
    assert preview(deal_import).creates[0].stage_name == "Consideration"
    crm_stages.delete_mapping(admin, mapping.id)
    assert preview(deal_import).unmapped == {"DISCOVERY call": 1}

    with pytest.raises(PermissionDenied):
        crm_stages.save_mapping(users["leader"], "Discovery", stage("awareness"))
    with pytest.raises(ValidationFailed) as refused:
        crm_stages.save_mapping(admin, "  ", None)
    assert set(refused.value.fields) == {"crm_stage", "stage"}


def test_default_mappings_are_added_once_and_never_override_an_edit(admin, users):
    assert crm_stages.ensure_default_mappings() == 10
    crm_stages.save_mapping(admin, "Prospecting", stage("consideration"))
    crm_stages.delete_mapping(admin, mapping_of("Closed Lost").id)

    assert crm_stages.ensure_default_mappings() == 1
    create_import(admin, export([opportunity(1)]), "x.csv")  # mappings exist: none added

    assert mapping_of("prospecting").stage.slug == "consideration"
    assert mapping_of("closed lost").stage.slug == "decision"
    assert db.session.scalar(select(func.count(CrmStageMapping.id))) == 10


def stage(slug: str) -> Stage:
    return db.session.scalar(select(Stage).where(Stage.slug == slug))


def mapping_of(label: str) -> CrmStageMapping:
    return db.session.scalar(
        select(CrmStageMapping).where(CrmStageMapping.key == crm_stages.stage_key(label))
    )


def test_nothing_is_imported_without_the_right(users):
    with pytest.raises(PermissionDenied):
        create_import(users["leader"], export([opportunity(1)]), "x.csv")


def test_an_export_uploaded_before_the_shared_store_is_still_found(admin, users):
    raw = export([opportunity(n) for n in (1, 2, 3)])
    deal_import, _plan = create_import(admin, raw, "pipeline.csv")
    db.session.commit()
    old = legacy_import_folder() / deal_import.storage_name
    old.parent.mkdir(parents=True, exist_ok=True)
    file_store().path(deal_import.storage_name).rename(old)

    assert preview(deal_import).counts.created == 3
