"""Pagination shared by every list page and API list."""

from dataclasses import dataclass

from portal.errors import ValidationFailed

MAX_PAGE = 100_000
MAX_PER_PAGE = 100


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _bounded_int(raw, name: str, default: int, upper: int) -> int:
    if raw is None or str(raw).strip() == "":
        return default
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9 or not 1 <= int(text) <= upper:
        message = (
            f"{name.replace('_', ' ').capitalize()} must be a whole number from 1 to {upper:,}."
        )
        raise ValidationFailed(message, {name: message})
    return int(text)


def page_args(args, default_per_page: int) -> tuple[int, int]:
    """Read ``page`` and ``per_page`` from query arguments, bounded before any query."""
    page = _bounded_int(args.get("page"), "page", 1, MAX_PAGE)
    per_page = _bounded_int(args.get("per_page"), "per_page", default_per_page, MAX_PER_PAGE)
    return page, per_page
