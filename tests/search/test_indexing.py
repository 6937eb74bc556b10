"""The outbox and the indexer: every change that affects search reaches the index, in
order, and a crash at any point loses no update."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from whoosh import index as whoosh_index

from content.library.models import Asset, AssetRevision, Stage, Tag
from content.library.services import AssetInput, create_asset, revise_asset
from content.taxonomy.services import delete_term, save_term
from content.usage import events as usage
from content.usage import ratings
from portal.demo.seed import sign_off_and_publish
from portal.kernel.extensions import db
from portal.kernel.jobs import FailedJob, job_queue, retry_failed, run_held
from portal.kernel.models import User, utcnow
from search import indexing, service
from search import jobs as search_jobs
from search.documents import load_documents
from tests.factories import make_asset, pdf_bytes, reviewers
from tests.search.helpers import (
    bring_signals_due,
    document,
    find,
    give_signals,
    index_now,
    outbox_asset_ids,
    outbox_size,
    signal_refreshes,
)
from workflows.review import collaborators
from workflows.review.machine import transition


def found_ids(user, query: str, **options) -> list[int]:
    return [hit.asset_id for hit in service.search(user, query, {}, **options).result.hits]


def stage(slug: str) -> Stage:
    return db.session.scalar(select(Stage).where(Stage.slug == slug))


# ---- the outbox ----------------------------------------------------------------------------


def test_each_step_of_an_assets_life_writes_an_outbox_row_with_its_commit(marketer):
    sales, marketing = reviewers()
    data = AssetInput(title="Pricing guide", body="Seats.", stages=[stage("awareness")])
    asset = create_asset(marketer, data)
    assert outbox_size() == 0, "nothing is written before the commit"
    db.session.commit()
    assert outbox_asset_ids() == [asset.id]

    def step(change) -> list[int]:
        index_now()
        change()
        db.session.commit()
        return outbox_asset_ids()

    edit = AssetInput(title="Pricing guide", body="Seats and plans.", stages=[stage("decision")])
    changes = {
        "revise": lambda: revise_asset(asset, marketer, asset.latest_revision_id, edit),
        "invite sales": lambda: collaborators.invite(asset, marketer, sales.email, "reviewer"),
        "invite marketing": lambda: collaborators.invite(
            asset, marketer, marketing.email, "reviewer"
        ),
        "submit": lambda: transition(asset, marketer, "submit"),
        "request changes": lambda: transition(asset, sales, "request_changes", "Name the plans."),
        "submit again": lambda: transition(asset, marketer, "submit"),
        "sales approves": lambda: transition(asset, sales, "approve"),
        "marketing approves": lambda: transition(asset, marketing, "approve"),
        "publish": lambda: transition(asset, marketer, "publish"),
        "archive": lambda: transition(asset, marketer, "archive"),
        "restore": lambda: transition(asset, marketer, "restore"),
    }
    queued = {name: step(change) for name, change in changes.items()}

    assert queued == dict.fromkeys(changes, [asset.id])


def test_a_rolled_back_change_writes_no_outbox_row(marketer):
    sign_off = reviewers()
    asset = make_asset(marketer, "Pricing guide", publish=False)
    index_now()

    sign_off_and_publish(asset, marketer, sign_off)
    db.session.rollback()
    data = AssetInput(title="Never saved", body="Words.", stages=[stage("awareness")])
    create_asset(marketer, data)
    db.session.rollback()

    assert outbox_size() == 0
    db.session.commit()  # an empty transaction after the rollback writes nothing either
    assert outbox_size() == 0


def test_renaming_or_deleting_a_taxonomy_term_queues_every_asset_that_carries_it(users):
    marketer, admin = users["marketer"], users["admin"]
    tagged = make_asset(marketer, "Pricing guide", tags=("pricing",))
    also = make_asset(marketer, "Price FAQ", tags=("pricing", "roi"))
    make_asset(marketer, "Security primer", tags=("security",))
    index_now()
    tag = db.session.scalar(select(Tag).where(Tag.slug == "pricing"))

    save_term(admin, "tags", tag.id, "Pricing & packaging", "pricing-and-packaging")
    db.session.commit()

    assert sorted(outbox_asset_ids()) == sorted([tagged.id, also.id])
    index_now()
    hits = service.search(users["rep"], "pricing", {"tags": "pricing-and-packaging"})
    assert sorted(hit.asset_id for hit in hits.result.hits) == sorted([tagged.id, also.id])

    delete_term(admin, "tags", tag.id)
    db.session.commit()

    assert sorted(outbox_asset_ids()) == sorted([tagged.id, also.id])
    index_now()
    facets = service.search(users["rep"], "pricing", {}).result.facets
    assert dict(facets["tags"]) == {"roi": 1}, "the deleted tag is gone from the index"


def test_ratings_and_uses_wait_for_the_signal_delay_but_views_queue_nothing(marketer, rep):
    asset = make_asset(marketer, "Pricing guide")
    index_now()

    before = utcnow()
    ratings.rate(asset, rep, 4, "Clear.")
    db.session.commit()
    assert outbox_asset_ids() == [], "a signal waits for the delay"
    [due_at] = signal_refreshes().values()
    assert before + timedelta(seconds=300) <= due_at <= utcnow() + timedelta(seconds=300)

    usage.record_view(asset, rep)
    usage.record_download(asset, rep, asset.live_revision)
    db.session.commit()
    assert signal_refreshes() == {asset.id: due_at}, "the first signal sets the due time"
    assert index_now() == 0, "nothing is due yet"

    bring_signals_due()
    assert index_now() == 1
    assert signal_refreshes() == {}
    [indexed], _gone = load_documents([asset.id])
    assert (indexed.rating_average, indexed.rating_count, indexed.usage_count) == (4.0, 1, 1)

    usage.record_view(asset, rep, now=utcnow() + timedelta(hours=1))
    db.session.commit()
    assert signal_refreshes() == {}, "a view does not change the ranking"
    ratings.rate(asset, rep, 5)
    db.session.rollback()
    assert signal_refreshes() == {}, "a rolled-back rating queues nothing"

    db.session.get(Asset, asset.id).review_by = date(2020, 1, 1)
    db.session.commit()
    assert outbox_asset_ids() == [asset.id]


def test_with_no_signal_delay_a_rating_reaches_the_outbox_with_its_commit(app, marketer, rep):
    asset = make_asset(marketer, "Pricing guide")
    index_now()
    app.config["SEARCH_SIGNAL_DELAY_SECONDS"] = 0

    ratings.rate(asset, rep, 4)
    db.session.commit()

    assert (outbox_asset_ids(), signal_refreshes()) == ([asset.id], {})


# ---- draining ------------------------------------------------------------------------------


class WriterLog:
    """Wraps the app's backend to record what each writer upserted and committed."""

    def __init__(self, backend, fail_commit: bool = False, poison: frozenset[int] = frozenset()):
        self.backend = backend
        self.fail_commit = fail_commit
        self.poison = poison
        self.batches: list[list[int]] = []
        self._writer = backend.writer

    def writer(self):
        real = self._writer()
        if real is None:
            return None
        batch: list[int] = []
        self.batches.append(batch)
        log = self

        class Recording:
            def upsert(self, doc):
                if doc.asset_id in log.poison:
                    raise ValueError(f"cannot index asset {doc.asset_id}")
                batch.append(doc.asset_id)
                real.upsert(doc)

            def delete(self, asset_id):
                real.delete(asset_id)

            def commit(self):
                if log.fail_commit:
                    raise OSError("disk full")
                real.commit()

            def cancel(self):
                real.cancel()

        return Recording()


