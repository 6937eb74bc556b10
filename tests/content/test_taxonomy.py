"""The taxonomy: default terms, admin edits (service and pages), and lookups by id or slug."""

import pytest
from sqlalchemy import func, select

from content.library.models import Persona, Stage, Tag
from content.taxonomy.services import (
    delete_term,
    ensure_defaults,
    save_term,
    terms_by_ids,
    terms_by_slugs,
)
from portal.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from tests.content.helpers import flashes, stage_headings
from tests.factories import make_asset


def _term(model, slug: str):
    return db.session.scalar(select(model).where(model.slug == slug))


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


# ---- services ------------------------------------------------------------------------------


def test_defaults_are_created_once(app):
    before = _count(Persona)

    ensure_defaults()

    assert _count(Persona) == before == 6
    assert [s.slug for s in db.session.scalars(select(Stage).order_by(Stage.position))] == [
        "awareness",
        "consideration",
        "decision",
        "onboarding",
        "expansion",
    ]


def test_slug_is_made_from_the_name_when_none_is_given(users):
    term = save_term(users["admin"], "personas", None, "  Chief Revenue Officer ")

    assert (term.name, term.slug) == ("Chief Revenue Officer", "chief-revenue-officer")


def test_new_stage_goes_after_the_existing_ones(users):
    stage = save_term(users["admin"], "stages", None, "Renewal", description=" Keep them. ")

    assert stage.position == 5
    assert stage.description == "Keep them."


def test_duplicate_slug_is_refused(users):
    with pytest.raises(ValidationFailed) as error:
        save_term(users["admin"], "tags", None, "ROI")
    db.session.rollback()

    assert error.value.message == "The slug “roi” is already used."
    assert _count(Tag) == 6


def test_non_admin_cannot_edit_the_taxonomy(marketer):
    with pytest.raises(PermissionDenied):
        save_term(marketer, "tags", None, "New tag")
    with pytest.raises(PermissionDenied):
        delete_term(marketer, "tags", _term(Tag, "roi").id)


def test_unknown_taxonomy_is_not_found(users):
    with pytest.raises(NotFound):
        save_term(users["admin"], "colours", None, "Blue")


def test_deleting_a_term_removes_the_label_but_keeps_the_asset(users, marketer):
    asset = make_asset(marketer, tags=("roi", "pricing"))

    delete_term(users["admin"], "tags", _term(Tag, "roi").id)
    db.session.commit()
    db.session.expire_all()

    assert [t.slug for t in asset.tags] == ["pricing"]


def test_last_stage_cannot_be_deleted(users):
    stages = db.session.scalars(select(Stage)).all()
    for stage in stages[1:]:
        delete_term(users["admin"], "stages", stage.id)

    with pytest.raises(ValidationFailed) as error:
        delete_term(users["admin"], "stages", stages[0].id)

    assert error.value.message == "Keep at least one buyer stage."


def test_lookups_name_unknown_slugs_and_refuse_unknown_ids(app):
    awareness = _term(Stage, "awareness")

    assert [p.slug for p in terms_by_slugs(Persona, ["cfo"], "personas")] == ["cfo"]
    assert terms_by_ids(Stage, [awareness.id, None]) == [awareness]
    with pytest.raises(ValidationFailed) as error:
        terms_by_slugs(Persona, ["cfo", "wizard", "astronaut"], "personas")
    assert error.value.fields == {"personas": "Unknown personas: astronaut, wizard."}
    with pytest.raises(ValidationFailed):
        terms_by_ids(Stage, [awareness.id, 987654])


# ---- admin pages ---------------------------------------------------------------------------


def test_admin_sees_the_terms_of_a_taxonomy(client_as):
    page = client_as("admin").get("/admin/taxonomy/personas")

    assert page.status_code == 200
    assert 'value="VP Sales"' in page.text


def test_taxonomy_pages_do_not_exist_for_non_admins(client_as):
    roi = _term(Tag, "roi")
    for role in ("rep", "marketer", "leader"):
        client = client_as(role)

        assert client.get("/admin/taxonomy/tags").status_code == 404, role
        assert client.form("/admin/taxonomy/tags", {"name": "Sneaky"}).status_code == 404
        assert client.form(f"/admin/taxonomy/tags/{roi.id}/delete").status_code == 404
    assert _term(Tag, "sneaky") is None
    assert _term(Tag, "roi") is not None


def test_admin_adds_renames_and_deletes_terms_on_the_page(client_as):
    admin = client_as("admin")
    roi = _term(Tag, "roi")

    added = admin.form("/admin/taxonomy/tags", {"name": "Compliance"}, follow_redirects=True)
    renamed = admin.form(
        f"/admin/taxonomy/tags/{roi.id}",
        {"name": "Return", "slug": "return"},
        follow_redirects=True,
    )
    pricing = _term(Tag, "pricing")
    deleted = admin.form(f"/admin/taxonomy/tags/{pricing.id}/delete", follow_redirects=True)

    assert "“Compliance” saved." in flashes(added.text)
    assert "“Return” saved." in flashes(renamed.text)
    assert any(m.startswith("“Pricing” deleted.") for m in flashes(deleted.text))
    db.session.expire_all()
    assert sorted(t.slug for t in db.session.scalars(select(Tag))) == [
        "competitive",
        "compliance",
        "customer-story",
        "integration",
        "return",
        "security",
    ]
    assert 'value="Compliance"' in deleted.text
    assert 'value="Pricing"' not in deleted.text


def test_duplicate_slug_on_the_page_gets_a_message(client_as):
    response = client_as("admin").form(
        "/admin/taxonomy/tags", {"name": "Money", "slug": "pricing"}, follow_redirects=True
    )

    assert "The slug “pricing” is already used." in flashes(response.text)
    assert _count(Tag) == 6


def test_stage_added_on_the_page_appears_last_on_the_board(client_as):
    admin = client_as("admin")

    admin.form("/admin/taxonomy/stages", {"name": "Renewal", "description": "Keep them."})

    assert stage_headings(admin.get("/library").text) == [
        "awareness",
        "consideration",
        "decision",
        "onboarding",
        "expansion",
        "renewal",
    ]
