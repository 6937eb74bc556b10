"""Asset rules without HTTP: validation, revisions, the live revision and transitions."""

import io

import pytest
from sqlalchemy import select

from content.library.models import Asset, Stage
from content.library.rules import visible_assets
from content.library.services import (
    AssetInput,
    Upload,
    create_asset,
    get_revision,
    get_visible_asset,
    revise_asset,
    shown_revision,
    validate_input,
)
from portal.demo.seed import sign_off_and_publish
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from tests.factories import make_asset, make_user, pdf_bytes, reviewers
from workflows.review import collaborators
from workflows.review.machine import allowed_actions, asset_history, transition


def _stage(slug: str = "awareness") -> Stage:
    return db.session.scalar(select(Stage).where(Stage.slug == slug))


def _input(title: str = "ROI guide", body: str = "Numbers that matter.", **kwargs) -> AssetInput:
    kwargs.setdefault("stages", [_stage()])
    return AssetInput(title=title, body=body, **kwargs)


def _revise(asset: Asset, author, body: str, **kwargs):
    revision = revise_asset(
        asset, author, asset.latest_revision_id, _input(asset.latest_revision.title, body), **kwargs
    )
    db.session.commit()
    return revision


def _fields(error: pytest.ExceptionInfo) -> dict:
    return error.value.fields


# ---- creating ----------------------------------------------------------------------------


def test_new_asset_is_a_draft_with_revision_one(marketer):
    asset = create_asset(marketer, _input(title="  ROI guide ", summary=" Short. ", note=""))

    revision = asset.latest_revision
    assert asset.status == "draft"
    assert asset.live_revision_id is None
    assert (revision.number, revision.title, revision.summary) == (1, "ROI guide", "Short.")
    assert (revision.author, revision.note) == (marketer, "First version")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "   "}, "title", "Give the asset a title."),
        ({"title": "x" * 201}, "title", "Keep the title under 200 characters."),
        ({"summary": "x" * 1001}, "summary", "Keep the summary under 1000 characters."),
        ({"body": "x" * 200_001}, "body", "Keep the body under 200,000 characters."),
        ({"stages": []}, "stages", "Choose at least one buyer stage so reps can find the asset."),
        ({"body": "  \n "}, "body", "Write a body or upload a file (or both)."),
        ({"note": "x" * 301}, "note", "Keep the note under 300 characters."),
    ],
)
def test_invalid_input_is_refused_with_a_message_per_field(changes, field, message):
    data = AssetInput(title="ROI guide", body="Words.", stages=[Stage(slug="awareness")])
    for name, value in changes.items():
        setattr(data, name, value)

    with pytest.raises(ValidationFailed) as error:
        validate_input(data, has_file=False)

    assert _fields(error)[field] == message


def test_invalid_asset_is_not_saved(marketer):
    with pytest.raises(ValidationFailed):
        create_asset(marketer, _input(title=""))

    assert db.session.scalar(select(Asset)) is None


def test_only_marketers_and_admins_create_assets(users):
    for role in ("rep", "leader"):
        with pytest.raises(PermissionDenied):
            create_asset(users[role], _input())

    assert create_asset(users["admin"], _input()).owner == users["admin"]


def test_file_alone_is_enough_without_a_body(marketer):
    asset = create_asset(marketer, _input(body=""), Upload(io.BytesIO(pdf_bytes()), "b.pdf"))

    assert asset.latest_revision.file.original_name == "b.pdf"


# ---- revising ------------------------------------------------------------------------------


def test_each_edit_adds_the_next_numbered_revision_and_keeps_the_old(marketer):
    asset = make_asset(marketer, body="First words.", publish=False)

    _revise(asset, marketer, "Second words.")
    _revise(asset, marketer, "Third words.")

    assert [(r.number, r.body) for r in asset.revisions] == [
        (3, "Third words."),
        (2, "Second words."),
        (1, "First words."),
    ]
    assert asset.latest_revision.number == 3


def test_edit_based_on_an_older_revision_is_refused(marketer):
    asset = make_asset(marketer, publish=False)
    first = asset.latest_revision_id
    _revise(asset, marketer, "Someone else saved first.")

    with pytest.raises(Conflict) as error:
        revise_asset(asset, marketer, first, _input(body="My late edit."))

    db.session.rollback()
    assert "Someone saved a newer revision" in error.value.message
    assert [r.number for r in asset.revisions] == [2, 1]


def test_edit_without_a_base_revision_is_refused(marketer):
    asset = make_asset(marketer, publish=False)

    with pytest.raises(ValidationFailed) as error:
        revise_asset(asset, marketer, None, _input())

    assert "base_revision" in _fields(error)