def test_drain_indexes_the_outbox_in_order_and_in_batches(marketer, rep, monkeypatch):
    assets = [make_asset(marketer, f"Pricing sheet {n}") for n in range(5)]
    backend = indexing.get_backend()
    log = WriterLog(backend)
    monkeypatch.setattr(backend, "writer", log.writer)

    processed = indexing.drain(batch=2)

    ids = [a.id for a in assets]
    assert processed == 5
    assert log.batches == [ids[0:2], ids[2:4], ids[4:5]]
    assert outbox_size() == 0
    assert sorted(found_ids(rep, "pricing")) == sorted(ids)


def test_an_index_commit_that_fails_keeps_the_rows_and_a_later_drain_indexes_them(
    marketer, rep, monkeypatch
):
    asset = make_asset(marketer, "Pricing guide")
    backend = indexing.get_backend()
    failing = WriterLog(backend, fail_commit=True)
    monkeypatch.setattr(backend, "writer", failing.writer)

    with pytest.raises(OSError, match="disk full"):
        indexing.drain()

    assert outbox_asset_ids() == [asset.id]
    assert found_ids(rep, "pricing") == []
    monkeypatch.undo()
    assert index_now() == 1
    assert found_ids(rep, "pricing") == [asset.id]
    assert outbox_size() == 0


