"""Searching from many threads of one process at once (a threaded web worker) while the
indexer publishes: no errors, and every thread sees what a single-threaded search sees."""

import sys
import threading

import pytest

from portal.kernel.extensions import db
from portal.kernel.models import User
from search import indexing, service
from tests.factories import make_asset
from tests.search.helpers import index_now

THREADS = 16
ROUNDS = 2
PUBLISHED_MEANWHILE = 3
WORDS = ("pricing", "security", "onboarding", "renewal")
STAGES = ("awareness", "consideration", "decision")
FILLER = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()  # noqa: SIM905
# Each word, one with a stage filter, a misspelling (its correction is searched) and two
# words.
QUERIES = [
    *((word, {}) for word in WORDS),
    ("security", {"stages": "decision"}),
    ("pricng", {}),
    ("renewal note", {}),
]


def _library(marketer) -> None:
    """Assets whose order for each word is the same whatever else the index holds: as
    long, with the word once in the title and one to four times in the body, so neither
    the index's statistics nor ties decide it."""
    for number, word in enumerate(WORDS):
        for times in range(1, 5):
            make_asset(
                marketer,
                f"{word.title()} note {FILLER[times]}",
                body=" ".join([word] * times + FILLER[: 12 - times]),
                stages=(STAGES[(number + times) % len(STAGES)],),
            )


def _outcome(page) -> tuple:
    result = page.result
    return ([hit.asset_id for hit in result.hits], result.total, result.facets, page.query)


def _search_all(user) -> list[tuple]:
    outcomes = []
    for query, filters in QUERIES:
        outcomes.append(_outcome(service.search(user, query, filters)))
        # Hand the connection back, as a request does: more threads than the pool has
        # connections search at once.
        db.session.rollback()
    return outcomes


# Every thread holds a connection while it searches, as a request does: enough for all of
# them and the publisher (by default 15, which the publisher could wait for in vain).
@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 20})
def test_threads_searching_while_the_indexer_publishes_see_one_consistent_index(
    app, search_backend, marketer, rep
):
    _library(marketer)
    index_now()
    expected = _search_all(rep)
    assert all(total for _ids, total, _facets, _query in expected), expected
    rep_id, marketer_id = rep.id, marketer.id
    db.session.remove()

    errors: list[BaseException] = []
    seen: list[list[list[tuple]]] = [[] for _ in range(THREADS)]
    published = threading.Event()
    start = threading.Barrier(THREADS + 1)

    def searching(number: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, rep_id)
                db.session.rollback()
                start.wait()
                while len(seen[number]) < ROUNDS or not published.is_set():
                    seen[number].append(_search_all(user))
            except BaseException as error:  # noqa: BLE001 - the test reports it
                errors.append(error)
                start.abort()
            finally:
                db.session.remove()

    def publishing() -> None:
        with app.app_context():
            try:
                author = db.session.get(User, marketer_id)
                db.session.rollback()
                start.wait()
                for number in range(PUBLISHED_MEANWHILE):
                    make_asset(author, f"Quartz memo {number}", body="Vellum ledger kestrel.")
                    indexing.drain()
            except BaseException as error:  # noqa: BLE001 - the test reports it
                errors.append(error)
                start.abort()
            finally:
                published.set()
                db.session.remove()

    threads = [threading.Thread(target=searching, args=(n,)) for n in range(THREADS)]
    threads.append(threading.Thread(target=publishing))
    # Threads take turns far more often than every 5 ms, so that two of them sharing a
    # reader meet mid-read, as they do now and then on a busy server.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        sys.setswitchinterval(interval)

    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert errors == [], errors[:3]
    for rounds in seen:
        assert len(rounds) >= ROUNDS
        for outcome in rounds:
            assert outcome == expected
    found = service.search(db.session.get(User, rep_id), "quartz", {}).result
    assert found.total == PUBLISHED_MEANWHILE
