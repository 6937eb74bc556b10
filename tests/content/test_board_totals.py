"""The board's stage totals are shared between requests for a few seconds: a worker's own
writes drop them at once, another worker's writes show once the seconds are up, and
nothing a reader may not see is ever kept."""

import pytest
from sqlalchemy import update

from content.library.models import Asset
from portal.kernel import shared_figures
from portal.kernel.extensions import db
from tests.content.helpers import card_titles, stage_count
from tests.factories import make_app, make_asset


@pytest.fixture
def kept(app, monkeypatch):
    """Totals kept for 60 seconds, on a clock the test moves."""
    app.config["SHARED_FIGURES_SECONDS"] = 60
    clock = {"now": 1000.0}
    monkeypatch.setattr(shared_figures.time, "monotonic", lambda: clock["now"])
    return clock


def awareness_total(client) -> int:
    return stage_count(client.get("/library").text, "awareness")


def test_a_write_in_this_worker_shows_in_the_totals_at_once(app, kept, client_as, marketer):
    make_asset(marketer, "Primer one")
    rep = client_as("rep")
    assert awareness_total(rep) == 1

    make_asset(marketer, "Primer two")

    assert awareness_total(rep) == 2


def test_an_update_statement_drops_the_totals_too(app, kept, client_as, marketer):
    asset = make_asset(marketer, "Primer")
    rep = client_as("rep")
    assert awareness_total(rep) == 1

    db.session.execute(update(Asset).where(Asset.id == asset.id).values(status="archived"))
    db.session.commit()

    assert awareness_total(rep) == 0


def write_in_another_worker(app, tmp_path, marketer, title: str, publish: bool = True) -> None:
    """An asset made by another process on the same database, whose commit this
    worker does not hear of."""
    other_worker = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "other")
    with other_worker.app_context():
        make_asset(db.session.merge(marketer), title, publish=publish)
        db.session.remove()
        db.engine.dispose()


def test_another_workers_write_shows_when_the_seconds_are_up(
    app, kept, client_as, marketer, tmp_path
):
    make_asset(marketer, "Primer one")
    rep = client_as("rep")
    assert awareness_total(rep) == 1
    write_in_another_worker(app, tmp_path, marketer, "Primer two")

    page = rep.get("/library").text
    kept["now"] += 61
    later = rep.get("/library").text

    # The cards are read afresh on every request; only the count waited.
    assert card_titles(page) == ["Primer two", "Primer one"]
    assert stage_count(page, "awareness") == 1
    assert stage_count(later, "awareness") == 2


def test_only_live_totals_are_kept_as_drafts_differ_by_reader(
    app, kept, client_as, marketer, tmp_path
):
    make_asset(marketer, "Published primer")
    author = client_as("marketer")
    assert stage_count(author.get("/library?status=all").text, "awareness") == 1
    assert awareness_total(client_as("rep")) == 1
    write_in_another_worker(app, tmp_path, marketer, "Secret draft", publish=False)

    everything = stage_count(author.get("/library?status=all").text, "awareness")

    assert everything == 2
    assert awareness_total(client_as("rep")) == 1


def test_a_rolled_back_write_keeps_the_totals(app, kept, client_as, marketer):
    asset = make_asset(marketer, "Primer")
    rep = client_as("rep")
    assert awareness_total(rep) == 1
    kept_before = dict(app.extensions["shared_figures"]["library"])

    asset.status = "archived"
    db.session.flush()
    db.session.rollback()

    assert app.extensions["shared_figures"]["library"] == kept_before
    assert awareness_total(rep) == 1
