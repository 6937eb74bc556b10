"""List filters that name a taxonomy term by its slug (the library's filter bar, the stage
filter of deals, requests and feedback), and the status-and-stage filters those three
lists share."""

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, select

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


@dataclass
class StagedFilters:
    """What the lists of deals, requests and feedback share: a status view ("all" is every
    status) and a buyer stage, given by its slug and found by :func:`stage_filter`."""

    status: str = "all"
    stage: str = ""
    chosen_stage: Stage | None = None

    def in_status(self, query: Select, status: Any) -> Select:
        """``query`` kept to the status view; ``status`` is the listed rows' column."""
        return query if self.status == "all" else query.where(status == self.status)

    def in_stage(self, query: Select, stage_id: Any) -> Select:
        """``query`` kept to the chosen stage, if any; ``stage_id`` is the rows' column."""
        if self.chosen_stage is None:
            return query
        return query.where(stage_id == self.chosen_stage.id)


def stage_filter(args, errors: dict[str, str]) -> tuple[str, Stage | None]:
    """The ``stage`` query argument of a list (a slug) and the stage it names."""
    slug = (args.get("stage") or "").strip()[:SLUG_MAX]
    return slug, chosen_term(Stage, "stage", slug, errors)
