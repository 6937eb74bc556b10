"""The request commits once: a successful view's work is committed at its end, any error
or refusal keeps nothing, and a commit that fails answers the portal's error page."""

from flask import flash, redirect, render_template_string
from sqlalchemy import func, select

from content.library.models import Tag
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import csrf, db
from portal.kernel.forms import EmptyForm
from portal.kernel.transaction import attempt
from tests.factories import login
from tests.portal.helpers import assert_json_error, assert_portal_500_page


def _tag(slug: str) -> Tag:
    """Add a tag and flush it, as a service would: written, not committed."""
    tag = Tag(slug=slug, name=slug.title())
    db.session.add(tag)
    db.session.flush()
    return tag


def _saved(slug: str) -> bool:
    """Whether ``slug`` was committed: what an uncommitted transaction held is dropped first."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).where(Tag.slug == slug)) == 1


def test_a_successful_request_commits_what_its_view_flushed(app):
    def add():
        _tag("committed")
        return redirect("/")

    app.add_url_rule("/add", "add", add, methods=["POST"])

    response = app.test_client().form("/add")

    assert response.status_code == 302
    assert _saved("committed")


def test_a_view_that_raises_after_flushing_changes_nothing(app):
    def add_then_fail():
        _tag("half-done")
        raise RuntimeError("after the flush")

    app.add_url_rule("/fail", "fail", add_then_fail)
    app.add_url_rule("/api/v1/fail", "api_fail", add_then_fail)

    page = app.test_client().get("/fail")
    api = app.test_client().get("/api/v1/fail")

    assert page.status_code == 500
    assert "<h1>Something went wrong</h1>" in page.text
    assert_json_error(api, 500, "internal_error")
    assert not _saved("half-done")


def test_an_error_answer_from_a_view_keeps_nothing(app):
    def add_then_refuse():
        _tag("refused")
        return "No.", 409

    app.add_url_rule("/refuse", "refuse", add_then_refuse, methods=["POST"])

    assert app.test_client().form("/refuse").status_code == 409
    assert not _saved("refused")


def test_a_commit_that_fails_answers_the_error_page_and_changes_nothing(app, users):
    def clash_at_commit():
        # The rows reach the database only at the request's commit, where the unique slug
        # refuses the second one; the first must not be kept either.
        db.session.add(Tag(slug="kept-only-with-the-rest", name="First"))
        db.session.add(Tag(slug="twin", name="Twin"))
        db.session.add(Tag(slug="twin", name="Twin again"))
        return redirect("/")

    app.add_url_rule("/clash", "clash", clash_at_commit, methods=["POST"])
    app.add_url_rule("/api/v1/clash", "api_clash", csrf.exempt(clash_at_commit), methods=["POST"])
    browser = login(app.test_client(), users["rep"])

    page = browser.form("/clash")
    api = app.test_client().post("/api/v1/clash")

    assert_portal_500_page(page)
    assert_json_error(api, 500, "internal_error")
    assert not _saved("twin")
    assert not _saved("kept-only-with-the-rest")


def _refusing_service():
    _tag("flushed-before-refusal")
    raise ValidationFailed("Check the name.", {"csrf_token": "Pick another name."})


def test_a_refused_form_is_shown_again_with_nothing_committed(app):
    def refused_form():
        form = EmptyForm()
        with attempt(form) as outcome:
            _refusing_service()
        assert outcome.refused
        page = render_template_string("{{ form.csrf_token.errors|join }}", form=form)
        return page, 422

    app.add_url_rule("/form", "form", refused_form, methods=["POST"])

    response = app.test_client().form("/form")

    assert response.status_code == 422
    assert response.text == "Pick another name."
    assert not _saved("flushed-before-refusal")


def test_a_refusal_followed_by_a_redirect_commits_nothing_the_service_flushed(app):
    def refused_button():
        _tag("before-the-service")
        with attempt() as outcome:
            _refusing_service()
        if not outcome.refused:
            flash("Saved.", "success")
        return redirect("/")

    app.add_url_rule("/button", "button", refused_button, methods=["POST"])
    client = app.test_client()

    response = client.form("/button")

    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session["_flashes"] == [("error", "Pick another name.")]
    assert not _saved("flushed-before-refusal")
    assert not _saved("before-the-service")
