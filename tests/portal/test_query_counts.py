"""Every list page, the search page and every API list run as many SQL statements for 100
rows as for 10 (no statement per row), and no more than its budget.

Each case makes one row the way people do (a service or the API), copies it in bulk to
10 rows, counts the statements of one request, copies it to 100 rows and counts again.
Lists are asked for 100 rows a page, so that every row is shown both times.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from content.deals.models import Deal
from content.library.models import (
    Asset,
    AssetRevision,
    StoredFile,
    asset_industries,
    asset_personas,
    asset_stages,
    asset_tags,
)
from content.rooms.models import Room as RoomRow
from content.rooms.models import RoomItem
from content.usage import ratings
from content.usage.models import Rating, UsageEvent
from content.usage.models import ShareLink as ShareLinkRow
from portal.alignment.models import MeetingAttendee
from portal.alignment.services import ItemInput, add_action_item
from portal.kernel.extensions import db
from portal.kernel.notifications import notify
from portal.kernel.reporting import local_today
from portal.reports.catalogue import slugs
from search import indexing
from tests.factories import make_asset, make_meeting, pdf_bytes, token_headers
from tests.portal.sql_count import copy_rows, statements_for
from workflows.campaigns.models import Campaign, campaign_assets
from workflows.collections.models import CollectionItem
from workflows.collections.services import add_item, create_collection
from workflows.comments.services import add_comment
from workflows.feedback.models import FieldFeedback
from workflows.glossary.models import GlossaryTermVersion
from workflows.glossary.services import TermInput, propose_term
from workflows.posts.models import GhostPost, GhostPostRevision, post_assets
from workflows.requests.models import ContentRequest
from workflows.review.models import Approval

HUNDRED = "per_page=100"


@dataclass(frozen=True)
class Case:
    """A page: who reads it and how its rows are made: ``seed`` makes one row and answers
    the page's address and a function adding ``n`` rows."""

    role: str
    seed: Callable[[dict], tuple[str, Callable[[int], None]]]
    shows: str | None = None  # on an HTML list, words each row shows


def _api(users, maker: str, path: str, body: dict) -> dict:
    answer = users["client"].post(path, json=body, headers=token_headers(users[maker]))
    assert answer.status_code == 201, answer.text
    return answer.json


def _asset(users):
    asset = make_asset(
        users["marketer"],
        stages=("awareness", "decision"),
        personas=("cfo",),
        industries=("retail",),
        tags=("pricing",),
        file=("price-list.pdf", pdf_bytes()),
    )
    ratings.rate(asset, users["rep"], 4, "Useful")
    db.session.commit()
    return asset


def _assets(url: str):
    def seed(users):
        asset = _asset(users)
        rows = (
            StoredFile,
            AssetRevision,
            asset_stages,
            asset_personas,
            asset_industries,
            asset_tags,
        )
        children = (*rows, Approval, Rating, UsageEvent)
        return url, lambda n: copy_rows(asset, n, *children)

    return seed


def _searched(url: str):
    """Assets found by a search: copied like the asset list's, then indexed."""
    listed = _assets(url)

    def seed(users):
        url, grow = listed(users)

        def grow_and_index(n: int) -> None:
            grow(n)
            indexing.rebuild()
            db.session.commit()

        return url, grow_and_index

    return seed


def _asset_page(users):
    asset = _asset(users)
    link = _api(users, "marketer", f"/api/v1/assets/{asset.id}/share-links", {})
    comment = add_comment(asset, users["marketer"], "Is the price current?")
    db.session.commit()
    feedback = _api(
        users,
        "rep",
        "/api/v1/feedback",
        {"kind": "objection", "text": "Dear", "asset_id": asset.id},
    )

    def grow(n: int) -> None:
        copy_rows(db.session.get(ShareLinkRow, link["id"]), n)
        copy_rows(comment, n)
        copy_rows(db.session.get(FieldFeedback, feedback["id"]), n)

    return f"/assets/{asset.id}", grow


def _made_by_api(url: str, maker: str, path: str, body, model, *children):
    def seed(users):
        made = _api(users, maker, path, body(users) if callable(body) else body)
        return url, lambda n: copy_rows(db.session.get(model, made["id"]), n, *children)

    return seed


def _campaign_body(users) -> dict:
    asset = make_asset(users["marketer"])
    soon = (date.today() + timedelta(days=30)).isoformat()
    return {
        "name": "Spring",
        "starts_on": date.today().isoformat(),
        "ends_on": soon,
        "assets": [asset.id],
    }


def _post_body(users) -> dict:
    asset = make_asset(users["marketer"])
    return {"title": "Why deals stall", "body": "Buyers stall.", "rep": users["rep"].email,
            "asset_ids": [asset.id]}  # fmt: skip


