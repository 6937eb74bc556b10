"""The database has the last word: hits the index still holds but the database no longer
shows a user (archived, expired, no longer shared) never reach them, with the indexer
stopped so the index lags as it would between a change and the next drain."""

from datetime import timedelta

from sqlalchemy import select

from content.library.models import Asset
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from search import service
from search.models import SearchMiss
from tests.factories import make_asset, token_headers
from tests.search.helpers import index_now, outbox_size
from workflows.review import collaborators
from workflows.review.machine import transition


def titles(user, query: str, **options) -> list[str]:
    page = service.search(user, query, {}, **options)
    return [hit.title.striptags() for hit in page.result.hits]


def test_an_archived_asset_leaves_a_reps_results_before_the_index_learns_of_it(
    search_backend, marketer, rep
):
    kept = make_asset(marketer, "Pricing one-pager")
    gone = make_asset(marketer, "Pricing calculator")
    index_now()
    assert sorted(titles(rep, "pricing")) == ["Pricing calculator", "Pricing one-pager"]

    transition(gone, marketer, "archive")
    db.session.commit()
    assert outbox_size() > 0, "the index has not been told"

    page = service.search(rep, "pricing", {})
    assert [hit.asset_id for hit in page.result.hits] == [kept.id]
    assert page.result.total == 1


def test_the_author_asking_for_everything_sees_it_as_archived(search_backend, marketer):
    asset = make_asset(marketer, "Pricing calculator")
    index_now()
    transition(asset, marketer, "archive")
    db.session.commit()

    page = service.search(marketer, "pricing", {}, include_all=True)
    assert [(hit.asset_id, hit.status, hit.live) for hit in page.result.hits] == [
        (asset.id, "archived", False)
    ]
    assert titles(marketer, "pricing") == [], "without 'all' the author reads as a rep does"


def test_an_expired_asset_leaves_the_results_on_its_expiry(search_backend, marketer, rep):
    asset = make_asset(marketer, "Pricing calculator")
    index_now()
    db.session.get(Asset, asset.id).expires_on = utcnow().date() - timedelta(days=1)
    db.session.commit()

    assert titles(rep, "pricing") == []


def test_a_draft_stops_showing_once_its_invitation_is_withdrawn(search_backend, marketer, rep):
    draft = make_asset(marketer, "Pricing draft", publish=False)
    collaborators.invite(draft, marketer, rep.email, "reviewer")
    db.session.commit()
    index_now()
    assert titles(rep, "pricing") == ["Pricing draft"]

    collaborators.remove(draft, marketer, rep.id)
    db.session.commit()

    assert titles(rep, "pricing") == []


def test_a_search_left_empty_by_the_check_counts_as_a_miss(search_backend, marketer, rep):
    asset = make_asset(marketer, "Pricing calculator")
    index_now()
    transition(asset, marketer, "archive")
    db.session.commit()

    page = service.search(rep, "pricing", {})
    assert (page.result.hits, page.result.total) == ([], 0)
    assert db.session.scalars(select(SearchMiss.query)).all() == ["pricing"]


def test_the_page_and_the_api_show_no_archived_hit(search_backend, client_as, marketer, rep):
    make_asset(marketer, "Pricing one-pager")
    gone = make_asset(marketer, "Pricing calculator")
    index_now()
    transition(gone, marketer, "archive")
    db.session.commit()

    page = client_as("rep").get("/search?q=pricing").text
    assert "Pricing calculator" not in page
    assert "1 result for" in page
    answer = client_as("rep").get("/api/v1/search?q=pricing", headers=token_headers(rep)).json
    assert [item["title"] for item in answer["items"]] == ["Pricing one-pager"]
    assert answer["total"] == 1
