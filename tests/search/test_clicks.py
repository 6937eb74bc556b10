"""Searches made on the search page and the results opened from them: every first page
of results is kept, and a result opened through its signed link is kept with its rank and
query, so "searched but did not open" is measurable."""

import html
import re

from sqlalchemy import select

from portal.kernel.extensions import db
from search import activity
from search.models import SearchClick, SearchRecord
from tests.factories import make_asset
from tests.search.helpers import index_now

_LINK = re.compile(r'<article class="hit">\s*<h2><a href="(/search/open/\d+\?t=[^"]+)">')


def result_links(page: str) -> list[str]:
    return [html.unescape(link) for link in _LINK.findall(page)]


def clicks() -> list[tuple]:
    rows = db.session.execute(
        select(SearchClick.asset_id, SearchClick.rank, SearchClick.query, SearchClick.user_id)
        .order_by(SearchClick.id)
    )  # fmt: skip
    return [tuple(row) for row in rows]


def test_normalising_folds_case_and_whitespace():
    assert activity.normalise("  Pricing\t  GUIDE \n") == "pricing guide"


def test_a_search_on_the_page_is_kept_with_its_result_count(client_as, marketer, rep):
    make_asset(marketer, "Pricing one-pager")
    index_now()

    client_as("rep").get("/search?q=Pricing++one-pager&stage=awareness")
    client_as("rep").get("/search?q=zebra")
    client_as("rep").get("/search?q=pricing&page=2")  # a later page is the same search

    records = db.session.execute(
        select(SearchRecord.normalised, SearchRecord.total, SearchRecord.stage_slug,
               SearchRecord.role, SearchRecord.user_id).order_by(SearchRecord.id)
    ).all()  # fmt: skip
    assert [tuple(row) for row in records] == [
        ("pricing one-pager", 1, "awareness", "rep", rep.id),
        ("zebra", 0, "", "rep", rep.id),
    ]


def test_opening_a_result_records_the_click_and_shows_the_asset(client_as, marketer, rep):
    first = make_asset(marketer, "Pricing one-pager", body="Pricing pricing pricing.")
    second = make_asset(marketer, "Pricing calculator")
    index_now()
    client = client_as("rep")
    links = result_links(client.get("/search?q=pricing").text)
    assert len(links) == 2

    response = client.get(links[1])

    assert response.status_code == 302
    opened = int(re.search(r"/search/open/(\d+)", links[1]).group(1))
    assert response.headers["Location"] == f"/assets/{opened}"
    assert opened in (first.id, second.id)
    assert clicks() == [(opened, 2, "pricing", rep.id)]
    record = db.session.scalar(select(SearchRecord))
    assert db.session.scalar(select(SearchClick.search_id)) == record.id


def test_a_forged_or_altered_link_opens_the_asset_but_records_nothing(client_as, marketer):
    asset = make_asset(marketer, "Pricing one-pager")
    other = make_asset(marketer, "Battlecard")
    index_now()
    client = client_as("rep")
    link = result_links(client.get("/search?q=pricing").text)[0]
    token = link.split("?t=", 1)[1]

    for url in (f"/search/open/{asset.id}?t=forged", f"/search/open/{other.id}?t={token}",
                f"/search/open/{asset.id}"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/assets/")
    assert clicks() == []


def test_a_link_signed_for_someone_elses_search_records_nothing(client_as, marketer):
    make_asset(marketer, "Pricing one-pager")
    index_now()
    link = result_links(client_as("rep").get("/search?q=pricing").text)[0]

    client_as("leader").get(link)

    assert clicks() == []


def test_a_hidden_asset_is_a_404_and_no_click(client_as, marketer):
    draft = make_asset(marketer, "Pricing draft", publish=False)
    token = activity.click_token(None, draft.id, 1, "pricing")

    assert client_as("rep").get(f"/search/open/{draft.id}?t={token}").status_code == 404
    assert client_as("rep").get(f"/search/open/99999?t={token}").status_code == 404
    assert clicks() == []


def test_results_on_a_later_page_carry_their_overall_rank(client_as, marketer, rep):
    for number in range(21):
        make_asset(marketer, f"Pricing sheet {number}")
    index_now()
    client = client_as("rep")
    links = result_links(client.get("/search?q=pricing&page=2").text)
    assert len(links) == 1

    client.get(links[0])

    assert [(rank, query) for _asset, rank, query, _user in clicks()] == [(21, "pricing")]
    assert db.session.scalar(select(SearchClick.search_id)) is None
