"""The shared glossary: terms both teams agree on, their versions and the sign-offs.

A sign-off belongs to one version of a term, so an edit (a new version) starts the
agreement again while the earlier versions keep who signed them.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.kernel.extensions import Entity
from portal.kernel.models import User, utcnow
from portal.kernel.sql import one_of


class TermStatus(StrEnum):
    """A term is proposed until both sides sign its current version."""

    PROPOSED = "proposed"
    AGREED = "agreed"


TERM_STATUSES: dict[str, str] = {TermStatus.PROPOSED: "Proposed", TermStatus.AGREED: "Agreed"}
# The two teams that must both sign a version, in the order pages show them.
SIDES = ("sales", "marketing")
NAME_MAX = 100
ALIASES_MAX = 300
DEFINITION_MAX = 5000
NOTE_MAX = 300


def name_key(name: str) -> str:
    """The form of a name that uniqueness compares: case folded, spaces collapsed."""
    return " ".join((name or "").split()).casefold()


class GlossaryTerm(Entity):
    """A term as it reads now; its history is in :class:`GlossaryTermVersion`."""

    __tablename__ = "glossary_terms"
    __table_args__ = (one_of("status", TermStatus),)

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    # "MQL" and "mql " are one term: the database refuses the second.
    name_key: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    aliases: Mapped[str] = mapped_column(String(ALIASES_MAX), default="")  # comma-separated
    definition: Mapped[str] = mapped_column(Text)  # Markdown
    status: Mapped[str] = mapped_column(String(20), default=TermStatus.PROPOSED, index=True)
    version: Mapped[int] = mapped_column(default=1)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    agreed_at: Mapped[datetime | None]

    proposer: Mapped[User] = relationship()
    versions: Mapped[list["GlossaryTermVersion"]] = relationship(
        back_populates="term",
        order_by="GlossaryTermVersion.number.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)


class GlossaryTermVersion(Entity):
    """An immutable snapshot of a term's name, aliases and definition."""

    __tablename__ = "glossary_term_versions"
    __table_args__ = (UniqueConstraint("term_id", "number"),)

    term_id: Mapped[int] = mapped_column(ForeignKey("glossary_terms.id", ondelete="CASCADE"))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    aliases: Mapped[str] = mapped_column(String(ALIASES_MAX), default="")
    definition: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    term: Mapped[GlossaryTerm] = relationship(back_populates="versions")
    editor: Mapped[User] = relationship()
    signoffs: Mapped[list["GlossarySignoff"]] = relationship(
        back_populates="version", order_by="GlossarySignoff.signed_at"
    )

    @property
    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)


class GlossarySignoff(Entity):
    """A leader agreed to one version of a term for their team.

    One per side and one per leader on each version: the constraints, not a check in
    Python, keep two leaders of one team (or one leader twice) from both counting.
    """

    __tablename__ = "glossary_signoffs"
    __table_args__ = (
        UniqueConstraint("version_id", "side"),
        UniqueConstraint("version_id", "leader_id"),
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("glossary_term_versions.id", ondelete="CASCADE")
    )
    side: Mapped[str] = mapped_column(String(20))
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    version: Mapped[GlossaryTermVersion] = relationship(back_populates="signoffs")
    leader: Mapped[User] = relationship()


def split_aliases(raw: str | None) -> list[str]:
    """Aliases as typed ("SQLs, sales-qualified lead"), cleaned, without duplicates."""
    seen, aliases = set(), []
    for part in (raw or "").split(","):
        alias = " ".join(part.split())
        if alias and name_key(alias) not in seen:
            seen.add(name_key(alias))
            aliases.append(alias)
    return aliases
