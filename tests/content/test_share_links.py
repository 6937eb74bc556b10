"""Share links: a rep sends a buyer a link that opens the asset without signing in; each
open by a person is a verified buyer view; links expire, can be revoked, and never leak
the portal's session or the buyer's address."""

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from content.usage import share_links
from content.usage.models import ShareLink, UsageEvent
from portal.kernel.errors import Conflict, NotFound, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from tests.content.helpers import flashes
from tests.content.usage_helpers import BROWSER, count, events, make_deal, share, signed_in
from tests.factories import make_app, make_asset, make_user, pdf_bytes
from workflows.review.machine import transition

BUYER = {"User-Agent": BROWSER}


@pytest.fixture
def asset(users):
    return make_asset(users["marketer"], "Security whitepaper", body="We encrypt **everything**.")


def expire(link: ShareLink) -> None:
    db.session.execute(
        update(ShareLink)
        .where(ShareLink.id == link.id)
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()


# ---- the service ---------------------------------------------------------------------------


def test_tokens_are_long_and_random_and_only_their_hash_is_kept(asset, users):
    first, token = share(asset, users["rep"], recipient="  Pat   Buyer ")
    _second, other_token = share(asset, users["rep"])

    assert len(token) >= 43
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert token != other_token
    assert first.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr([getattr(first, c.key) for c in ShareLink.__table__.columns])
    assert first.recipient == "Pat Buyer"
    assert share_links.find_by_token(token) == first
    assert [(e.share_link_id, e.evidence) for e in events("share")][0] == (first.id, "verified")


def test_links_last_30_days_by_default_and_1_to_365_days_when_asked(asset, users):
    link, _token = share(asset, users["rep"])
    long_link, _token = share(asset, users["rep"], expires_in_days="365")

    assert abs(link.expires_at - (link.created_at + timedelta(days=30))) < timedelta(seconds=1)
    assert long_link.expires_at - long_link.created_at == timedelta(days=365)
    for days in (0, 366, -1, "abc", "7.5", True):
        with pytest.raises(ValidationFailed) as refused:
            share_links.create_link(asset, users["rep"], expires_in_days=days)
        assert refused.value.fields == {"expires_in_days": share_links.DAYS_INVALID}


def test_an_archived_asset_gets_no_new_links_but_old_ones_keep_its_last_live_revision(
    app, client, asset, users
):
    _link, token = share(asset, users["rep"])
    transition(asset, users["marketer"], "archive")
    db.session.commit()

    with pytest.raises(Conflict):
        share_links.create_link(asset, users["marketer"])
    refused = signed_in(app, users["marketer"]).form(
        f"/assets/{asset.id}/share-links", {}, follow_redirects=True
    )
    opened = client.get(f"/s/{token}", headers=BUYER)

    assert flashes(refused.text) == [
        "This asset is not in the library any more, so it cannot be shared."
    ]
    assert "no new links can be made" in refused.text
    assert opened.status_code == 200
    assert "<h1>Security whitepaper</h1>" in opened.text


def test_only_ones_own_deals_may_be_named(asset, users):
    others = make_deal(make_user("rep"))

    with pytest.raises(NotFound):
        share_links.create_link(asset, users["rep"], deal=others)


# ---- the buyer's page ------------------------------------------------------------------------


def test_the_buyer_sees_the_live_revision_without_portal_navigation(client, asset, users):
    _link, token = share(asset, users["rep"])

    page = client.get(f"/s/{token}", headers=BUYER)

    assert page.status_code == 200
    assert "<h1>Security whitepaper</h1>" in page.text
    assert "We encrypt <strong>everything</strong>." in page.text
    assert "Shared by Riley Rep" in page.text
    assert "<nav" not in page.text
    assert "Sign out" not in page.text
    assert '<meta name="robots" content="noindex, nofollow">' in page.text
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "Set-Cookie" not in page.headers


def test_each_open_is_a_buyer_view_with_a_visitor_hash_and_no_address(client, asset, users):
    deal = make_deal(users["rep"])
    link, token = share(asset, users["rep"], deal=deal)

    client.get(f"/s/{token}", headers=BUYER, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    client.get(f"/s/{token}", headers=BUYER, environ_base={"REMOTE_ADDR": "203.0.113.9"})

    views = events("buyer_view")
    assert len(views) == 2
    first = views[0]
    assert (first.share_link_id, first.user_id, first.deal_id) == (
        link.id,
        users["rep"].id,
        deal.id,
    )
    assert first.evidence == "verified"
    assert first.visitor_hash == share_links.visitor_hash("203.0.113.9", BROWSER)
    row = [getattr(first, c.key) for c in UsageEvent.__table__.columns]
    assert "203.0.113.9" not in repr(row)


def test_the_buyer_gets_the_page_before_the_open_is_recorded(client, asset, users):
    _link, token = share(asset, users["rep"])

    page = client.get(f"/s/{token}", headers=BUYER, buffered=False)
    body = page.get_data(as_text=True)  # the whole page, as the buyer's browser reads it
    recorded_while_sending = len(events("buyer_view"))
    page.close()  # the server closes the response once it has gone out

    assert "<h1>Security whitepaper</h1>" in body
    assert recorded_while_sending == 0
    assert len(events("buyer_view")) == 1


def test_robots_head_requests_and_signed_in_users_are_not_counted(app, client, asset, users):
    _link, token = share(asset, users["rep"])
    rep = signed_in(app, users["rep"])

    robot = client.get(f"/s/{token}", headers={"User-Agent": "Slackbot-LinkExpanding 1.0"})
    head = client.head(f"/s/{token}", headers=BUYER)
    own = rep.get(f"/s/{token}", headers=BUYER)

    assert (robot.status_code, head.status_code, own.status_code) == (200, 200, 200)
    assert "opens by signed-in portal users are not counted" in own.text
    assert "Set-Cookie" not in own.headers  # the signed-in session is left untouched
    assert "<nav" not in own.text
    assert "Riley Rep</a>" not in own.text
    assert events("buyer_view") == []


def test_unknown_tokens_are_404_and_expired_or_revoked_links_410(client, asset, users):
    expired, expired_token = share(asset, users["rep"])
    revoked, revoked_token = share(asset, users["rep"])
    expire(expired)
    share_links.revoke(revoked, users["rep"])
    db.session.commit()

    unknown = client.get("/s/" + "A" * 43)
    malformed = client.get("/s/short")
    pages = [client.get(f"/s/{t}", headers=BUYER) for t in (expired_token, revoked_token)]

    assert (unknown.status_code, malformed.status_code) == (404, 404)
    assert "Link not found" in unknown.text
    assert "<nav" not in unknown.text
    assert unknown.headers["X-Robots-Tag"] == "noindex, nofollow"
    for page in pages:
        assert page.status_code == 410
        assert "<h1>This link has expired</h1>" in page.text
        assert "Please ask Riley Rep for a new link." in page.text
        assert "<nav" not in page.text
        assert "Set-Cookie" not in page.headers
    assert events("buyer_view") == []


def test_the_buyer_downloads_and_previews_the_shown_file(client, users):
    with_file = make_asset(users["marketer"], file=("whitepaper.pdf", pdf_bytes()))
    without_file = make_asset(users["marketer"], "Words only")
    _link, token = share(with_file, users["rep"])
    _link, bare_token = share(without_file, users["rep"])

    download = client.get(f"/s/{token}/file", headers=BUYER)
    preview = client.get(f"/s/{token}/file?inline=1", headers=BUYER)
    missing = client.get(f"/s/{bare_token}/file", headers=BUYER)

    assert download.data.startswith(b"%PDF")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert preview.headers["Content-Disposition"].startswith("inline")
    assert download.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert missing.status_code == 404
    assert "<nav" not in missing.text
    assert events("download") == []  # a buyer's download is not a portal user's


# ---- the rep's pages -------------------------------------------------------------------------


def test_the_new_link_is_shown_once_and_then_only_its_opens(app, client, asset, users):
    deal = make_deal(users["rep"], "Acme expansion")
    rep = signed_in(app, users["rep"])

    created = rep.form(
        f"/assets/{asset.id}/share-links",
        {"recipient": "Pat at Acme", "deal": str(deal.id), "expires_in_days": "14"},
    )
    url = re.search(r'id="share-url" type="text" value="([^"]+)" readonly', created.text)[1]
    token = url.rsplit("/", 1)[1]
    client.get(url, headers=BUYER)
    listed = rep.get("/share-links").text
    link = db.session.scalar(db.select(ShareLink))

    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "private, no-store"
    assert url.startswith("http://localhost/s/")
    assert "Share link created. Copy it now: it is shown only once." in created.text
    assert "only a fingerprint" in created.text
    assert (link.recipient, link.deal_id) == ("Pat at Acme", deal.id)
    assert link.expires_at - link.created_at == timedelta(days=14)
    assert token not in listed
    assert token not in rep.get(f"/assets/{asset.id}").text
    row = listed.split("<tbody>")[1]
    assert "Pat at Acme" in row
    assert "Acme expansion" in row
    assert '<span class="badge badge-link-active">Active</span>' in row
    assert "<td>1</td>\n      <td>1</td>" in row  # one open, one visitor


def test_bad_expiry_from_the_form_is_explained_and_makes_no_link(app, asset, users):
    rep = signed_in(app, users["rep"])

    refused = rep.form(f"/assets/{asset.id}/share-links", {"expires_in_days": "400"})

    assert refused.status_code == 422
    assert share_links.DAYS_INVALID in refused.text
    assert 'id="share-days-error"' in refused.text
    assert count(ShareLink) == 0


def test_my_share_links_is_empty_at_first_and_paginated(app, asset, users):
    rep = signed_in(app, users["rep"])
    empty = rep.get("/share-links").text
    for n in range(6):
        share(asset, users["rep"], recipient=f"Buyer {n}")

    first, second = rep.get("/share-links").text, rep.get("/share-links?page=2").text

    assert "You have not shared anything yet." in empty
    assert "Buyer 5" in first
    assert "Buyer 0" not in first
    assert "Buyer 0" in second
    assert "Page 2 of 2" in second


def test_a_links_page_lists_opens_newest_first_with_visitor_numbers(app, client, asset, users):
    link, token = share(asset, users["rep"])
    for agent in ("Firefox/1", "Safari/2", "Firefox/1"):
        client.get(f"/s/{token}", headers={"User-Agent": f"Mozilla/5.0 {agent}"})

    page = signed_in(app, users["rep"]).get(f"/share-links/{link.id}").text

    assert re.findall(r"<td>Visitor (\d+)</td>", page) == ["1", "2", "1"]
    assert '<small class="count">3</small>' in page


def test_another_reps_link_is_not_found_and_the_asset_owner_may_revoke_it(app, asset, users):
    link, token = share(asset, users["rep"])
    other_rep = signed_in(app, make_user("rep"))
    owner = signed_in(app, users["marketer"])

    assert other_rep.get(f"/share-links/{link.id}").status_code == 404
    assert other_rep.form(f"/share-links/{link.id}/revoke").status_code == 404
    assert owner.get(f"/share-links/{link.id}").status_code == 200
    revoked = owner.form(f"/share-links/{link.id}/revoke", follow_redirects=True)

    assert flashes(revoked.text) == ["Link revoked: the buyer now sees “This link has expired”."]
    assert share_links.find_by_token(token).state == "revoked"


def test_the_owner_revokes_all_working_links_at_once(app, client, asset, users):
    tokens = [share(asset, author)[1] for author in (users["rep"], users["leader"])]
    expire(share(asset, users["rep"])[0])  # expired already: not counted
    rep = signed_in(app, users["rep"])
    owner = signed_in(app, users["marketer"])

    assert "Revoke all 2 working links" in owner.get(f"/assets/{asset.id}").text
    assert "Revoke all" not in rep.get(f"/assets/{asset.id}").text
    assert rep.form(f"/assets/{asset.id}/share-links/revoke-all").status_code == 404
    done = owner.form(f"/assets/{asset.id}/share-links/revoke-all", follow_redirects=True)

    assert flashes(done.text) == ["Revoked 2 working links to this asset."]
    assert [client.get(f"/s/{t}", headers=BUYER).status_code for t in tokens] == [410, 410]
    assert "Revoke all" not in owner.get(f"/assets/{asset.id}").text


def test_buyer_pages_are_rate_limited_per_address(tmp_path):
    app = make_app("sqlite://", tmp_path, RATELIMIT_ENABLED=True, SHARE_LINK_RATE_LIMIT="2/minute")
    with app.app_context():
        client = app.test_client()
        answers = [client.get("/s/short"), client.get("/s/short/file"), client.get("/s/short")]

    assert [answer.status_code for answer in answers] == [404, 404, 429]
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    assert "<h1>Slow down</h1>" in answers[-1].text
    assert "<nav" not in answers[-1].text