def test_an_index_that_cannot_commit_keeps_every_row_of_the_batch(marketer, monkeypatch):
    assets = [make_asset(marketer, f"Pricing sheet {n}") for n in range(3)]
    backend = indexing.get_backend()
    monkeypatch.setattr(backend, "writer", WriterLog(backend, fail_commit=True).writer)

    with pytest.raises(OSError, match="disk full"):
        indexing.drain()

    assert outbox_asset_ids() == [a.id for a in assets]


def test_a_document_that_cannot_be_indexed_does_not_hold_up_the_others(
    app, marketer, rep, monkeypatch, caplog
):
    first, poison, last = (make_asset(marketer, f"Pricing sheet {n}") for n in range(3))
    later = make_asset(marketer, "Pricing FAQ")
    backend = indexing.get_backend()
    writers = WriterLog(backend, poison=frozenset({poison.id}))
    monkeypatch.setattr(backend, "writer", writers.writer)
    queue = job_queue(app)
    queue.held.clear()  # the commits' wake-ups

    processed = indexing.drain(batch=3)

    assert processed == 4
    assert outbox_size() == 0, "the poison's rows leave the outbox for a job of its own"
    assert [(q.name, q.arguments) for q in queue.held] == [
        ("search.index_asset", {"asset_id": poison.id})
    ]
    assert sorted(found_ids(rep, "pricing")) == sorted([first.id, last.id, later.id])
    assert f"Asset {poison.id} could not be indexed" in caplog.text

    # The job fails too (a held queue lists it at once; a worker would retry it first).
    run_held()
    (failed,) = db.session.scalars(select(FailedJob)).all()
    assert (failed.name, failed.argument_values) == ("search.index_asset", {"asset_id": poison.id})
    assert f"cannot index asset {poison.id}" in failed.error

    monkeypatch.undo()
    retry_failed(failed)
    db.session.commit()
    run_held()

    assert poison.id in found_ids(rep, "pricing")
    assert db.session.scalars(select(FailedJob)).all() == []


def test_a_crash_after_the_index_commit_replays_the_rows_harmlessly(marketer, rep, monkeypatch):
    asset = make_asset(marketer, "Pricing guide")

    def crash(*_args, **_kwargs):
        raise RuntimeError("killed before the outbox rows were deleted")

    monkeypatch.setattr(indexing, "delete", crash)
    with pytest.raises(RuntimeError):
        indexing.drain()
    monkeypatch.undo()

    assert outbox_asset_ids() == [asset.id], "rows go only after the index commit"
    assert found_ids(rep, "pricing") == [asset.id]
    assert index_now() == 1
    result = service.search(rep, "pricing", {}).result
    assert ([h.asset_id for h in result.hits], result.total) == ([asset.id], 1)
    assert outbox_size() == 0


def test_a_change_queued_while_another_indexer_overtakes_is_not_lost(app, marketer, monkeypatch):
    first = make_asset(marketer, "Pricing guide")
    later = make_asset(marketer, "ROI calculator", publish=False)
    index_now()
    give_signals(first.id, uses=1)
    delete_rows = indexing.delete

    def overtaken(table):
        # Between this indexer's index commit and its outbox delete, another indexer
        # drains the same rows, then an author saves a change.
        monkeypatch.setattr(indexing, "delete", delete_rows)
        indexing.drain()
        edit = AssetInput(title="ROI calculator", body="Kangaroo.", stages=[stage("decision")])
        draft = db.session.get(Asset, later.id)
        revise_asset(draft, marketer, draft.latest_revision_id, edit)
        db.session.commit()
        return delete_rows(table)

    monkeypatch.setattr(indexing, "delete", overtaken)
    indexing.drain()
    index_now()

    assert found_ids(marketer, "kangaroo", include_all=True) == [later.id]


