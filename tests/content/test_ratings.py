"""Ratings: readers rate live assets 1–5 stars, once each (changeable); authors never rate
their own; comments are for the authors and leaders; cards and pages show the average."""

import html

import pytest

from content.usage import ratings
from content.usage.models import Rating
from portal.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from tests.content.helpers import flashes
from tests.content.usage_helpers import count, signed_in
from tests.factories import make_asset, make_user
from workflows.review import collaborators


@pytest.fixture
def asset(users):
    return make_asset(users["marketer"], "ROI calculator")


def test_reps_leaders_and_other_marketers_rate_and_the_summary_averages(asset, users):
    other_marketer = make_user("marketer")

    ratings.rate(asset, users["rep"], 5)
    ratings.rate(asset, users["leader"], "4", "Useful for CFOs.")
    ratings.rate(asset, other_marketer, 3)

    assert ratings.summary(asset) == ratings.RatingSummary(4.0, 3)
    assert ratings.summary(asset).rounded == "4.0"
    assert ratings.star_counts(asset) == {5: 1, 4: 1, 3: 1, 2: 0, 1: 0}


def test_authors_admins_and_drafts_are_refused_with_the_reason(asset, users):
    co_author = make_user("rep")
    collaborators.invite(asset, users["marketer"], co_author.email, "author")
    reviewer = make_user("rep")
    draft = make_asset(users["marketer"], "Draft deck", publish=False)
    collaborators.invite(draft, users["marketer"], reviewer.email, "reviewer")
    wrote_it = "You wrote this asset, so you cannot rate it."
    cases = [
        (asset, users["marketer"], wrote_it),
        (asset, co_author, wrote_it),
        (asset, users["admin"], "Ratings come from reps, leaders and marketers."),
        (draft, reviewer, "Only published assets can be rated."),
    ]

    for subject, user, reason in cases:
        assert ratings.refusal(user, subject) == reason
        with pytest.raises(PermissionDenied, match=reason):
            ratings.rate(subject, user, 5)

    assert count(Rating) == 0


def test_an_asset_the_user_cannot_see_is_not_found(users):
    draft = make_asset(users["marketer"], "Secret draft", publish=False)

    with pytest.raises(NotFound):
        ratings.rate(draft, users["rep"], 5)


def test_one_rating_per_person_and_rating_again_changes_it(asset, users):
    first = ratings.rate(asset, users["rep"], 2)
    second = ratings.rate(asset, users["rep"], 5, "  Better than I thought.  ")

    assert second.id == first.id
    assert (second.stars, second.comment) == (5, "Better than I thought.")
    assert count(Rating) == 1
    assert ratings.summary(asset) == ratings.RatingSummary(5.0, 1)
    assert second.updated_at >= second.created_at


def test_rating_again_without_a_comment_keeps_it_until_it_is_removed(asset, users):
    ratings.rate(asset, users["rep"], 2, "Too long for a first call.")

    restarred = ratings.rate(asset, users["rep"], 4)
    blank = ratings.rate(asset, users["rep"], 3, "   ")
    assert (restarred.comment, blank.stars, blank.comment) == (
        "Too long for a first call.",
        3,
        "Too long for a first call.",
    )

    with pytest.raises(ValidationFailed) as both:
        ratings.rate(asset, users["rep"], 5, "Better now.", remove_comment=True)
    assert both.value.fields == {"comment": ratings.COMMENT_AND_REMOVAL}
    removed = ratings.rate(asset, users["rep"], 5, remove_comment=True)

    assert (removed.stars, removed.comment) == (5, "")
    assert ratings.comments(asset, users["marketer"]).total == 0


def test_bad_stars_and_long_comments_are_refused_and_change_nothing(asset, users):
    ratings.rate(asset, users["rep"], 3, "Fine.")

    for stars in (0, 6, "4.5", "", None, True, "five", 4.0):
        with pytest.raises(ValidationFailed) as refused:
            ratings.rate(asset, users["rep"], stars)
        assert refused.value.fields == {"stars": ratings.STARS_INVALID}
    with pytest.raises(ValidationFailed) as refused:
        ratings.rate(asset, users["rep"], 5, "x" * (ratings.COMMENT_MAX + 1))

    assert refused.value.fields == {"comment": ratings.COMMENT_TOO_LONG}
    kept = ratings.your_rating(asset, users["rep"])
    assert (kept.stars, kept.comment) == (3, "Fine.")


