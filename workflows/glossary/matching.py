"""Agreed glossary terms in an asset's words.

Every agreed term's name and aliases become one pattern; an asset's title, summary and
body are read for whole-word mentions, and the asset page's "Terms used here" box lists
the terms found. Proposed terms are never matched: a word only links once both teams
have agreed what it means.
"""

import re
from functools import lru_cache

from sqlalchemy import select

from content.library.markdown import plain_text
from portal.kernel import shared_figures
from portal.kernel.extensions import db
from workflows.glossary.models import GlossaryTerm, name_key, split_aliases


@lru_cache(maxsize=16)
def _matcher(entries: tuple[tuple[int, str, str], ...]) -> tuple[re.Pattern | None, dict]:
    """One pattern for every agreed name and alias, and which term each spelling means.

    A match is a whole word (or words, any spacing), in any case, optionally followed by a
    plural or possessive "s" ("MQLs", "SQL's"); "MySQL" or "SQLite" do not count as "SQL".
    """
    spellings: dict[str, int] = {}
    for term_id, name, aliases in entries:
        for spelling in [name, *split_aliases(aliases)]:
            spellings.setdefault(name_key(spelling), term_id)
    if not spellings:
        return None, spellings
    # Longest first, so "qualified opportunity" wins over a shorter term inside it.
    words = sorted(spellings, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, word.split())) for word in words)
    pattern = re.compile(rf"(?<!\w)(?P<term>{alternatives})(?:['’]s|s)?(?!\w)", re.IGNORECASE)
    return pattern, spellings


# Agreed terms change seldom and every search and asset page reads them.
GLOSSARY_FIGURES = "glossary"


def _agreed_entries() -> tuple[tuple[int, str, str], ...]:
    """Every agreed term's id, name and aliases, shared between requests for a few
    seconds (see portal.kernel.shared_figures)."""
    return shared_figures.figure(GLOSSARY_FIGURES, "agreed", _read_agreed_entries)


def _read_agreed_entries() -> tuple[tuple[int, str, str], ...]:
    rows = db.session.execute(
        select(GlossaryTerm.id, GlossaryTerm.name, GlossaryTerm.aliases)
        .where(GlossaryTerm.status == "agreed")
        .order_by(GlossaryTerm.id)
    )
    return tuple((term_id, name, aliases) for term_id, name, aliases in rows)


def terms_in_text(*texts: str) -> list[GlossaryTerm]:
    """The agreed terms that ``texts`` mention, A–Z."""
    pattern, spellings = _matcher(_agreed_entries())
    if pattern is None:
        return []
    found = {
        spellings[name_key(match.group("term"))]
        for text in texts
        if text
        for match in pattern.finditer(text)
    }
    if not found:
        return []
    return list(
        db.session.scalars(
            select(GlossaryTerm).where(GlossaryTerm.id.in_(found)).order_by(GlossaryTerm.name_key)
        )
    )


def synonym_groups() -> list[list[str]]:
    """Each agreed term with aliases as one group of spellings (name first), for search:
    proposed terms are not yet agreed to mean the same thing."""
    return [[name, *split_aliases(aliases)] for _id, name, aliases in _agreed_entries() if aliases]


def terms_on_asset(asset, revision=None) -> list[GlossaryTerm]:
    """Agreed terms in the words of the asset's live revision (or ``revision`` for an
    asset never published): title, summary and body."""
    shown = asset.live_revision or revision
    if shown is None:
        return []
    body = shown.body_text if shown.body_text is not None else plain_text(shown.body)
    return terms_in_text(shown.title, shown.summary, body)
