"""`flask --app portal deals import FILE` and `deals stages`."""

from sqlalchemy import func, select

from content.crm.models import CrmStageMapping, DealImport
from content.deals.models import Deal
from portal.kernel.extensions import db
from tests.content.crm_exports import export, opportunity


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["deals", *args])


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id)))


def test_import_writes_the_deals_and_names_the_rejects(app, users, tmp_path):
    path = tmp_path / "opportunities.csv"
    path.write_bytes(export([opportunity(1), opportunity(2, owner="ghost@example.com")]))

    result = run(app, "import", str(path))

    assert result.exit_code == 0, result.output
    assert "Read opportunities.csv: 2 rows (UTF-8, comma-separated)." in result.output
    assert "Imported: 1 created, 0 updated, 0 unchanged, 1 rejected" in result.output
    assert "line 3 (0060000002): Owner Email: no active user has the email" in result.output
    assert count(Deal) == 1
    deal_import = db.session.scalar(select(DealImport))
    assert (deal_import.source, deal_import.status, deal_import.uploaded_by) == (
        "cli", "imported", None,
    )  # fmt: skip

    again = run(app, "import", str(path))

    assert "Imported: 0 created, 0 updated, 1 unchanged, 1 rejected" in again.output
    assert count(Deal) == 1


def test_a_dry_run_writes_nothing(app, users, tmp_path):
    path = tmp_path / "opportunities.csv"
    path.write_bytes(export([opportunity(1), opportunity(2), opportunity(3, stage="Discovery")]))

    result = run(app, "import", "--dry-run", str(path))

    assert result.exit_code == 0, result.output
    assert "Dry run, nothing written. It would be: 2 created, 0 updated" in result.output
    assert "CRM stages without a buyer stage: Discovery (1 row). Map them" in result.output
    assert (count(Deal), count(DealImport), count(CrmStageMapping)) == (0, 0, 0)


def test_a_refused_file_exits_with_1_and_says_why(app, users, tmp_path):
    path = tmp_path / "opportunities.csv"
    path.write_bytes(export([("1", "A")], header=("Opportunity ID", "Opportunity Name")))

    result = run(app, "import", str(path))

    assert result.exit_code == 1
    assert "Error: The file lacks the required columns Account Name, Stage, Owner Email." in (
        result.output
    )
    assert (count(Deal), count(DealImport)) == (0, 0)


def test_stages_lists_the_mapping_and_help_names_the_columns(app):
    result = run(app, "stages", "--add-defaults")

    assert result.exit_code == 0, result.output
    assert "Mapped 10 of Salesforce's standard stages." in result.output
    assert "Prospecting           →  Awareness" in result.output
    assert "Closed Won            →  Onboarding" in result.output
    help_text = run(app, "import", "--help").output
    assert "Opportunity ID, Opportunity Name, Account Name, Stage" in help_text
    assert "--dry-run" in help_text