def test_drain_skips_at_once_while_another_process_holds_the_writer(app, marketer, rep):
    make_asset(marketer, "Security primer")
    index_now()  # creates the index
    asset = make_asset(marketer, "Pricing guide")
    held = whoosh_index.open_dir(app.config["SEARCH_INDEX_PATH"]).writer()

    try:
        assert indexing.drain() is None
        assert outbox_asset_ids() == [asset.id]
    finally:
        held.cancel()

    assert index_now() == 1
    assert found_ids(rep, "pricing") == [asset.id]


def test_a_deleted_asset_leaves_the_index(marketer, rep):
    kept = make_asset(marketer, "Pricing guide")
    gone = make_asset(marketer, "Pricing FAQ")
    index_now()

    db.session.delete(gone)
    db.session.commit()
    index_now()

    assert found_ids(rep, "pricing") == [kept.id]
    assert set(indexing.get_backend().indexed()) == {kept.id}


def test_drafts_are_indexed_for_authors_and_hidden_from_reps(marketer, rep):
    draft = make_asset(marketer, "Pricing draft", publish=False)
    index_now()

    assert found_ids(rep, "pricing", include_all=True) == []
    assert found_ids(marketer, "pricing") == []
    assert found_ids(marketer, "pricing", include_all=True) == [draft.id]


def test_a_published_asset_shows_its_live_words_until_the_new_revision_is_published(marketer, rep):
    asset = make_asset(marketer, "Pricing guide", body="The wombat plan.")
    revise_asset(
        asset,
        marketer,
        asset.latest_revision_id,
        AssetInput(title="Pricing guide", body="The platypus plan.", stages=[stage("awareness")]),
    )
    db.session.commit()
    index_now()

    assert found_ids(rep, "wombat") == [asset.id]
    assert found_ids(rep, "platypus") == []

    sign_off_and_publish(asset, marketer, reviewers())
    db.session.commit()
    index_now()

    assert (found_ids(rep, "wombat"), found_ids(rep, "platypus")) == ([], [asset.id])


# ---- rebuild and check ---------------------------------------------------------------------


def put_orphan(backend, asset_id: int = 9999) -> None:
    writer = backend.writer()
    writer.upsert(document(asset_id, "Pricing for a deleted asset"))
    writer.commit()


def test_rebuild_restores_an_emptied_index_and_drops_orphans(marketer):
    ids = sorted(make_asset(marketer, f"Pricing sheet {n}").id for n in range(3))
    index_now()
    backend = indexing.get_backend()
    backend.clear()
    assert find(backend, "pricing").total == 0
    put_orphan(backend)
    ticks: list[int] = []

    count = indexing.rebuild(progress=ticks.append)

    assert count == 3
    assert sum(ticks) == 3
    assert sorted(hit.asset_id for hit in find(backend, "pricing").hits) == ids
    assert sorted(backend.indexed()) == ids


def test_a_revision_keeps_its_body_as_plain_text_for_the_index(marketer, rep):
    asset = make_asset(marketer, "Objection handling", body="## Pricing\n\n**Seats** &amp; plans")

    assert asset.latest_revision.body_text == "Pricing\nSeats & plans"
    index_now()
    assert found_ids(rep, "seats") == [asset.id]


def test_revisions_saved_before_plain_text_was_kept_are_indexed_from_their_markdown(marketer, rep):
    asset = make_asset(marketer, "Objection handling", body="## Pricing\n\n**Seats** and plans")
    rep_id = rep.id
    revision = asset.latest_revision
    db.session.execute(
        AssetRevision.__table__.update()
        .where(AssetRevision.id == revision.id)
        .values(body_text=None)
    )
    db.session.commit()
    db.session.expire_all()

    indexing.rebuild()  # (expunges the session's objects as it goes)

    rep = db.session.get(User, rep_id)
    hits = service.search(rep, "seats", {}).result.hits
    assert [hit.asset_id for hit in hits] == [asset.id]
    assert "**" not in hits[0].snippet
    assert "##" not in hits[0].snippet