def test_summaries_leave_unrated_assets_out(asset, users):
    unrated = make_asset(users["marketer"], "Unrated")
    ratings.rate(asset, users["rep"], 4)
    ratings.rate(asset, users["leader"], 5)

    assert ratings.summaries([asset.id, unrated.id]) == {asset.id: ratings.RatingSummary(4.5, 2)}
    assert ratings.summary(unrated) is ratings.UNRATED
    assert ratings.star_counts(unrated) == dict.fromkeys((5, 4, 3, 2, 1), 0)


def test_comments_are_for_the_authors_and_leaders(asset, users):
    ratings.rate(asset, users["rep"], 4, "Send it before the pricing call.")
    ratings.rate(asset, users["leader"], 5)  # no comment: not listed

    page = ratings.comments(asset, users["marketer"])

    assert [r.comment for r in page.items] == ["Send it before the pricing call."]
    assert page.total == 1
    assert ratings.comments(asset, users["leader"]).total == 1
    with pytest.raises(NotFound):
        ratings.comments(asset, users["rep"])


# ---- on the asset page -------------------------------------------------------------------


def test_a_rep_rates_on_the_asset_page_and_sees_the_average(app, asset, users):
    rep = signed_in(app, users["rep"])

    saved = rep.form(f"/assets/{asset.id}/ratings", {"stars": "4", "comment": "Clear."})
    page = rep.get(saved.headers["Location"]).text

    assert html.unescape(flashes(page)[0]) == "Thanks — your rating is saved."
    assert "Rated 4.0 of 5" in page
    assert "(1 rating)" in page
    assert '<input checked id="stars-1" name="stars" required type="radio" value="4">' in page
    assert "Your rating: 4 of 5. Change it?" in page

    assert "Clear.</textarea>" in page  # the comment is there to edit
    assert "Remove my comment" in page

    rep.form(f"/assets/{asset.id}/ratings", {"stars": "2"})

    assert ratings.summary(asset) == ratings.RatingSummary(2.0, 1)
    assert ratings.your_rating(asset, users["rep"]).comment == "Clear."

    # Ticking "remove" drops the comment the box still shows.
    rep.form(
        f"/assets/{asset.id}/ratings",
        {"stars": "3", "comment": "Clear.", "remove_comment": "y"},
    )

    assert ratings.your_rating(asset, users["rep"]).comment == ""
    assert "Remove my comment" not in rep.get(f"/assets/{asset.id}").text


def test_bad_ratings_from_the_page_are_explained_and_change_nothing(app, asset, users):
    rep = signed_in(app, users["rep"])
    owner = signed_in(app, users["marketer"])

    bad = rep.form(f"/assets/{asset.id}/ratings", {"stars": "9"}, follow_redirects=True)
    none = rep.form(f"/assets/{asset.id}/ratings", {}, follow_redirects=True)
    own = owner.form(f"/assets/{asset.id}/ratings", {"stars": "5"}, follow_redirects=True)

    assert flashes(bad.text) == [ratings.STARS_INVALID]
    assert flashes(none.text) == [f"Your rating: {ratings.STARS_INVALID}"]
    assert flashes(own.text) == ["You wrote this asset, so you cannot rate it."]
    assert 'aria-label="Rate this asset"' not in own.text  # the reason replaces the form
    assert count(Rating) == 0


def test_the_owner_reads_rating_comments_and_reps_do_not(app, asset, users):
    for n in range(6):
        ratings.rate(asset, make_user("rep"), 1 + n % 5, f"Comment number {n}")
    db.session.commit()
    owner = signed_in(app, users["marketer"])
    rep = signed_in(app, users["rep"])

    page = owner.get(f"/assets/{asset.id}").text
    all_comments = owner.get(f"/assets/{asset.id}/ratings?page=2").text

    assert "What raters said" in page
    assert "Comment number 5" in page
    assert "Comment number 0" not in page
    assert "All 6 comments" in page
    assert "Comment number 0" in all_comments
    assert "Page 2 of 2" in all_comments
    assert "Comment number" not in rep.get(f"/assets/{asset.id}").text
    assert rep.get(f"/assets/{asset.id}/ratings").status_code == 404
