"""Ranking signals reach the index in batches: many buyer opens of one asset re-index it
once, when the signal delay has passed, with every open counted; content changes are
still indexed at once."""

import threading
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from content.library.models import Asset, Stage
from content.library.services import AssetInput, revise_asset
from content.usage import events as usage
from content.usage import ratings, share_links
from content.usage.models import RANKED_KINDS, ShareLink, UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from search import indexing, service, signal_refresh
from tests.factories import POSTGRES_ONLY, assert_no_errors, make_asset, run_together
from tests.search.helpers import (
    bring_signals_due,
    index_now,
    outbox_asset_ids,
    outbox_size,
    signal_refreshes,
)

BROWSER = "Mozilla/5.0 (Macintosh) Safari/605.1.15"


class Written:
    """Records the documents the app's backend writes (the re-indexes)."""

    def __init__(self, backend) -> None:
        self.documents: list = []
        self._writer = backend.writer
        self._lock = threading.Lock()

    def writer(self, **options):
        real = self._writer(**options)
        if real is None:
            return None
        log = self

        class Recording:
            def upsert(self, document):
                with log._lock:
                    log.documents.append(document)
                real.upsert(document)

            def __getattr__(self, name):
                return getattr(real, name)

        return Recording()

    def of(self, asset_id: int) -> list:
        return [d for d in self.documents if d.asset_id == asset_id]


@pytest.fixture
def written(app, monkeypatch) -> Written:
    backend = indexing.get_backend()
    log = Written(backend)
    monkeypatch.setattr(backend, "writer", log.writer)
    return log


def twins(marketer) -> list[int]:
    body = "Anchor on value before price and trade concessions."
    return [
        make_asset(marketer, "Procurement negotiation guide", body=body).id for _twin in range(2)
    ]


def ranked(user, query: str) -> list[int]:
    return [hit.asset_id for hit in service.search(user, query, {}).result.hits]


def ranked_uses(asset_id: int) -> int:
    return db.session.scalar(
        select(func.count(UsageEvent.id)).where(
            UsageEvent.asset_id == asset_id, UsageEvent.kind.in_(RANKED_KINDS)
        )
    )


def test_a_hundred_buyer_opens_reindex_the_asset_once_when_the_delay_has_passed(
    marketer, rep, written
):
    twins(marketer)
    index_now()
    other, popular = ranked(rep, "procurement negotiation")  # the signals must reverse it
    link, _token = share_links.create_link(db.session.get(Asset, popular), rep)
    db.session.commit()
    written.documents.clear()

    for n in range(100):
        view = share_links.buyer_view(link, share_links.visitor_hash(f"198.51.100.{n}", BROWSER))
        usage.record_quietly("a buyer view", view.record)  # as the share page does
        if n % 10 == 9:
            index_now()  # the schedule's sweep, every few seconds

    assert written.documents == [], "no open re-indexed the asset"
    assert outbox_size() == 0
    [(asset_id, due_at)] = signal_refreshes().items()
    assert asset_id == popular
    assert signal_refresh.move_due(now=due_at - timedelta(seconds=1)) == 0
    assert signal_refresh.move_due(now=due_at) == 1
    assert index_now() == 1
    [document] = written.documents
    assert (document.asset_id, document.usage_count) == (popular, 101)  # the share and opens
    assert ranked(rep, "procurement negotiation") == [popular, other]
    assert signal_refreshes() == {}


def test_buyer_opens_of_the_share_page_wait_for_the_delay_too(app, client, marketer, rep, written):
    asset = make_asset(marketer, "Security whitepaper")
    index_now()
    _link, token = share_links.create_link(asset, rep)
    db.session.commit()
    written.documents.clear()

    for n in range(3):
        page = client.get(
            f"/s/{token}",
            headers={"User-Agent": BROWSER},
            environ_base={"REMOTE_ADDR": f"203.0.113.{n}"},
        )
        page.close()  # the open is recorded once the page has gone out
        assert page.status_code == 200
    index_now()

    assert ranked_uses(asset.id) == 4
    assert (written.documents, outbox_size(), list(signal_refreshes())) == ([], 0, [asset.id])
    bring_signals_due()
    index_now()
    assert [d.usage_count for d in written.of(asset.id)] == [4]


def test_a_rating_reaches_the_index_when_its_delay_has_passed(app, marketer, rep, written):
    asset = make_asset(marketer, "Pricing guide")
    index_now()
    app.config["SEARCH_SIGNAL_DELAY_SECONDS"] = 60
    written.documents.clear()

    ratings.rate(asset, rep, 5, "Clear.")
    db.session.commit()
    [due_at] = signal_refreshes().values()

    assert signal_refresh.move_due(now=due_at - timedelta(seconds=1)) == 0
    assert signal_refresh.move_due(now=due_at + timedelta(seconds=59)) == 1
    assert index_now() == 1
    [document] = written.documents
    assert (document.rating_average, document.rating_count) == (5.0, 1)


