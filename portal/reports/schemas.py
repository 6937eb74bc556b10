"""The API's schemas for reports: the arguments every report page takes, and one page of
a report's rows."""

from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field

from portal.kernel.schemas import Output, Paging


class ReportQuery(Paging):
    """The same arguments as the report's page; a report ignores the filters it does not
    use, and an unknown sort column or direction falls back to its default order."""

    first: str | None = Field(
        None, alias="from", description="First day, YYYY-MM-DD (default: 90 days ago)"
    )
    last: str | None = Field(
        None, alias="to", description="Last day, YYYY-MM-DD, included (default: today)"
    )
    stage: str | None = Field(None, description="Buyer-stage slug")
    content_type: str | None = Field(None, description="Content-type slug")
    owner: str | None = Field(None, description="Email of the assets' owner")
    team: str | None = Field(None, description="sales or marketing")
    table: str | None = Field(
        None, alias="list", description="Which table, for reports with several"
    )
    sort: str | None = Field(None, description="Column key to sort by")
    dir: str | None = Field(None, description="asc or desc")


class ReportPeriod(Output):
    model_config = ConfigDict(serialize_by_alias=True)

    first: date = Field(serialization_alias="from")
    last: date = Field(serialization_alias="to")
    time_zone: str


class ReportSort(Output):
    key: str
    dir: Literal["asc", "desc"]


class Report(Output):
    """One page of a report's rows, with the period, filters and order they were read in."""

    model_config = ConfigDict(serialize_by_alias=True)

    report: str
    table: str | None = Field(
        serialization_alias="list", description="The table, for reports with several"
    )
    period: ReportPeriod
    filters: dict[str, str]
    sort: ReportSort
    items: list[dict[str, Any]] = Field(
        description="The rows of the page, one key per column; money in the portal's "
        "currency, shares as fractions, intervals as [low, high]. A row about an asset "
        "has its asset_id after the first column"
    )
    page: int
    per_page: int
    total: int
