"""Many people rating and using assets at the same moment: no rating, view, attachment,
share or buyer view is lost or counted twice.

Each worker thread has its own app context, session and connection, and a barrier
releases them together, so only the database keeps them apart (see RELIABILITY.md: the
read-then-write pattern lost most updates here).
"""

import threading

from sqlalchemy import func, select

from content.deals import services as deals
from content.deals.models import Deal
from content.library.models import Asset, Stage
from content.usage import events as usage
from content.usage import ratings, share_links
from content.usage.models import Rating, ShareLink, UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import User
from tests.factories import (
    assert_no_errors,
    login,
    make_asset,
    make_user,
    run_together,
    token_headers,
)

REPS = 6
THREADS_PER_REP = 2  # the same person on two devices at once


def _worker(app, barrier, rep_id: int, asset_id: int, deal_id: int, stars: int):
    """One thread of one rep: rate, open the page, download, attach, share, and the
    buyer opens the link twice; committed step by step as requests would be."""

    def work():
        with app.app_context():
            try:
                rep = db.session.get(User, rep_id)
                asset = db.session.get(Asset, asset_id)
                deal = db.session.get(Deal, deal_id)
                barrier.wait(timeout=20)
                ratings.rate(asset, rep, stars, f"{stars} stars from {rep.name}")
                db.session.commit()
                counted = usage.record_view(asset, rep)
                db.session.commit()
                usage.record_download(asset, rep, asset.live_revision)
                db.session.commit()
                _event, attached = usage.attach_to_deal(asset, rep, deal, "Sent after the demo")
                db.session.commit()
                link, token = share_links.create_link(asset, rep, deal)
                db.session.commit()
                for visitor in ("10.0.0.1", "10.0.0.2"):
                    opened = share_links.open_link(token)
                    share_links.record_buyer_view(opened, share_links.visitor_hash(visitor, "UA"))
                    db.session.commit()
                return counted, attached
            finally:
                db.session.remove()

    return work


def _count(kind: str, asset_id: int) -> int:
    return db.session.scalar(
        select(func.count(UsageEvent.id)).where(
            UsageEvent.kind == kind, UsageEvent.asset_id == asset_id
        )
    )


def test_concurrent_ratings_and_usage_lose_nothing_and_count_nothing_twice(app, users):
    asset = make_asset(users["marketer"], "Security one-pager", stages=("decision",))
    decision = db.session.scalar(select(Stage).where(Stage.slug == "decision"))
    reps = [make_user("rep", f"racer{n}@example.com") for n in range(REPS)]
    deal_ids = {}
    for rep in reps:
        deal = deals.create_deal(rep, deals.DealInput(f"{rep.name} deal", "Acme", 100, decision))
        db.session.commit()
        deal_ids[rep.id] = deal.id
    barrier = threading.Barrier(REPS * THREADS_PER_REP)
    workers = [
        _worker(app, barrier, rep.id, asset.id, deal_ids[rep.id], stars=1 + (n + copy) % 5)
        for n, rep in enumerate(reps)
        for copy in range(THREADS_PER_REP)
    ]

    results = run_together(workers)

    assert_no_errors(results)
    db.session.expire_all()
    # One rating per person, whichever of their two saves came last.
    stored = db.session.execute(select(Rating.user_id, Rating.stars)).all()
    assert len(stored) == REPS
    assert {user_id for user_id, _stars in stored} == {rep.id for rep in reps}
    summary = ratings.summary(asset)
    assert (summary.count, summary.average) == (REPS, sum(s for _u, s in stored) / REPS)
    # Each person's two simultaneous opens are one visit; each attachment happens once.
    counted = [counted for counted, _attached in results]
    attached = [attached for _counted, attached in results]
    assert counted.count(True) == REPS
    assert _count("view", asset.id) == REPS
    assert attached.count(True) == REPS
    assert _count("used_in_deal", asset.id) == REPS
    # Everything else is one event per act: nothing lost.
    workers_total = REPS * THREADS_PER_REP
    assert _count("download", asset.id) == workers_total
    assert _count("share", asset.id) == workers_total
    assert _count("buyer_view", asset.id) == 2 * workers_total
    assert db.session.scalar(select(func.count(ShareLink.id))) == workers_total
    summary = usage.usage_summary(asset, users["marketer"])
    assert (summary.deals, summary.readers) == (REPS, REPS)
    assert summary.count("buyer_view", "verified") == 2 * workers_total


def test_concurrent_requests_through_the_web_and_the_api_lose_nothing(app, users):
    """The same race through the HTTP stack: every request commits on its own
    connection, as under a threaded server."""
    asset = make_asset(users["marketer"], "Pricing one-pager", stages=("decision",))
    decision = db.session.scalar(select(Stage).where(Stage.slug == "decision"))
    reps = [make_user("rep", f"caller{n}@example.com") for n in range(REPS)]
    plans = []
    for n, rep in enumerate(reps):
        deal = deals.create_deal(rep, deals.DealInput(f"Deal {n}", "Acme", None, decision))
        db.session.commit()
        plans.append((rep, deal.id, token_headers(rep), 1 + n % 5))
    barrier = threading.Barrier(REPS * THREADS_PER_REP)

    asset_id = asset.id

    def caller(rep, deal_id, headers, stars):
        def work():
            with app.app_context():
                browser = login(app.test_client(), rep)
            api = app.test_client()
            barrier.wait(timeout=20)
            return [
                browser.get(f"/assets/{asset_id}").status_code,
                api.post(
                    f"/api/v1/assets/{asset_id}/ratings", json={"stars": stars}, headers=headers
                ).status_code,
                api.post(
                    f"/api/v1/assets/{asset_id}/usage",
                    json={"kind": "used_in_deal", "deal_id": deal_id},
                    headers=headers,
                ).status_code,
                api.post(
                    f"/api/v1/assets/{asset_id}/share-links", json={}, headers=headers
                ).status_code,
            ]

        return work

    results = run_together([caller(*plan) for plan in plans for _copy in range(THREADS_PER_REP)])

    assert_no_errors(results)
    for statuses in results:
        assert statuses[0] == 200, statuses
        assert statuses[1] == 200, statuses
        assert statuses[3] == 201, statuses
    created = sorted(statuses[2] for statuses in results)
    assert created == [200] * REPS + [201] * REPS, "each deal's attachment is created once"
    db.session.expire_all()
    assert ratings.summary(asset).count == REPS
    assert _count("view", asset.id) == REPS
    assert _count("used_in_deal", asset.id) == REPS
    assert _count("share", asset.id) == REPS * THREADS_PER_REP
