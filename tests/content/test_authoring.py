"""Marketers author assets through the pages: create, edit, compare revisions, publish."""

from sqlalchemy import select

from content.library.models import Asset, AssetRevision
from content.library.services import BODY_MAX
from portal.kernel.extensions import db
from tests.content.helpers import asset_form, counts, flashes, invite_reviewers, sign_off, stage_ids
from tests.factories import login, make_asset, make_user


def _edit(client, asset, base_revision_id, **fields):
    data = asset_form(asset.latest_revision.title, base_revision=str(base_revision_id), **fields)
    return client.form(f"/assets/{asset.id}/edit", data)


def _revision_numbers(asset) -> list[int]:
    db.session.expire_all()
    return [r.number for r in asset.revisions]


# ---- creating ------------------------------------------------------------------------------


def test_marketer_creates_a_draft(client_as):
    response = client_as("marketer").form(
        "/assets/new",
        asset_form(
            "Battlecard vs Acme",
            stages=stage_ids("decision", "consideration"),
            note="Initial cut",
        ),
        follow_redirects=True,
    )

    asset = db.session.scalar(select(Asset))
    saved = "Draft saved. Invite reviewers and submit it for review when it is ready."
    assert saved in flashes(response.text)
    assert "<strong>days</strong>" in response.text
    assert asset.status == "draft"
    assert asset.live_revision_id is None
    assert [s.slug for s in asset.stages] == ["consideration", "decision"]
    revision = asset.latest_revision
    assert (revision.number, revision.title, revision.summary, revision.note) == (
        1,
        "Battlecard vs Acme",
        "How we win against Acme.",
        "Initial cut",
    )


def test_only_a_new_revision_asks_what_changed_and_multi_selects_say_how_to_pick_several(
    client_as, marketer
):
    asset = make_asset(marketer, publish=False)
    client = client_as("marketer")

    new_form = client.get("/assets/new").text
    revision_form = client.get(f"/assets/{asset.id}/edit").text

    assert "What changed" not in new_form
    assert 'name="note"' not in new_form
    assert '<label for="note">What changed</label>' in revision_form
    assert 'aria-describedby="personas-hint" id="personas" multiple name="personas"' in new_form
    assert '<small id="personas-hint" class="select-hint">Hold Ctrl or ⌘ to choose several.' in (
        new_form
    )


def test_new_asset_form_is_not_for_reps(client_as):
    client = client_as("rep")

    assert client.get("/assets/new").status_code == 403
    assert client.form("/assets/new", asset_form()).status_code == 403
    assert counts()["assets"] == 0


def test_bad_input_gets_a_message_and_creates_nothing(client_as):
    client = client_as("marketer")
    before = counts()
    cases = [
        ({"title": ""}, "Title: This field is required."),
        ({"title": "   "}, "Give the asset a title."),
        ({"stages": ["987654"]}, "Buyer stages: &#39;987654&#39; is not a valid choice"),
        ({"stages": []}, "Choose at least one buyer stage."),
        ({"stages": ["abc"]}, "Buyer stages: Invalid choice(s)"),
        ({"body": ""}, "Write a body or upload a file (or both)."),
    ]

    for changes, message in cases:
        response = client.form("/assets/new", asset_form(**changes))

        assert response.status_code == 200, changes
        assert message in response.text, changes
    assert counts() == before


def test_longest_body_in_a_non_latin_script_is_accepted(client_as):
    body = "文" * BODY_MAX  # 600 KB in UTF-8, sent as the browser does: multipart
    data = asset_form(body=body)

    response = client_as("marketer").form("/assets/new", data, content_type="multipart/form-data")

    assert response.status_code == 302
    assert db.session.scalar(select(AssetRevision.body)) == body


