"""List filters that name a taxonomy term by its slug (the library's filter bar, the stage
filter of deals, requests and feedback)."""

from typing import TypeVar

from sqlalchemy import select

from content.library.models import Stage, TaxonomyTerm
from portal.kernel.extensions import db

SLUG_MAX = 60
TermT = TypeVar("TermT", bound=TaxonomyTerm)


def chosen_term(model: type[TermT], name: str, slug: str, errors: dict[str, str]) -> TermT | None:
    """The ``model`` term a list filter names by ``slug``, None when none is named; an
    unknown slug is noted in ``errors`` under the filter's ``name``."""
    if not slug:
        return None
    term = db.session.scalar(select(model).where(model.slug == slug))
    if term is None:
        errors[name] = f"There is no {name.replace('_', ' ')} called “{slug}”."
    return term


def stage_filter(args, errors: dict[str, str]) -> tuple[str, Stage | None]:
    """The ``stage`` query argument of a list (a slug) and the stage it names."""
    slug = (args.get("stage") or "").strip()[:SLUG_MAX]
    return slug, chosen_term(Stage, "stage", slug, errors)