def test_a_content_edit_while_signals_wait_is_indexed_at_once_with_them(marketer, rep, written):
    asset = make_asset(marketer, "Pricing guide")
    index_now()
    ratings.rate(asset, rep, 4)
    db.session.commit()
    assert list(signal_refreshes()) == [asset.id]
    written.documents.clear()

    decision = db.session.scalar(select(Stage).where(Stage.slug == "decision"))
    edit = AssetInput(title="Pricing guide", body="Seats and plans.", stages=[decision])
    revise_asset(asset, marketer, asset.latest_revision_id, edit)
    db.session.commit()
    index_now()

    [document] = written.documents  # at once, not when the rating's delay has passed
    assert (document.asset_id, document.rating_average) == (asset.id, 4.0)
    assert signal_refreshes() == {}, "the edit's document carried the signals"

    ratings.rate(asset, rep, 2)
    again = AssetInput(title="Pricing guide", body="Seats, plans and terms.", stages=[decision])
    revise_asset(asset, marketer, asset.latest_revision_id, again)
    db.session.commit()
    assert (outbox_asset_ids(), signal_refreshes()) == ([asset.id], {}), "one commit, both"


def test_a_signal_committed_while_the_indexer_works_keeps_its_refresh(
    app, monkeypatch, marketer, rep, written
):
    asset = make_asset(marketer, "Pricing guide")
    index_now()
    ratings.rate(asset, rep, 4)
    db.session.commit()
    asset.review_by = date(2030, 1, 1)  # a change of content: indexed at once
    db.session.commit()
    written.documents.clear()
    rep_id = rep.id
    read_documents = indexing.load_documents

    def then_a_download(asset_ids):
        found = read_documents(asset_ids)

        def download():  # another request, committed after the document was read
            with app.app_context():
                opened = db.session.get(Asset, asset.id)
                user = db.session.get(User, rep_id)
                usage.record_download(opened, user, opened.live_revision)
                db.session.commit()
                db.session.remove()

        assert_no_errors(run_together([download]))
        return found

    with monkeypatch.context() as patch:
        patch.setattr(indexing, "load_documents", then_a_download)
        index_now()

    assert [d.usage_count for d in written.of(asset.id)] == [0]
    assert list(signal_refreshes()) == [asset.id], "the download's refresh is kept"
    bring_signals_due()
    index_now()
    assert [d.usage_count for d in written.of(asset.id)] == [0, 1]


OPENERS = 6
OPENS_EACH = 10


def _opener(app, barrier, link_id: int, thread: int, done: list):
    """One thread of buyers opening the link, each open committed as the share page
    commits it (errors raised, not logged: the test must see them)."""

    def work():
        with app.app_context():
            try:
                link = db.session.get(ShareLink, link_id)
                view = share_links.buyer_view(link, "")
                barrier.wait(timeout=20)
                for n in range(OPENS_EACH):
                    replace(view, visitor_hash=f"{thread}-{n}").record()
                    db.session.commit()
            finally:
                db.session.remove()
                done.append(thread)

    return work


def _drainer(app, done: list):
    """The indexer, moving every refresh as if the delay were nil, while buyers open."""

    def work():
        with app.app_context():
            try:
                while len(done) < OPENERS:
                    signal_refresh.move_due(now=utcnow() + timedelta(days=1))
                    indexing.drain()
            finally:
                db.session.remove()

    return work


# Concurrent writers: SQLite serialises them whole.
@POSTGRES_ONLY
def test_buyers_opening_one_link_at_once_leave_one_refresh_and_lose_no_open(
    app, marketer, rep, written
):
    asset = make_asset(marketer, "Pricing guide")
    link, _token = share_links.create_link(asset, rep)
    db.session.commit()
    index_now()

    done: list = []
    barrier = threading.Barrier(OPENERS)
    openers = [_opener(app, barrier, link.id, n, done) for n in range(OPENERS)]
    assert_no_errors(run_together(openers))

    assert list(signal_refreshes()) == [asset.id]
    assert ranked_uses(asset.id) == 1 + OPENERS * OPENS_EACH

    done.clear()
    barrier = threading.Barrier(OPENERS)
    openers = [_opener(app, barrier, link.id, OPENERS + n, done) for n in range(OPENERS)]
    assert_no_errors(run_together([*openers, _drainer(app, done)]))
    bring_signals_due()
    index_now()

    uses = ranked_uses(asset.id)
    assert uses == 1 + 2 * OPENERS * OPENS_EACH
    assert written.of(asset.id)[-1].usage_count == uses, "the last document counts every open"
    assert signal_refreshes() == {}


# A transaction held open beside the indexer: on SQLite it would hold the database.
@POSTGRES_ONLY
def test_a_refresh_whose_signal_is_still_being_committed_stays_for_the_next_sweep(
    app, monkeypatch, marketer, rep, written
):
    asset = make_asset(marketer, "Pricing guide")
    index_now()
    link, _token = share_links.create_link(asset, rep)
    db.session.commit()
    assert list(signal_refreshes()) == [asset.id], "the share's refresh waits"
    upserted, indexed = threading.Event(), threading.Event()
    queue = signal_refresh.queue

    def queue_then_wait(session, asset_ids):
        queue(session, asset_ids)
        upserted.set()  # the open's refresh is written; its commit comes after the drain
        indexed.wait(timeout=20)

    monkeypatch.setattr(signal_refresh, "queue", queue_then_wait)
    view = share_links.buyer_view(link, "late visitor")

    def late_open():
        with app.app_context():
            try:
                view.record()
                db.session.commit()
            finally:
                db.session.remove()

    opener = threading.Thread(target=late_open)
    opener.start()
    assert upserted.wait(timeout=20)
    moved = signal_refresh.move_due(now=utcnow() + timedelta(days=1))
    indexed.set()
    opener.join(timeout=20)
    monkeypatch.setattr(signal_refresh, "queue", queue)

    assert moved == 0, "the row was held by the open's transaction"
    bring_signals_due()
    index_now()
    assert written.of(asset.id)[-1].usage_count == 2  # the share and the late open
