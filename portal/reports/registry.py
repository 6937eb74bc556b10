"""The catalogue of reports: each report module registers a ReportSpec, and one set of
views renders any of them as a page, a CSV file and JSON."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from portal.kernel.models import OVERSEERS, User
from portal.kernel.pagination import Page
from portal.kernel.reporting import Column, ReportFilters, Sort
from portal.kernel.role_rules import roles_may

FILTERS = ("stage", "content_type", "owner", "team")


# Leaders, marketers and admins read the reports; reps do not (404).
_overseers_may = roles_may(OVERSEERS, "view_reports")


@dataclass
class Chart:
    """A chart drawn from ``labels`` and named ``series`` of numbers (one line or bar set
    each); ``kind`` is "line" or "bar". The page also shows the numbers as a table."""

    title: str
    kind: str
    labels: list[str]
    series: Mapping[str, Sequence[float]]


@dataclass
class Headline:
    """A number the dashboard shows for a report; ``kind`` says how ("number", "money",
    "percent" of a share, or "days" of a duration)."""

    label: str
    value: object
    kind: str = "number"


def counted(
    figures: Callable[[ReportFilters], Mapping[str, Any]], *labelled: tuple[str, str]
) -> Callable[[ReportFilters], list[Headline]]:
    """Headlines read from one query's figures: for each ``(label, key)`` the number
    ``figures`` gives under ``key``, 0 when it has none (no event of that kind)."""

    def headlines(filters: ReportFilters) -> list[Headline]:
        values = figures(filters)
        return [Headline(label, values.get(key, 0)) for label, key in labelled]

    return headlines


# What a row about an asset carries besides its columns: the page links the title with
# it, and the CSV and JSON hold it so other systems can join the rows to their assets.
ASSET_ID = Column("asset_id", "Asset id", sortable=False)


@dataclass
class Table:
    """One table of a report: its columns, the default order and the query that returns a
    page of rows (objects with an attribute per column key) in a given order.
    ``row_id`` is the key (e.g. ASSET_ID) of what each row is about, when it is a thing
    with an id: not a column of the page, but of the CSV and JSON."""

    columns: list[Column]
    default_sort: Sort
    rows: Callable[[ReportFilters, Sort, int, int], Page]
    empty: str = "Nothing was used in this period."
    row_id: Column | None = None

    @property
    def exported(self) -> list[Column]:
        """The columns of the CSV and JSON: the page's, with the row's id after the first
        (the title that heads each row)."""
        if self.row_id is None:
            return self.columns
        return [self.columns[0], self.row_id, *self.columns[1:]]


@dataclass
class Panel:
    """A partial the report's page shows above its charts and table (not in the CSV or
    JSON): ``template`` rendered with what ``load`` returns for the period and filters,
    on the tab ``tab`` only (the report's first, by default)."""

    template: str
    load: Callable[[ReportFilters], Mapping[str, Any]]
    tab: str | None = None


@dataclass
class RowAction:
    """A link beside a row that acts on it, e.g. "Create a content request"."""

    label: str
    url: str


@dataclass
class ReportSpec:
    slug: str
    position: int  # its place on the dashboard, 1 first
    title: str
    summary: str
    tables: dict[str, Table]  # "" for a report with one table; else tab name -> table
    filters: tuple[str, ...] = FILTERS
    charts: Callable[[ReportFilters], list[Chart]] = lambda filters: []
    headlines: Callable[[ReportFilters], list[Headline]] = lambda filters: []
    notes: list[str] = field(default_factory=list)
    tab_labels: dict[str, str] = field(default_factory=dict)
    # Notes that depend on the period and filters, e.g. a total that is not a row.
    remarks: Callable[[ReportFilters], list[str]] = lambda filters: []
    # Links beside each row of the page (not in the CSV or JSON), for the user viewing it.
    row_actions: Callable[[User, Any], list[RowAction]] | None = None
    panel: Panel | None = None


REPORTS: dict[str, ReportSpec] = {}


def register(spec: ReportSpec) -> ReportSpec:
    REPORTS[spec.slug] = spec
    return spec


def in_order() -> list[ReportSpec]:
    """The reports in dashboard order."""
    return sorted(REPORTS.values(), key=lambda spec: spec.position)