def test_editing_a_published_asset_keeps_the_live_revision(marketer, rep):
    asset = make_asset(marketer, body="Live words.")

    _revise(asset, marketer, "Unpublished words.")

    assert (asset.live_revision.number, asset.latest_revision.number) == (1, 2)
    assert shown_revision(asset, rep).body == "Live words."
    assert shown_revision(asset, marketer).body == "Unpublished words."
    assert get_visible_asset(rep, asset.id) == asset


def test_republishing_makes_the_new_revision_live(marketer, rep):
    asset = make_asset(marketer, body="Live words.")
    _revise(asset, marketer, "Better words.")

    sign_off_and_publish(asset, marketer, reviewers())  # already invited: not again
    db.session.commit()

    assert asset.live_revision.number == 2
    assert shown_revision(asset, rep).body == "Better words."


def test_file_is_carried_over_to_the_next_revision(marketer):
    asset = make_asset(marketer, file=("brief.pdf", pdf_bytes()), publish=False)

    revision = _revise(asset, marketer, "Body changed, file kept.")

    first = get_revision(asset, marketer, 1)
    assert first.file is not None
    assert revision.file_id == first.file_id


def test_removing_the_only_content_is_refused(marketer):
    asset = make_asset(marketer, body="", file=("brief.pdf", pdf_bytes()), publish=False)

    with pytest.raises(ValidationFailed) as error:
        revise_asset(asset, marketer, asset.latest_revision_id, _input(body=""), remove_file=True)

    assert _fields(error)["body"] == "Write a body or upload a file (or both)."


def test_only_the_owner_or_an_admin_edits_and_never_when_archived(marketer, users):
    asset = make_asset(marketer)
    base = asset.latest_revision_id

    for outsider in (make_user("marketer"), users["rep"], users["leader"]):
        with pytest.raises(PermissionDenied):
            revise_asset(asset, outsider, base, _input())
    revise_asset(asset, users["admin"], base, _input(body="Admin fix."))
    sign_off_and_publish(asset, marketer, reviewers())
    transition(asset, marketer, "archive")
    with pytest.raises(PermissionDenied):
        revise_asset(asset, marketer, asset.latest_revision_id, _input())


# ---- visibility and transitions ------------------------------------------------------------


def test_rep_cannot_know_a_draft_exists(marketer, rep):
    asset = make_asset(marketer, publish=False)

    with pytest.raises(NotFound):
        get_visible_asset(rep, asset.id)
    assert db.session.scalars(visible_assets(rep)).all() == []


def test_rep_reaches_only_the_live_revision(marketer, rep):
    asset = make_asset(marketer)
    _revise(asset, marketer, "Draft words.")

    assert get_revision(asset, rep, 1).number == 1
    with pytest.raises(NotFound):
        get_revision(asset, rep, 2)


def test_archive_hides_the_asset_from_reps(marketer, rep):
    asset = make_asset(marketer)

    transition(asset, marketer, "archive")
    db.session.commit()

    assert asset.status == "archived"
    assert asset.archived_at is not None
    assert db.session.scalars(visible_assets(rep)).all() == []
    with pytest.raises(NotFound):
        get_visible_asset(rep, asset.id)


def test_restore_returns_to_draft_and_not_live(marketer, rep):
    asset = make_asset(marketer)
    transition(asset, marketer, "archive")

    transition(asset, marketer, "restore")
    db.session.commit()

    assert asset.status == "draft"
    assert asset.live_revision_id is None
    with pytest.raises(NotFound):
        get_visible_asset(rep, asset.id)


def test_transitions_are_recorded_in_the_history(marketer):
    sales, marketing = reviewers()
    asset = make_asset(marketer)
    transition(asset, marketer, "archive", "Out of date")
    db.session.commit()

    history = asset_history(asset)

    assert [(e.action, e.from_state, e.to_state) for e in history] == [
        ("archive", "published", "archived"),
        ("publish", "approved", "published"),
        ("approve", "in_review", "approved"),  # the marketing sign-off completes the policy
        ("approve", "in_review", "in_review"),  # the sales sign-off alone does not
        ("submit", "draft", "in_review"),
    ]
    assert [e.actor for e in history[1:]] == [marketer, marketing, sales, marketer]
    assert history[0].comment == "Out of date"


def test_unlisted_transition_is_refused_naming_the_allowed_ones(marketer):
    asset = make_asset(marketer, publish=False)
    for reviewer in reviewers():
        collaborators.invite(asset, marketer, reviewer.email, "reviewer")

    with pytest.raises(Conflict) as error:
        transition(asset, marketer, "archive")

    assert error.value.allowed == ["submit"]
    assert "Allowed now: submit." in error.value.message


def test_rep_has_no_actions_on_a_published_asset(marketer, rep):
    asset = make_asset(marketer)

    assert allowed_actions(asset, rep) == []
    with pytest.raises(Conflict):
        transition(asset, rep, "archive")
    assert asset.status == "published"
