"""Agreed glossary terms for the search box's suggestions: a term whose name, or one of
its other names, starts with what was typed (or has a word that does)."""

from flask import url_for
from sqlalchemy import func, or_, select

from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.suggestions import Suggestion, like_words
from workflows.glossary.models import GlossaryTerm, TermStatus


def agreed_terms(_user: User, text: str, limit: int) -> list[Suggestion]:
    """Agreed terms only: a proposal is not yet the shared word for anything."""
    starts, word = like_words(text)
    aliases = func.lower(GlossaryTerm.aliases)
    query = (
        select(GlossaryTerm.id, GlossaryTerm.name)
        .where(
            GlossaryTerm.status == TermStatus.AGREED,
            or_(
                GlossaryTerm.name_key.like(starts, escape="\\"),
                GlossaryTerm.name_key.like(word, escape="\\"),
                aliases.like(starts, escape="\\"),
                # Other names are stored comma-separated: each one starts after a comma.
                aliases.like(f"%,{starts}", escape="\\"),
                aliases.like(f"%, {starts}", escape="\\"),
            ),
        )
        .order_by(GlossaryTerm.name_key)
        .limit(limit)
    )
    return [
        Suggestion(name, url_for("glossary.show", term_id=term_id), "Glossary")
        for term_id, name in db.session.execute(query)
    ]
