"""`flask --app portal search rebuild | extract | check | worker --once`."""

import shutil
from datetime import timedelta

from sqlalchemy import delete, update
from whoosh import index as whoosh_index

from content.library.models import StoredFile
from content.usage import ratings
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from search import indexing
from search.models import SearchOutbox, SignalRefresh
from tests.factories import make_asset, pdf_bytes
from tests.search.helpers import find, index_now, outbox_asset_ids, outbox_size, signal_refreshes


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["search", *args])


def indexed_ids() -> list[int]:
    return sorted(indexing.get_backend().indexed())


def test_rebuild_indexes_every_asset_with_a_progress_bar(app, marketer):
    ids = sorted(make_asset(marketer, f"Pricing sheet {n}").id for n in range(3))
    draft = make_asset(marketer, "Pricing draft", publish=False).id

    result = run(app, "rebuild")

    assert result.exit_code == 0, result.output
    assert "Indexing assets" in result.output
    assert result.output.strip().endswith("Indexed 4 assets.")
    assert indexed_ids() == sorted([*ids, draft])
    assert outbox_size() == 0, "what was queued before the rebuild is covered by it"
    assert sorted(h.asset_id for h in find(indexing.get_backend(), "pricing").hits) == ids


def test_rebuild_refuses_clearly_while_another_process_writes_the_index(app, marketer):
    make_asset(marketer, "Pricing guide")
    index_now()
    held = whoosh_index.open_dir(app.config["SEARCH_INDEX_PATH"]).writer()

    try:
        result = run(app, "rebuild")
    finally:
        held.cancel()

    assert result.exit_code == 1
    assert "Another process is writing the index; stop it and try again." in result.output
    assert "Traceback" not in result.output


def test_check_is_healthy_after_indexing(app, marketer):
    make_asset(marketer, "Pricing guide")
    make_asset(marketer, "ROI calculator")
    index_now()

    result = run(app, "check")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Missing from the index: 0 []",
        "Stale in the index: 0 []",
        "In the index but deleted: 0 []",
        "Outbox backlog: 0",
        "Ranking signals waiting: 0 (overdue: 0)",
    ]


def test_check_fails_with_the_numbers_when_the_index_was_deleted(app, marketer):
    ids = [make_asset(marketer, f"Pricing sheet {n}").id for n in range(2)]
    index_now()
    shutil.rmtree(app.config["SEARCH_INDEX_PATH"])

    result = run(app, "check")

    assert result.exit_code == 1
    assert f"Missing from the index: 2 {ids}" in result.output
    assert "Outbox backlog: 0" in result.output

    assert run(app, "rebuild").exit_code == 0
    assert run(app, "check").exit_code == 0


def test_check_fails_while_the_outbox_has_a_backlog(app, marketer):
    asset = make_asset(marketer, "Pricing guide")

    result = run(app, "check")

    assert result.exit_code == 1
    assert "Outbox backlog: 1" in result.output
    assert f"Missing from the index: 1 [{asset.id}]" in result.output


def test_check_counts_waiting_signals_and_fails_only_on_overdue_ones(app, marketer, rep):
    asset = make_asset(marketer, "Pricing guide")
    index_now()
    ratings.rate(asset, rep, 5)
    db.session.commit()

    waiting = run(app, "check")
    db.session.execute(update(SignalRefresh).values(due_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    overdue = run(app, "check")

    assert waiting.exit_code == 0, waiting.output
    assert "Ranking signals waiting: 1 (overdue: 0)" in waiting.output
    assert overdue.exit_code == 1, "the sweep that moves due signals is not running"
    assert "Ranking signals waiting: 1 (overdue: 1)" in overdue.output


def test_rebuild_covers_the_signals_waiting(app, marketer, rep):
    asset = make_asset(marketer, "Pricing guide")
    index_now()
    ratings.rate(asset, rep, 5)
    db.session.commit()
    assert signal_refreshes().keys() == {asset.id}

    assert run(app, "rebuild").exit_code == 0

    assert signal_refreshes() == {}
    [hit] = find(indexing.get_backend(), "pricing").hits
    assert hit.asset_id == asset.id


def test_drain_indexes_the_outbox_now(app, marketer):
    ids = sorted(make_asset(marketer, f"Pricing sheet {n}").id for n in range(2))

    result = run(app, "drain")

    assert result.exit_code == 0, result.output
    assert result.output == "Indexed 2 changes.\n"
    assert outbox_size() == 0
    assert indexed_ids() == ids
    again = run(app, "drain")
    assert (again.exit_code, again.output) == (0, "Indexed 0 changes.\n")


def test_extract_reads_waiting_files_now_and_queues_their_assets_for_the_index(app, marketer):
    asset = make_asset(
        marketer, "Adoption report", file=("report.pdf", pdf_bytes("Quokka adoption grew"))
    )
    stored_id = asset.latest_revision.file_id
    db.session.execute(delete(SearchOutbox))
    db.session.commit()

    result = run(app, "extract")

    assert result.exit_code == 0, result.output
    assert "Files read: 1." in result.output
    db.session.expire_all()
    assert db.session.get(StoredFile, stored_id).extraction_status == "extracted"
    assert outbox_asset_ids() == [asset.id]
    index_now()
    assert [h.asset_id for h in find(indexing.get_backend(), "quokka").hits] == [asset.id]
    again = run(app, "extract").output.strip()
    assert again.endswith("Files read: 0. The indexer picks up their assets.")
