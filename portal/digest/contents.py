"""What a digest holds: sections of items, as the page and both emails render them."""

from dataclasses import dataclass, field

from portal.digest.weeks import Week
from portal.kernel.models import User

NOTHING_NEW = "Nothing new this week."


@dataclass
class DigestItem:
    """One line of a digest: what happened, a link to its page (a path on this site), a
    detail line and any words people wrote (a reply, comments)."""

    title: str
    link: str
    detail: str = ""
    quotes: list[str] = field(default_factory=list)


@dataclass
class DigestSection:
    """A heading with its items; ``total`` counts them all when only the first
    ``summary.MAX_ITEMS`` are listed, and ``more_link`` leads to the rest."""

    heading: str
    items: list[DigestItem]
    total: int
    noun: tuple[str, str]  # singular and plural, for the subject line
    note: str = ""
    more_link: str = ""
    # Says what the section holds when a count would not, e.g. for the week's numbers.
    label: str = ""
    # How many items there are in all when an item groups several of what ``total``
    # counts (the field notes list groups of feedback); None when each item is one.
    listed: int | None = None

    @property
    def more(self) -> int:
        whole = self.total if self.listed is None else self.listed
        return max(0, whole - len(self.items))

    @property
    def summary(self) -> str:
        if self.label:
            return self.label
        singular, plural = self.noun
        return f"{self.total} {singular if self.total == 1 else plural}"


@dataclass
class Digest:
    user: User
    week: Week
    sections: list[DigestSection]

    @property
    def empty(self) -> bool:
        """Nothing for this person this week: no email is sent."""
        return not any(section.total for section in self.sections)

    @property
    def summary(self) -> str:
        """What the digest holds in a few words, for the subject and ``--dry-run``."""
        parts = [section.summary for section in self.sections if section.total]
        return ", ".join(parts) if parts else NOTHING_NEW
