"""A hard expiry date hides an asset from reps from the next day; authors keep it."""

from datetime import timedelta

import pytest

from content.library.models import Asset
from content.library.rules import visible_assets
from content.library.services import get_visible_asset
from portal.kernel.errors import NotFound
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from search import service
from tests.factories import make_asset, token_headers
from tests.search.helpers import index_now


def visible_ids(user) -> list[int]:
    return list(db.session.scalars(visible_assets(user).with_only_columns(Asset.id)))


@pytest.fixture
def today():
    return utcnow().date()


def test_reps_see_an_asset_through_its_expiry_day_and_not_after(users, today):
    rep, marketer = users["rep"], users["marketer"]
    last_day = make_asset(marketer, "Last day")
    last_day.expires_on = today
    expired = make_asset(marketer, "Expired")
    expired.expires_on = today - timedelta(days=1)
    db.session.commit()

    assert (last_day.is_live, expired.is_live, expired.expired) == (True, False, True)
    assert visible_ids(rep) == [last_day.id]
    with pytest.raises(NotFound):
        get_visible_asset(rep, expired.id)
    assert get_visible_asset(marketer, expired.id) is expired
    assert sorted(visible_ids(marketer)) == sorted([last_day.id, expired.id])


def test_reps_no_longer_find_an_expired_asset_and_authors_still_do(users, today):
    rep, marketer = users["rep"], users["marketer"]
    asset = make_asset(marketer, "Pricing guide")
    asset.expires_on = today - timedelta(days=1)
    db.session.commit()
    index_now()

    assert service.search(rep, "pricing", {}).result.total == 0
    found = service.search(marketer, "pricing", {}, include_all=True).result
    assert [hit.asset_id for hit in found.hits] == [asset.id]


def test_the_expiry_date_is_set_through_the_edit_form_and_shown_to_authors(
    app, client_as, users, today
):
    asset = make_asset(users["marketer"], "Pricing guide", stages=("decision",))
    marketer = client_as("marketer")
    form = {
        "title": "Pricing guide",
        "body": "Why customers choose us.",
        "stages": [str(s.id) for s in asset.stages],
        "base_revision": str(asset.latest_revision_id),
        "expires_on": (today - timedelta(days=2)).isoformat(),
    }

    response = marketer.form(f"/assets/{asset.id}/edit", form)

    assert response.status_code == 302, response.text
    db.session.refresh(asset)
    assert asset.expires_on == today - timedelta(days=2)
    assert "Expired: hidden from reps" in marketer.get(f"/assets/{asset.id}").text
    # Like the taxonomy, the expiry date belongs to the asset, not to a revision: it
    # applies as soon as it is saved.
    assert client_as("rep").get(f"/assets/{asset.id}").status_code == 404


def test_the_api_reads_and_writes_the_expiry_date(app, users, today):
    asset = make_asset(users["marketer"], "Pricing guide")
    client = app.test_client()
    headers = token_headers(users["marketer"])
    day = (today + timedelta(days=30)).isoformat()

    response = client.patch(
        f"/api/v1/assets/{asset.id}",
        json={"expires_on": day, "base_revision": asset.latest_revision.number},
        headers=headers,
    )

    assert response.status_code == 200, response.json
    assert response.json["expires_on"] == day
    bad = client.patch(
        f"/api/v1/assets/{asset.id}",
        json={"expires_on": "soon", "base_revision": response.json["latest_revision"]},
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json["error"]["fields"] == {"expires_on": "Use the form YYYY-MM-DD."}
