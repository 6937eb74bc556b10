"""Browsing rules: the stage board, filters, sorting and pagination, without HTTP."""

import pytest
from sqlalchemy import select

from content.library import browsing as library
from content.library.browsing import LibraryFilters, asset_list, board, parse_filters
from content.library.models import Stage
from content.library.services import AssetInput, revise_asset
from content.taxonomy.services import save_term, terms_by_slugs
from portal.demo.seed import sign_off_and_publish
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from tests.factories import make_asset, reviewers
from workflows.review import collaborators
from workflows.review.machine import transition


def _filters(user, **args) -> LibraryFilters:
    return parse_filters(args, user)


def _retitled(asset, title: str) -> AssetInput:
    return AssetInput(
        title=title,
        body=asset.latest_revision.body,
        stages=terms_by_slugs(Stage, [s.slug for s in asset.stages], "stages"),
    )


def _titles(user, **args) -> list[str]:
    page = asset_list(user, _filters(user, **args), 1, 50)
    return [card.revision.title for card in page.items]


def test_board_columns_follow_stage_positions(users, rep):
    awareness = db.session.scalar(select(Stage).where(Stage.slug == "awareness"))
    save_term(users["admin"], "stages", awareness.id, "Awareness", "awareness", position=99)
    db.session.commit()

    columns = board(rep, _filters(rep))

    assert [c.stage.slug for c in columns] == [
        "consideration",
        "decision",
        "onboarding",
        "expansion",
        "awareness",
    ]


def test_board_columns_count_their_assets(marketer, rep):
    for n in range(8):
        make_asset(marketer, f"Awareness {n}", stages=("awareness",))
    make_asset(marketer, "Both", stages=("awareness", "decision"))

    columns = {c.stage.slug: c for c in board(rep, _filters(rep))}

    assert columns["awareness"].total == 9
    assert len(columns["awareness"].cards) == library.BOARD_CARDS_PER_STAGE
    assert (columns["decision"].total, columns["decision"].cards[0].revision.title) == (1, "Both")
    assert columns["expansion"].total == 0


def test_board_shows_reps_only_live_assets(marketer, rep):
    make_asset(marketer, "Live")
    make_asset(marketer, "Draft", publish=False)
    archived = make_asset(marketer, "Old")
    transition(archived, marketer, "archive")
    db.session.commit()

    awareness = board(rep, _filters(rep))[0]

    assert [card.revision.title for card in awareness.cards] == ["Live"]


def test_board_filtered_by_stage_has_only_that_column(rep):
    columns = board(rep, _filters(rep, stage="decision"))

    assert [c.stage.slug for c in columns] == ["decision"]


def test_each_filter_narrows_by_its_slug_and_filters_combine(marketer, rep):
    make_asset(
        marketer,
        "Sales deck",
        personas=("vp-sales",),
        industries=("software",),
        content_type="slide-deck",
        tags=("pricing",),
    )
    make_asset(marketer, "Story", stages=("decision",), content_type="case-study", tags=("roi",))
    expected = {
        "persona": ("vp-sales", ["Sales deck"]),
        "industry": ("software", ["Sales deck"]),
        "content_type": ("case-study", ["Story"]),
        "tag": ("roi", ["Story"]),
        "stage": ("decision", ["Story"]),
    }

    for name, (slug, titles) in expected.items():
        assert _titles(rep, **{name: slug}) == titles, name
    assert _titles(rep, persona="vp-sales", industry="software", tag="pricing") == ["Sales deck"]
    assert _titles(rep, persona="vp-sales", content_type="case-study") == []


def test_title_sort_ignores_case(marketer, rep):
    for title in ("banana", "Apple", "cherry", "apricot"):
        make_asset(marketer, title)

    assert _titles(rep, sort="title") == ["Apple", "apricot", "banana", "cherry"]


def test_newest_sort_puts_the_latest_published_first(marketer, rep):
    first = make_asset(marketer, "First", publish=False)
    make_asset(marketer, "Second")
    sign_off_and_publish(first, marketer, reviewers())
    db.session.commit()

    assert _titles(rep) == ["First", "Second"]


def test_list_pages_through_the_assets(marketer, rep):
    for n in range(7):
        make_asset(marketer, f"Asset {n}")

    page = asset_list(rep, _filters(rep, sort="title"), 2, 5)

    assert [card.revision.title for card in page.items] == ["Asset 5", "Asset 6"]
    assert (page.total, page.pages, page.has_prev, page.has_next) == (7, 2, True, False)


def test_list_shows_reps_the_live_title_and_authors_the_latest(marketer, rep):
    asset = make_asset(marketer, "Live title")
    revise_asset(asset, marketer, asset.latest_revision_id, _retitled(asset, "Draft title"))
    db.session.commit()

    assert _titles(rep) == ["Live title"]
    assert _titles(marketer, status="all") == ["Draft title"]


def test_authors_can_list_drafts_and_archived_assets(marketer):
    make_asset(marketer, "Live")
    make_asset(marketer, "Draft", publish=False)
    archived = make_asset(marketer, "Old")
    transition(archived, marketer, "archive")
    db.session.commit()

    assert _titles(marketer, status="draft") == ["Draft"]
    assert _titles(marketer, status="archived") == ["Old"]
    assert _titles(marketer, status="all", sort="title") == ["Draft", "Live", "Old"]


def test_all_for_a_reader_is_live_assets_and_the_drafts_they_were_invited_to(marketer, rep):
    live = make_asset(marketer, "Live")
    edit = AssetInput(title="Live, reworded", body="Draft words.", stages=list(live.stages))
    revise_asset(live, marketer, live.latest_revision_id, edit)
    invited = make_asset(marketer, "Invited draft", publish=False)
    make_asset(marketer, "Other draft", publish=False)
    collaborators.invite(invited, marketer, rep.email, "reviewer")
    db.session.commit()

    # The reader keeps the live words of the live asset, not its pending revision.
    assert _titles(rep, status="all", sort="title") == ["Invited draft", "Live"]
    assert _titles(rep, status="live", sort="title") == ["Live"]


def test_filters_that_are_not_understood_are_named(rep):
    cases = [
        ({"persona": "astronaut"}, "persona", "There is no persona called “astronaut”."),
        ({"content_type": "poem"}, "content_type", "There is no content type called “poem”."),
        ({"stage": "nirvana"}, "stage", "There is no stage called “nirvana”."),
        ({"sort": "random"}, "sort", "Sort by newest or title."),
        ({"status": "draft"}, "status", "Choose live or all."),
        ({"status": "secret"}, "status", "Choose live, draft, archived or all."),
    ]

    for args, field, message in cases:
        with pytest.raises(ValidationFailed) as error:
            parse_filters(args, rep)

        assert error.value.fields == {field: message}