def test_posts_without_csrf_token_are_refused_and_change_nothing(client_as, marketer):
    asset = make_asset(marketer, publish=False)
    client = client_as("marketer")
    before = counts()

    created = client.post("/assets/new", data=asset_form("Forged"))
    edited = client.post(
        f"/assets/{asset.id}/edit",
        data=asset_form(base_revision=str(asset.latest_revision_id), body="Forged."),
    )
    published = client.post(f"/assets/{asset.id}/transitions", data={"action": "publish"})

    assert [r.status_code for r in (created, edited, published)] == [400, 400, 400]
    assert counts() == before
    db.session.expire_all()
    assert asset.status == "draft"


def test_markdown_with_xss_is_stored_as_written_but_rendered_safely(client_as):
    body = "Hello <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"

    page = client_as("marketer").form("/assets/new", asset_form(body=body), follow_redirects=True)

    assert db.session.scalar(select(AssetRevision.body)) == body
    assert "alert" not in page.text
    assert "javascript:" not in page.text


# ---- editing -------------------------------------------------------------------------------


def test_edit_form_is_based_on_the_latest_revision(client_as, marketer):
    asset = make_asset(marketer, "Pricing guide", body="Old words.")

    page = client_as("marketer").get(f"/assets/{asset.id}/edit").text

    assert f'name="base_revision" type="hidden" value="{asset.latest_revision_id}"' in page
    assert 'value="Pricing guide"' in page
    assert "Old words." in page
    assert "reps keep seeing revision 1 until you publish" in page


def test_edit_saves_a_new_revision_listed_on_the_page(client_as, marketer):
    asset = make_asset(marketer, body="Old words.", publish=False)
    client = client_as("marketer")

    response = _edit(
        client, asset, asset.latest_revision_id, body="New words.", note="Tighter copy"
    )
    page = client.get(response.headers["Location"]).text

    assert _revision_numbers(asset) == [2, 1]
    assert "Saved as revision 2." in flashes(page)
    assert "Revision 2</a>" in page
    assert "Revision 1</a>" in page
    assert "Tighter copy" in page


def test_stale_edit_gets_409_showing_what_changed_and_saves_nothing(client_as, marketer):
    asset = make_asset(marketer, body="We are fast.", publish=False)
    base = asset.latest_revision_id
    client = client_as("marketer")
    _edit(client, asset, base, body="We are very fast.")

    response = _edit(client, asset, base, body="My competing words.")

    assert response.status_code == 409
    assert "Changed since you started" in response.text
    assert "<ins>very </ins>" in response.text
    assert "My competing words." in response.text
    assert _revision_numbers(asset) == [2, 1]
    assert asset.latest_revision.body == "We are very fast."


def test_edit_without_base_revision_is_refused(client_as, marketer):
    asset = make_asset(marketer, publish=False)

    response = _edit(client_as("marketer"), asset, "", body="No base.")

    assert "Say which revision the edit is based on." in flashes(response.text)
    assert _revision_numbers(asset) == [1]


def test_edit_of_a_published_asset_stays_hidden_until_republished(client_as, marketer):
    asset = make_asset(marketer, body="Live words.")
    author, rep = client_as("marketer"), client_as("rep")
    _edit(author, asset, asset.latest_revision_id, body="Fresh words.")
    sign_off(asset, marketer)  # the new revision is reviewed again

    before = rep.get(f"/assets/{asset.id}").text
    author.form(f"/assets/{asset.id}/transitions", {"action": "publish"})
    after = rep.get(f"/assets/{asset.id}").text

    assert "Live words." in before
    assert "Fresh words." not in before
    assert "Fresh words." in after


def test_another_marketer_cannot_edit(client, marketer):
    asset = make_asset(marketer, publish=False)

    other = login(client, make_user("marketer"))

    assert other.get(f"/assets/{asset.id}/edit").status_code == 403
    assert _edit(other, asset, asset.latest_revision_id).status_code == 403
    assert _revision_numbers(asset) == [1]


# ---- comparing revisions ---------------------------------------------------------------------