def _collections(users):
    collection = create_collection(users["marketer"], "Onboarding", "First week")
    add_item(collection, users["marketer"], make_asset(users["marketer"]), "Read first")
    db.session.commit()
    return f"/collections?{HUNDRED}", lambda n: copy_rows(collection, n, CollectionItem)


def _glossary(users):
    term = propose_term(users["marketer"], TermInput("Pipeline", definition="Open deals."))
    db.session.commit()
    return f"/glossary?status=proposed&{HUNDRED}", lambda n: copy_rows(term, n, GlossaryTermVersion)


def _meeting(users):
    return make_meeting(users["leader"], [users["marketer"], users["rep"]])


def _meetings(url: str):
    def seed(users):
        meeting = _meeting(users)
        return url, lambda n: copy_rows(meeting, n, MeetingAttendee)

    return seed


def _action_items(api: bool):
    def seed(users):
        meeting = _meeting(users)
        due = local_today() + timedelta(days=3)
        item = ItemInput(title="Refresh the deck", owner_id=users["marketer"].id, due_on=due)
        made = add_action_item(users["leader"], meeting, meeting.starts_on, item)
        db.session.commit()
        path = (
            f"/api/v1/meetings/{meeting.id}/action-items"
            if api
            else f"/meetings/{meeting.id}/items"
        )
        return f"{path}?{HUNDRED}", lambda n: copy_rows(made, n)

    return seed


def _notifications(url: str):
    def seed(users):
        (note,) = notify(users["rep"], "comment", "A comment", "/assets/1", users["marketer"])
        db.session.commit()
        return url, lambda n: copy_rows(note, n)

    return seed


def _share_links(url: str):
    def seed(users):
        asset = make_asset(users["marketer"])
        made = _api(users, "rep", f"/api/v1/assets/{asset.id}/share-links", {})
        link = db.session.get(ShareLinkRow, made["id"])
        return url, lambda n: copy_rows(link, n, Asset)  # each link to an asset of its own

    return seed


def _rooms(url: str):
    def seed(users):
        asset = make_asset(users["marketer"])
        deal = _api(users, "rep", "/api/v1/deals", _DEAL)
        body = {"deal_id": deal["id"], "title": "Acme: the plan", "items": [{"asset_id": asset.id}]}
        room = db.session.get(RoomRow, _api(users, "rep", "/api/v1/rooms", body)["id"])
        return url, lambda n: copy_rows(room, n, RoomItem)

    return seed


def _deals(url: str):
    def seed(users):
        deal = _api(users, "rep", "/api/v1/deals", _DEAL)
        asset = make_asset(users["marketer"])
        _api(
            users,
            "rep",
            f"/api/v1/assets/{asset.id}/usage",
            {"kind": "used_in_deal", "deal_id": deal["id"]},
        )
        # Each deal uses an asset of its own.
        return url, lambda n: copy_rows(db.session.get(Deal, deal["id"]), n, Asset, UsageEvent)

    return seed


_DEAL = {"name": "Acme renewal", "account": "Acme", "stage": "decision"}
_REQUEST = {"need": "A FAQ", "stage": "decision"}
_POST_ROWS = (GhostPost, GhostPostRevision, Asset, post_assets)  # an asset of its own


def _feedback_body(users) -> dict:
    """Feedback on an asset in a deal (each copy on an asset and a deal of its own)."""
    deal = _api(users, "rep", "/api/v1/deals", _DEAL)
    asset = make_asset(users["marketer"])
    return {"kind": "objection", "text": "Too dear", "asset_id": asset.id, "deal_id": deal["id"]}


def _lists(name: str, path: str, maker: str, reader: str, body, shows: str, *model):
    """The page and the API list of one kind of row, read by ``reader``; ``path`` may
    carry a query string."""
    made_by = f"/api/v1/{path.partition('?')[0]}"
    query = f"{HUNDRED}&{path.partition('?')[2]}".rstrip("&")
    page, api = f"/{path.partition('?')[0]}?{query}", f"{made_by}?{query}"
    return {
        name: Case(reader, _made_by_api(page, maker, made_by, body, *model), shows),
        f"{name} API": Case(reader, _made_by_api(api, maker, made_by, body, *model)),
    }


