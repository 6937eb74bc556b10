"""One row of a CRM export: the deal it describes, or every reason it cannot be imported."""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from content.crm.export_file import LABELS, CsvRow
from content.crm.stages import StageResolver, stage_key, status_from_stage
from content.deals.services import DealInput, check_external_id, parse_amount, validate
from content.library.models import Stage
from portal.kernel.errors import ValidationFailed
from portal.kernel.models import User, normalize_email
from portal.kernel.permissions import can

# The order a row's problems are listed in: the export's usual column order.
PROBLEM_ORDER = (
    "row", "external_id", "name", "account", "amount", "stage", "close_date", "owner", "status",
)  # fmt: skip
STATUS_WORDS = {
    "open": "open", "won": "won", "lost": "lost", "closed won": "won", "closed lost": "lost",
}  # fmt: skip
DATE_EXAMPLES = {"mdy": "MM/DD/YYYY", "dmy": "DD/MM/YYYY"}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASHED_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True)
class Reject:
    line: int
    external_id: str
    reason: str


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass
class PlannedDeal:
    line: int
    external_id: str
    values: dict  # the columns of content.crm.plan.COMPARED
    stage_name: str
    owner_email: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class Lookups:
    owners: dict[str, User]  # normalized email → user
    resolver: StageResolver
    date_order: str
    unmapped: Counter = field(default_factory=Counter)  # stage_key → rows
    unmapped_labels: dict[str, str] = field(default_factory=dict)  # stage_key → as first seen


def short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_close_date(text: str, order: str) -> date | None:
    """YYYY-MM-DD, or a slashed date in the CRM's order ("mdy" or "dmy"); empty is None.
    Anything else, or a day that does not exist, raises ValueError."""
    if not text:
        return None
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _SLASHED_DATE.fullmatch(text):
        first, second, year = match.groups()
        month, day = (first, second) if order == "mdy" else (second, first)
    else:
        raise ValueError(text)
    return date(int(year), int(month), int(day))


def _close_date(text: str, lookups: Lookups, problems: dict) -> date | None:
    try:
        return parse_close_date(text, lookups.date_order)
    except ValueError:
        example = DATE_EXAMPLES[lookups.date_order]
        problems["close_date"] = (
            f"Close Date “{short(text)}” is not a date: write it as YYYY-MM-DD or {example}."
        )
        return None


def _amount(text: str, problems: dict) -> int | None:
    try:
        return parse_amount(text)
    except ValidationFailed as error:
        problems["amount"] = f"Amount “{short(text)}”: {error.message}"
        return None


def _stage(text: str, lookups: Lookups, problems: dict) -> Stage | None:
    if not text:
        problems["stage"] = "Stage is empty: give the deal's stage in the CRM."
        return None
    stage = lookups.resolver.resolve(text)
    if stage is None:
        key = stage_key(text)
        lookups.unmapped_labels.setdefault(key, " ".join(text.split()))
        lookups.unmapped[key] += 1
        problems["stage"] = (
            f"The CRM stage “{short(text)}” is not mapped to a buyer stage: "
            "map it on the “CRM stages” page of the deal import."
        )
    return stage


def _status(text: str, stage_text: str, problems: dict) -> str:
    if not text:
        return status_from_stage(stage_text)
    status = STATUS_WORDS.get(stage_key(text))
    if status is None:
        problems["status"] = (
            f"Status “{short(text)}” is not open, won or lost (Closed Won and Closed Lost "
            "also work)."
        )
    return status or "open"


def _owner(text: str, lookups: Lookups, problems: dict) -> User | None:
    user = lookups.owners.get(normalize_email(text))
    if not text:
        problems["owner"] = "Owner Email is empty: give the email of the rep who owns the deal."
    elif user is None or not user.active:
        problems["owner"] = f"Owner Email: no active user has the email “{short(text)}”."
    elif not can(user, "track_deals"):
        problems["owner"] = f"Owner Email: {user.email} is a {user.role}; deals belong to reps."
    else:
        return user
    return None


def _external_id(text: str, problems: dict) -> str:
    try:
        return check_external_id(text)
    except ValidationFailed as error:
        problems["external_id"] = f"Opportunity ID: {error.message}"
        return text


def check_row(row: CsvRow, lookups: Lookups) -> PlannedDeal | Reject:
    """The deal a row describes, or why it cannot be imported (every problem named)."""
    cells = row.cells
    problems = {"row": row.problem} if row.problem else {}
    external_id = _external_id(cells["external_id"], problems)
    data = DealInput(
        name=cells["name"],
        account=cells["account"],
        amount_cents=_amount(cells.get("amount", ""), problems),
        stage=_stage(cells["stage"], lookups, problems),
        status=_status(cells.get("status", ""), cells["stage"], problems),
        close_date=_close_date(cells.get("close_date", ""), lookups, problems),
    )
    owner = _owner(cells["owner_email"], lookups, problems)
    try:
        validate(data)
    except ValidationFailed as error:
        # The row's own wording of a stage or status problem is the clearer one.
        named = {key: f"{LABELS.get(key, key)}: {text}" for key, text in error.fields.items()}
        problems = named | problems
    if problems:
        reason = " ".join(problems[key] for key in PROBLEM_ORDER if key in problems)
        return Reject(row.line, short(cells["external_id"], 100), reason)
    assert data.stage is not None, "a missing stage is a problem above"
    assert owner is not None, "a missing owner is a problem above"
    values = {
        "name": data.name,
        "account": data.account,
        "amount_cents": data.amount_cents,
        "stage_id": data.stage.id,
        "status": data.status,
        "close_date": data.close_date,
        "owner_id": owner.id,
    }
    return PlannedDeal(row.line, external_id, values, data.stage.name, owner.email)
