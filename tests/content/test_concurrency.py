"""Two editors saving on top of the same revision at the same moment: exactly one wins."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from content.library.models import Asset, AssetRevision, Stage
from content.library.services import AssetInput, revise_asset
from portal.kernel.errors import Conflict
from portal.kernel.extensions import db
from portal.kernel.models import User
from tests.content.helpers import asset_form
from tests.factories import login, make_asset

EDITORS = 2


def _revision_count(asset_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(AssetRevision.id)).where(AssetRevision.asset_id == asset_id)
    )


def _race(work) -> list:
    """Run ``work(n, go)`` for each editor in its own thread; ``go()`` waits for all of them,
    so the saves that follow it start at the same moment."""
    start = threading.Barrier(EDITORS, timeout=10)

    with ThreadPoolExecutor(EDITORS) as pool:
        return list(pool.map(lambda n: work(n, start.wait), range(EDITORS)))


def test_two_browsers_saving_the_same_base_make_one_revision(app, marketer):
    asset = make_asset(marketer, body="Base words.", publish=False)
    base, url = asset.latest_revision_id, f"/assets/{asset.id}/edit"
    clients = [login(app.test_client(), marketer) for _ in range(EDITORS)]
    forms = [asset_form(base_revision=str(base), body=f"Editor {n} words.") for n in range(EDITORS)]

    def save(n, go):
        go()
        return clients[n].form(url, forms[n]).status_code

    statuses = _race(save)

    assert sorted(statuses) == [302, 409]
    assert _revision_count(asset.id) == 2
    winner = db.session.get(Asset, asset.id).latest_revision
    assert (winner.number, winner.body) == (2, f"Editor {statuses.index(302)} words.")


def test_two_service_calls_on_the_same_base_make_one_revision(app, marketer):
    asset = make_asset(marketer, body="Base words.", publish=False)
    asset_id, base, author_id = asset.id, asset.latest_revision_id, marketer.id

    def save(n, go):
        with app.app_context():
            asset = db.session.get(Asset, asset_id)
            author = db.session.get(User, author_id)
            stage = db.session.scalar(select(Stage).where(Stage.slug == "awareness"))
            data = AssetInput(title="Guide", body=f"Editor {n}", stages=[stage])
            go()
            try:
                revise_asset(asset, author, base, data)
                db.session.commit()
                return "saved"
            except Conflict:
                db.session.rollback()
                return "conflict"
            finally:
                db.session.remove()

    outcomes = _race(save)

    assert sorted(outcomes) == ["conflict", "saved"]
    assert _revision_count(asset_id) == 2