_TITLE = "Pricing one-pager"  # make_asset's
CASES: dict[str, Case] = {
    "library board": Case("rep", _assets("/library")),
    "asset list": Case("rep", _assets(f"/assets?{HUNDRED}"), _TITLE),
    "asset list API": Case("rep", _assets(f"/api/v1/assets?{HUNDRED}")),
    "asset page": Case("marketer", _asset_page, "Is the price current?"),
    # A page of hits whatever the matches; facets count them all.
    "search": Case("rep", _searched("/search?q=pricing")),
    "search API": Case("rep", _searched("/api/v1/search?q=pricing&limit=100")),
    "deals": Case("rep", _deals(f"/deals?{HUNDRED}"), "Acme renewal"),
    "deals API": Case("rep", _deals(f"/api/v1/deals?{HUNDRED}")),
    **_lists("posts", "posts", "marketer", "marketer", _post_body, "Why deals stall", *_POST_ROWS),
    **_lists("requests", "requests", "rep", "marketer", _REQUEST, "A FAQ", ContentRequest),
    **_lists(
        "feedback",
        "feedback",
        "rep",
        "marketer",
        _feedback_body,
        "Too dear",
        FieldFeedback,
        Asset,
        Deal,
    ),
    **_lists(
        "campaigns",
        "campaigns?show=drafts",
        "marketer",
        "marketer",
        _campaign_body,
        "Spring",
        Campaign,
        Asset,
        campaign_assets,
    ),
    "collections": Case("marketer", _collections, "Onboarding"),
    "glossary": Case("rep", _glossary, "Pipeline"),
    "notifications": Case("rep", _notifications(f"/notifications?{HUNDRED}"), "A comment"),
    "notifications API": Case("rep", _notifications(f"/api/v1/notifications?{HUNDRED}")),
    "share links": Case("rep", _share_links(f"/share-links?{HUNDRED}"), _TITLE),
    "share links API": Case("rep", _share_links(f"/api/v1/share-links?{HUNDRED}")),
    "deal rooms": Case("rep", _rooms(f"/rooms?{HUNDRED}"), "Acme: the plan"),
    "meetings": Case("marketer", _meetings(f"/meetings?{HUNDRED}"), "Revenue sync"),
    "meetings API": Case("marketer", _meetings(f"/api/v1/meetings?{HUNDRED}")),
    "action items": Case("marketer", _action_items(api=False), "Refresh the deck"),
    "action items API": Case("marketer", _action_items(api=True)),
    "deal rooms API": Case("rep", _rooms(f"/api/v1/rooms?{HUNDRED}")),
    "reports": Case("leader", _assets("/reports")),
    **{f"report {slug}": Case("leader", _assets(f"/reports/{slug}")) for slug in slugs()},
    **{
        f"report {slug} API": Case("leader", _assets(f"/api/v1/reports/{slug}")) for slug in slugs()
    },
}


# The most statements each page may run (with 100 rows as with 10). The sign-in's user,
# the notifications badge, the taxonomy of the filter bars and the page's own lists count.
# Pages read by reps and marketers include whether they attend an alignment meeting (the
# navigation's link to Meetings): one statement each.
BUDGETS = {
    "library board": 17,
    "asset list": 16,
    "asset list API": 17,
    "asset page": 36,
    "search": 15,  # the hits' files (type chip, thumbnail); which hits are internal (a badge)
    "search API": 5,
    "deals": 9,
    "deals API": 13,
    "posts": 10,
    "posts API": 10,
    "requests": 9,
    "requests API": 7,
    "feedback": 13,
    "feedback API": 9,
    "campaigns": 10,
    "campaigns API": 11,
    "collections": 9,
    "glossary": 6,
    "notifications": 7,
    "notifications API": 7,
    "share links": 10,
    "share links API": 10,
    "deal rooms": 13,
    "deal rooms API": 13,
    "meetings": 10,
    "meetings API": 8,
    "action items": 10,
    "action items API": 9,
    "reports": 24,  # consumption (four statements), campaign results (one), deal stages (two)
    **{f"report {slug}": 12 for slug in slugs()},
    **{f"report {slug} API": 6 for slug in slugs()},
}


def test_every_page_has_a_budget():
    assert set(BUDGETS) == set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_a_page_runs_as_many_statements_for_100_rows_as_for_10(app, users, client_as, name):
    case = CASES[name]
    url, grow = case.seed({**users, "client": app.test_client()})
    if url.startswith("/api/"):
        client, headers = app.test_client(), token_headers(users[case.role])
    else:
        client, headers = client_as(case.role), {}
    grow(9)
    ten = statements_for(client, url, headers=headers)
    grow(90)
    hundred = statements_for(client, url, headers=headers)

    print(f"{name}: {len(ten)} statements at 10 rows, {len(hundred)} at 100")
    assert len(hundred) == len(ten), hundred.repeated()
    assert len(hundred) <= BUDGETS[name], hundred.repeated()
    _assert_shows_every_row(case, url, hundred.response)


def _assert_shows_every_row(case: Case, url: str, response) -> None:
    if response.is_json and HUNDRED in url:
        assert len(response.json["items"]) == 100
    elif case.shows is not None:
        assert response.text.count(case.shows) >= 100
