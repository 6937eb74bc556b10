"""Reading the glossary: the term list and its tabs, matches for the library's search, and
a term's versions and the changes between them."""

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from content.library.diff import Chunk, word_diff
from portal.kernel.errors import NotFound
from portal.kernel.extensions import db
from portal.kernel.list_filters import search_words
from portal.kernel.pagination import Page, paginate
from workflows.glossary.models import GlossarySignoff, GlossaryTerm, GlossaryTermVersion

SEARCH_MAX = 100
TABS = ("agreed", "proposed")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.casefold()}%"


def _matching(query: Select, words: str) -> Select:
    """Terms whose name, aliases or definition contain ``words`` (any case)."""
    if not words:
        return query
    pattern = _like(words)
    return query.where(
        or_(
            GlossaryTerm.name_key.like(pattern, escape="\\"),
            func.lower(GlossaryTerm.aliases).like(pattern, escape="\\"),
            func.lower(GlossaryTerm.definition).like(pattern, escape="\\"),
        )
    )


@dataclass
class TermFilters:
    """What the list shows: agreed or proposed terms, matching words, an initial letter."""

    q: str = ""
    status: str = "agreed"
    letter: str = ""


def parse_filters(args) -> TermFilters:
    """Read the list's query arguments; anything unexpected falls back to the default."""
    status = args.get("status", "agreed")
    letter = (args.get("letter") or "").strip().upper()
    return TermFilters(
        q=search_words(args, SEARCH_MAX),
        status=status if status in TABS else "agreed",
        letter=letter if len(letter) == 1 and "A" <= letter <= "Z" else "",
    )


def term_list(filters: TermFilters, page: int, per_page: int) -> Page:
    """A page of terms in the chosen tab, A–Z, matching the words and letter."""
    query = _matching(select(GlossaryTerm), filters.q).where(GlossaryTerm.status == filters.status)
    if filters.letter:
        query = query.where(GlossaryTerm.name_key.like(f"{filters.letter.lower()}%"))
    return paginate(query, page, per_page, order=(GlossaryTerm.name_key,))


def tab_counts(filters: TermFilters) -> dict[str, int]:
    """How many terms of each status match the words (the tabs show them)."""
    query = _matching(select(GlossaryTerm.status, func.count()), filters.q)
    counts = dict(db.session.execute(query.group_by(GlossaryTerm.status)).all())
    return {status: counts.get(status, 0) for status in TABS}


def search_matches(words: str, limit: int = 3) -> list[GlossaryTerm]:
    """A few agreed terms matching ``words``, for the library's search page."""
    words = " ".join((words or "").split())[:SEARCH_MAX]
    if not words:
        return []
    query = _matching(select(GlossaryTerm), words).where(GlossaryTerm.status == "agreed")
    return list(db.session.scalars(query.order_by(GlossaryTerm.name_key).limit(limit)))


def history(term: GlossaryTerm) -> list[GlossaryTermVersion]:
    """Every version, newest first, with who wrote it and who signed it."""
    return list(
        db.session.scalars(
            select(GlossaryTermVersion)
            .where(GlossaryTermVersion.term_id == term.id)
            .order_by(GlossaryTermVersion.number.desc())
            .options(
                selectinload(GlossaryTermVersion.editor),
                selectinload(GlossaryTermVersion.signoffs).selectinload(GlossarySignoff.leader),
            )
        )
    )


@dataclass
class VersionDiff:
    old: GlossaryTermVersion
    new: GlossaryTermVersion
    name: list[Chunk]
    aliases: list[Chunk]
    definition: list[Chunk]


def version_diff(term: GlossaryTerm, old_number: int, new_number: int) -> VersionDiff:
    """Word-level changes between two versions of the term (NotFound if either is missing)."""
    versions = {
        version.number: version
        for version in db.session.scalars(
            select(GlossaryTermVersion).where(
                GlossaryTermVersion.term_id == term.id,
                GlossaryTermVersion.number.in_([old_number, new_number]),
            )
        )
    }
    if old_number not in versions or new_number not in versions:
        raise NotFound("That version of the term does not exist.")
    old, new = versions[old_number], versions[new_number]
    return VersionDiff(
        old,
        new,
        word_diff(old.name, new.name),
        word_diff(old.aliases, new.aliases),
        word_diff(old.definition, new.definition),
    )
