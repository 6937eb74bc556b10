"""A report figure as the page shows it: escaped HTML for one table cell.

A table of 25 rows and 14 columns is 350 figures; formatting each in Python costs a few
microseconds, where calling a Jinja macro per cell cost most of the page's rendering.
"""

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from content.deals.services import format_money
from portal.kernel.reporting import Column, format_local_time
from portal.kernel.templating import format_date, format_percent, template_global


@template_global
def report_figure(column: Column, value) -> Markup:
    """``value`` of ``column`` as the page shows it: money in the currency, shares as
    whole percents, differences of shares in points, ratings and decimals to one place,
    an interval as its two ends in percents, an empty value as a muted dash (or the
    column's words for it)."""
    return Markup(_html(column, value))  # noqa: S704 - _html escapes the figure


@template_global
def report_value(row, key: str):
    """A row's figure ``key``: rows are dicts or objects with an attribute per column."""
    return row[key] if isinstance(row, Mapping) else getattr(row, key)


@template_global
def report_cells(columns: Sequence[Column], row) -> Markup:
    """The cells of ``row`` for ``columns`` after the first (which heads the row): one call
    per row, as a per-cell loop in the template costs a filter and a lookup per cell."""
    cells = (
        f'<td class="{_CLASS[column.kind in _TEXT]}">'
        f"{_html(column, report_value(row, column.key))}</td>"
        for column in columns[1:]
    )
    return Markup("".join(cells))  # noqa: S704 - _html escapes every figure


_TEXT = ("text", "time", "date")
_CLASS = {True: "", False: "number"}


def _html(column: Column, value) -> str:
    """The escaped HTML of a figure (plain strings, wrapped as Markup once per row)."""
    kind = column.kind
    if value is None or (kind == "interval" and not value):
        return f'<span class="muted">{escape(column.missing or "—")}</span>'
    return str(escape(_text(kind, value)))


def _text(kind: str, value) -> object:
    if kind == "number":
        is_integer = isinstance(value, int) and not isinstance(value, bool)
        return f"{value:,}" if is_integer else value
    if kind == "money":
        return format_money(value)
    if kind == "percent":
        return format_percent(value)
    if kind == "points":
        return f"{int(round(value * 100, 0)):+d} pts"
    if kind in ("rating", "decimal"):
        return f"{value:.1f}"
    if kind == "interval":
        return f"{value[0] * 100:.0f}–{format_percent(value[1])}"
    if kind == "time":
        return format_local_time(value)
    if kind == "date":
        return format_date(value)
    return value
