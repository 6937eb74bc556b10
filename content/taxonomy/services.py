"""Taxonomy services: the default terms, and admin edits of any taxonomy."""

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from content.library.models import TAXONOMIES, Audience, ContentType, Industry, Persona, Stage, Tag
from portal.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.permissions import can

DEFAULT_STAGES = [
    ("awareness", "Awareness", "The buyer recognises a problem worth solving."),
    ("consideration", "Consideration", "The buyer compares approaches and vendors."),
    ("decision", "Decision", "The buyer builds the business case and chooses."),
    ("onboarding", "Onboarding", "The new customer gets live and sees first value."),
    ("expansion", "Expansion", "The customer grows usage, renews and refers."),
]
DEFAULT_TERMS: dict[type[Persona] | type[Industry] | type[ContentType] | type[Tag], list[str]] = {
    Persona: ["CFO", "CIO", "VP Sales", "Head of Marketing", "Operations Manager", "End User"],
    Industry: ["Financial Services", "Healthcare", "Manufacturing", "Retail", "Software"],
    ContentType: [
        "Case Study",
        "One-Pager",
        "Slide Deck",
        "Battlecard",
        "Whitepaper",
        "ROI Calculator",
        "Email Template",
        "Demo Script",
    ],
    Tag: ["ROI", "Security", "Pricing", "Competitive", "Integration", "Customer Story"],
}


# Content types whose assets are for reps and marketers only, unless their author says
# otherwise: what they say about competitors and buyers is not for buyers to read. The
# demo library's objection handling is written as battlecards.
INTERNAL_CONTENT_TYPES = frozenset({"battlecard", "objection-handling", "demo-script"})
AUDIENCE_INVALID = "Choose external or internal."


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")[:60]


def ensure_defaults() -> None:
    """Create the default taxonomy terms that are missing; never changes existing ones."""
    for position, (slug, name, description) in enumerate(DEFAULT_STAGES):
        if db.session.scalar(select(Stage).where(Stage.slug == slug)) is None:
            db.session.add(Stage(slug=slug, name=name, position=position, description=description))
    for model, names in DEFAULT_TERMS.items():
        for name in names:
            slug = slugify(name)
            if db.session.scalar(select(model).where(model.slug == slug)) is None:
                term = model(slug=slug, name=name)
                if isinstance(term, ContentType) and slug in INTERNAL_CONTENT_TYPES:
                    term.default_audience = Audience.INTERNAL
                db.session.add(term)
    db.session.flush()


def taxonomy_model(kind: str):
    model = TAXONOMIES.get(kind)
    if model is None:
        raise NotFound("No such taxonomy.")
    return model


def save_term(admin: User, kind: str, term_id: int | None, name: str, slug: str = "", **extra):
    """Create (``term_id`` None) or rename a term; slugs stay unique per taxonomy."""
    if not can(admin, "manage_taxonomy"):
        raise PermissionDenied("Only admins edit the taxonomy.")
    model = taxonomy_model(kind)
    name = (name or "").strip()
    slug = slugify(slug or name)
    if not name or not slug:
        raise ValidationFailed("Give the term a name.", {"name": "Required."})
    if term_id is None:
        term = model(name=name, slug=slug)
        if model is Stage:
            highest = db.session.scalar(select(func.max(Stage.position)))
            term.position = (highest or 0) + 1
        db.session.add(term)
    else:
        term = db.session.get(model, term_id)
        if term is None:
            raise NotFound("No such term.")
        term.name, term.slug = name, slug
    if model is Stage:
        if extra.get("position") is not None:
            term.position = extra["position"]
        term.description = (extra.get("description") or "").strip()
    if model is ContentType:
        _set_default_audience(term, extra.get("default_audience"))
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed(
            f"The slug “{slug}” is already used.", {"slug": "Already used."}
        ) from None
    return term


def _set_default_audience(content_type: ContentType, audience: str | None) -> None:
    """Set the audience new assets of this type start with; left out, it keeps its value
    (external for a new type). Existing assets keep their own audience."""
    if not audience:
        if content_type.default_audience is None:
            content_type.default_audience = Audience.EXTERNAL
        return
    if audience not in set(Audience):
        raise ValidationFailed(AUDIENCE_INVALID, {"default_audience": AUDIENCE_INVALID})
    content_type.default_audience = audience


def delete_term(admin: User, kind: str, term_id: int) -> str:
    """Remove a term; assets lose the label but are otherwise untouched."""
    if not can(admin, "manage_taxonomy"):
        raise PermissionDenied("Only admins edit the taxonomy.")
    model = taxonomy_model(kind)
    term = db.session.get(model, term_id)
    if term is None:
        raise NotFound("No such term.")
    if model is Stage and (db.session.scalar(select(func.count(Stage.id))) or 0) <= 1:
        raise ValidationFailed("Keep at least one buyer stage.")
    name = term.name
    db.session.delete(term)
    db.session.flush()
    return name


def terms_by_ids(model, ids) -> list:
    """Rows for the chosen ids; an unknown id is a clear error, not a silent drop."""
    ids = [i for i in (ids or []) if i]
    if not ids:
        return []
    rows = db.session.scalars(select(model).where(model.id.in_(ids))).all()
    if len(rows) != len(set(ids)):
        raise ValidationFailed(f"Unknown {model.__tablename__} chosen.")
    return list(rows)


def terms_by_slugs(model, slugs, field: str) -> list:
    """Rows for the given slugs (API input); names every unknown slug."""
    if slugs is None:
        return []
    if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
        raise ValidationFailed("Give a list of slugs.", {field: "Must be a list of slugs."})
    rows = db.session.scalars(select(model).where(model.slug.in_(slugs))).all()
    missing = sorted(set(slugs) - {row.slug for row in rows})
    if missing:
        message = f"Unknown {field}: {', '.join(missing)}."
        raise ValidationFailed(message, {field: message})
    return list(rows)


def known_slugs(model, field: str):
    """A check of an API field holding slugs of ``model`` that names every unknown one,
    for ``portal.kernel.schemas.checked_by``: the slugs are refused beside the body's
    other wrong fields."""

    def check(slugs: list[str] | None) -> list[str] | None:
        terms_by_slugs(model, slugs, field)
        return slugs

    return check


def known_slug(model, field: str):
    """``known_slugs`` for a field holding one slug; empty or null means none."""

    def check(slug: str | None) -> str | None:
        if slug:
            terms_by_slugs(model, [slug], field)
        return slug

    return check