def test_diff_shows_words_removed_and_added(client_as, marketer):
    asset = make_asset(marketer, "Guide", body="Setup takes 10 days.", publish=False)
    client = client_as("marketer")
    _edit(client, asset, asset.latest_revision_id, body="Setup takes 2 days.")

    page = client.get(f"/assets/{asset.id}/diff?from=1&to=2").text

    assert "Revision 1 → revision 2" in page
    assert "Setup takes <del>10</del><ins>2</ins> days." in page


def test_diff_between_any_two_revisions_including_backwards(client_as, marketer):
    asset = make_asset(marketer, "Guide", body="one", publish=False)
    client = client_as("marketer")
    for body in ("two", "three"):
        _edit(client, asset, asset.latest_revision_id, body=body)

    page = client.get(f"/assets/{asset.id}/diff?from=3&to=1").text

    assert "<del>three</del><ins>one</ins>" in page


def test_diff_escapes_markup_in_revisions(client_as, marketer):
    asset = make_asset(marketer, "Guide", body="Plain.", publish=False)
    client = client_as("marketer")
    _edit(client, asset, asset.latest_revision_id, body="<script>alert(1)</script>")

    page = client.get(f"/assets/{asset.id}/diff?from=1&to=2").text

    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_diff_is_not_for_reps(client_as, marketer):
    asset = make_asset(marketer)

    assert client_as("rep").get(f"/assets/{asset.id}/diff?from=1&to=1").status_code == 404


def test_diff_of_unknown_revisions_is_refused(client_as, marketer):
    asset = make_asset(marketer, publish=False)
    client = client_as("marketer")

    words = client.get(f"/assets/{asset.id}/diff?from=first&to=last", follow_redirects=True)

    assert "Choose two revisions by number." in flashes(words.text)
    for query in ("from=9&to=1", "from=1&to=99999999999999999999", "from=-1&to=1"):
        assert client.get(f"/assets/{asset.id}/diff?{query}").status_code == 404, query


# ---- publishing and archiving ------------------------------------------------------------------


def _act(client, asset, action: str):
    return client.form(f"/assets/{asset.id}/transitions", {"action": action}, follow_redirects=True)


def test_publishing_shows_the_asset_to_reps(client_as, marketer):
    asset = make_asset(marketer, "Launch brief", publish=False)
    sign_off(asset, marketer)

    page = _act(client_as("marketer"), asset, "publish")

    assert "Published. Reps now see this revision." in flashes(page.text)
    assert client_as("rep").get(f"/assets/{asset.id}").status_code == 200


def test_archiving_hides_the_asset_from_reps(client_as, marketer):
    asset = make_asset(marketer, "Old deck")

    page = _act(client_as("marketer"), asset, "archive")

    assert "Archived. Reps no longer see this asset." in flashes(page.text)
    assert client_as("rep").get(f"/assets/{asset.id}").status_code == 404
    assert "Old deck" not in client_as("rep").get("/library").text


def test_restoring_returns_to_draft_not_live(client_as, marketer):
    asset = make_asset(marketer, "Old deck")
    author = client_as("marketer")
    _act(author, asset, "archive")

    page = _act(author, asset, "restore")

    assert "Restored as a draft." in flashes(page.text)[-1]
    db.session.expire_all()
    assert (asset.status, asset.live_revision_id) == ("draft", None)
    assert client_as("rep").get(f"/assets/{asset.id}").status_code == 404


def test_refused_actions_are_explained_and_change_nothing(client_as, marketer):
    draft = make_asset(marketer, "Draft", publish=False)
    invite_reviewers(draft, marketer)
    live = make_asset(marketer, "Live")

    unknown = _act(client_as("marketer"), draft, "explode")
    by_rep = _act(client_as("rep"), live, "archive")

    assert flashes(unknown.text)[-1].endswith("Allowed now: submit.")
    assert flashes(by_rep.text)[-1].endswith("Allowed now: none.")
    db.session.expire_all()
    assert (draft.status, live.status) == ("draft", "published")