def test_check_reports_missing_stale_orphaned_and_backlog(marketer):
    indexed = make_asset(marketer, "Pricing guide")
    index_now()
    backend = indexing.get_backend()
    marketer_id = marketer.id
    assert indexing.check().healthy  # (expunges the session's objects as it goes)

    marketer = db.session.get(User, marketer_id)
    indexed = db.session.get(Asset, indexed.id)
    put_orphan(backend, 9999)
    revise_asset(
        indexed,
        marketer,
        indexed.latest_revision_id,
        AssetInput(title="Pricing guide v2", body="New.", stages=[stage("awareness")]),
    )
    never = make_asset(marketer, "ROI calculator")
    never_id, indexed_id = never.id, indexed.id
    report = indexing.check()

    assert (report.missing, report.stale, report.orphaned) == ([never_id], [indexed_id], [9999])
    assert report.backlog == 2
    assert not report.healthy

    index_now()
    after_drain = indexing.check()
    assert (after_drain.missing, after_drain.stale, after_drain.backlog) == ([], [], 0)
    assert after_drain.orphaned == [9999]
    assert not after_drain.healthy
    indexing.rebuild()
    assert indexing.check().healthy


# ---- the indexing jobs ----------------------------------------------------------------


def test_a_commit_that_changes_an_asset_asks_for_the_index_job_once(app, marketer, rep):
    queue = job_queue(app)
    queue.held.clear()
    asset = make_asset(marketer, "Pricing guide")  # several commits, one job each
    assert {q.name for q in queue.held} == {"search.index"}

    run_held()

    assert outbox_size() == 0
    assert found_ids(rep, "pricing") == [asset.id]


def test_a_rolled_back_change_asks_for_no_job(app, marketer):
    asset = make_asset(marketer, "Pricing guide")
    queue = job_queue(app)
    queue.held.clear()

    asset.title = "Renamed"
    db.session.flush()
    db.session.rollback()

    assert queue.held == []


def old_layout_index(path) -> None:
    """An index as an earlier release of Tandem left it: other fields, no columns."""
    from whoosh.fields import ID, TEXT, Schema

    path.mkdir(parents=True, exist_ok=True)
    whoosh_index.create_in(str(path), Schema(asset_id=ID(stored=True, unique=True), title=TEXT()))


def test_rebuild_replaces_an_index_of_an_older_layout(app, marketer, rep):
    asset = make_asset(marketer, "Pricing guide")
    asset_id, rep_id = asset.id, rep.id
    backend = indexing.get_backend()
    old_layout_index(backend.path)
    assert backend.outdated()
    assert found_ids(rep, "pricing") == [], "an unreadable index answers nothing, not a 500"

    assert indexing.rebuild() == 1  # (expunges the session's objects as it goes)

    assert not backend.outdated()
    assert found_ids(db.session.get(User, rep_id), "pricing") == [asset_id]


def test_the_index_job_rebuilds_an_outdated_index_first(app, marketer, rep):
    asset = make_asset(marketer, "Pricing guide")
    asset_id, rep_id = asset.id, rep.id
    index_now()
    backend = indexing.get_backend()
    old_layout_index(backend.path)

    search_jobs.index()  # (the rebuild expunges the session's objects as it goes)

    assert not backend.outdated()
    assert found_ids(db.session.get(User, rep_id), "pricing") == [asset_id]


def test_the_jobs_read_an_uploaded_file_then_index_its_words(marketer, rep):
    asset = make_asset(
        marketer, "Analyst report", file=("report.pdf", pdf_bytes("Quokka adoption grew"))
    )
    assert asset.latest_revision.file.extraction_status == "pending"

    index_now()

    db.session.expire_all()
    assert asset.latest_revision.file.extraction_status == "extracted"
    assert found_ids(rep, "quokka") == [asset.id]
    assert outbox_size() == 0
