"""The sections of "My work", and the hook through which a feature adds its own.

"My work" belongs to the dashboard (a workflows feature), which may not import portal
features; a portal feature with work for people (the action items of alignment meetings)
registers a section provider in its ``feature.register`` instead, as the glossary gives
search its synonyms. The dashboard asks every provider after its own sections.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import Select, func, select

from portal.kernel.extensions import db
from portal.kernel.models import User

SECTION_LIMIT = 25  # per section; the counts say how many there are in all
_KEY = "tandem.work_sections"


@dataclass
class WorkSection:
    """One section of "My work": its first rows and how many there are. ``item_template``
    renders one row; without it the dashboard's ``workflows/_work_item_<key>.html``."""

    key: str
    title: str
    empty: str
    items: list
    total: int
    item_template: str | None = None


def limited_section(
    query: Select, key: str, title: str, empty: str, item_template: str | None = None
) -> WorkSection:
    """A section of the first SECTION_LIMIT rows of ``query``, counted only when they fill it."""
    items = list(db.session.scalars(query.limit(SECTION_LIMIT)))
    total = len(items)
    if total == SECTION_LIMIT:
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return WorkSection(key, title, empty, items, total, item_template)


SectionProvider = Callable[[User], WorkSection | None]


def register_work_section(app: Flask, provider: SectionProvider) -> None:
    """Have ``provider(user)`` add a section to that user's "My work" (None: none for them)."""
    app.extensions.setdefault(_KEY, []).append(provider)


def feature_sections(user: User) -> list[WorkSection]:
    """The sections features registered, for ``user``, in the order they registered."""
    sections = (provider(user) for provider in current_app.extensions.get(_KEY, ()))
    return [section for section in sections if section is not None]
