"""Deals: a rep's sales opportunities, typed in, imported from a CRM export or synced by
API, and the content that helps at their buyer stage. Services flush; callers commit."""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app, has_app_context
from sqlalchemy import select

from content.deals.history import record_changes
from content.deals.models import DEAL_STATUSES, ChangeSource, Deal
from content.library.models import Asset, Stage
from portal.kernel import events
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, check_text
from portal.kernel.extensions import db
from portal.kernel.models import User, normalize_email, utcnow
from portal.kernel.permissions import can, get_visible
from portal.kernel.sql import upsert_insert
from portal.kernel.templating import template_filter

NAME_MAX = 200
ACCOUNT_MAX = 200
EXTERNAL_ID_MAX = 100
AMOUNT_MAX_CENTS = 10**15  # ten trillion in the portal's currency
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}

NAME_MISSING = "Name the deal, as it is called in your CRM."
ACCOUNT_MISSING = "Say which account (company) the deal is with."
NAME_TOO_LONG = f"Keep the name under {NAME_MAX} characters."
ACCOUNT_TOO_LONG = f"Keep the account under {ACCOUNT_MAX} characters."
STAGE_MISSING = "Choose the buyer stage the deal is at."
STATUS_INVALID = "The status is open, won or lost."
AMOUNT_INVALID = "Write the amount as a number, such as 12500 or 12,500.00."
# A number with a currency written before or after it: "$12,500", "12500 USD".
_WRITTEN = re.compile(r"(?P<before>[^\d\s.,-]*)\s*(?P<number>-?[\d.,]+)\s*(?P<after>[^\d\s.,-]*)")
_MONEY = re.compile(r"^\d{1,3}(,\d{3})+(\.\d{1,2})?$|^\d+(\.\d{1,2})?$")


@dataclass
class DealInput:
    """What a rep types or a CRM sends; the stage is already resolved to a row."""

    name: str
    account: str
    amount_cents: int | None = None
    stage: Stage | None = None
    status: str = "open"
    close_date: date | None = None
    errors: dict = field(default_factory=dict)


def _number_in(text: str) -> str | None:
    """The number in an amount as typed; None when anything but the portal's currency
    (its code or symbol) is written around it, so that "about 5k" or "12,500 EUR" is
    never read as 5 or 12,500 in the portal's currency."""
    match = _WRITTEN.fullmatch(text)
    if match is None:
        return None
    code = current_app.config.get("CURRENCY", "USD") if has_app_context() else "USD"
    allowed = {"", code, CURRENCY_SYMBOLS.get(code, code)}
    if match["before"].upper() not in allowed or match["after"].upper() not in allowed:
        return None
    return match["number"]


def parse_amount(value, field_name: str = "amount") -> int | None:
    """An amount in the portal's currency, as cents. Takes a JSON number or text such as
    "12500", "12,500.50" or "$12,500"; empty is None. Anything else is a ValidationFailed
    naming ``field_name``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationFailed(AMOUNT_INVALID, {field_name: AMOUNT_INVALID})
    if isinstance(value, int | float | Decimal):
        text = str(value)
    elif isinstance(value, str):
        number = _number_in(value.strip())
        if number is None:
            raise ValidationFailed(AMOUNT_INVALID, {field_name: AMOUNT_INVALID})
        text = number
    else:
        raise ValidationFailed(AMOUNT_INVALID, {field_name: AMOUNT_INVALID})
    if text.startswith("-"):
        message = "The amount cannot be negative."
        raise ValidationFailed(message, {field_name: message})
    if isinstance(value, str) and not _MONEY.match(text):
        raise ValidationFailed(AMOUNT_INVALID, {field_name: AMOUNT_INVALID})
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValidationFailed(AMOUNT_INVALID, {field_name: AMOUNT_INVALID}) from None
    if not amount.is_finite():
        raise ValidationFailed(AMOUNT_INVALID, {field_name: AMOUNT_INVALID})
    # Before rounding to cents: a number longer than Decimal's 28 digits cannot be rounded.
    if amount * 100 > AMOUNT_MAX_CENTS:
        message = "The amount is too large."
        raise ValidationFailed(message, {field_name: message})
    if amount != amount.quantize(Decimal("0.01")):
        message = "Give the amount to the cent at most (two decimals)."
        raise ValidationFailed(message, {field_name: message})
    return int(amount * 100)


def validate(data: DealInput) -> DealInput:
    """Trim and check a deal's fields; raises ValidationFailed naming every bad field.
    Errors the caller found while reading the input (``data.errors``) are kept as they are:
    they say more than "missing" about a value that could not be read."""
    errors: dict[str, str] = {}
    data.name = " ".join((data.name or "").split())
    data.account = " ".join((data.account or "").split())
    check_text(errors, "name", data.name, NAME_MAX, NAME_TOO_LONG, NAME_MISSING)
    check_text(errors, "account", data.account, ACCOUNT_MAX, ACCOUNT_TOO_LONG, ACCOUNT_MISSING)
    if data.stage is None:
        errors["stage"] = STAGE_MISSING
    if data.status not in DEAL_STATUSES:
        errors["status"] = STATUS_INVALID
    if data.amount_cents is not None and not 0 <= data.amount_cents <= AMOUNT_MAX_CENTS:
        errors["amount"] = AMOUNT_INVALID
    errors.update(data.errors)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    return data


def check_external_id(external_id) -> str:
    """A CRM id: non-empty text up to 100 characters, kept as given (trimmed)."""
    if not isinstance(external_id, str) or not external_id.strip():
        message = "Give the CRM's id of the deal."
        raise ValidationFailed(message, {"external_id": message})
    external_id = external_id.strip()
    if len(external_id) > EXTERNAL_ID_MAX or any(ord(ch) < 32 for ch in external_id):
        message = f"A CRM id is at most {EXTERNAL_ID_MAX} printable characters."
        raise ValidationFailed(message, {"external_id": message})
    return external_id


def values_of(data: DealInput) -> dict:
    """The columns a DealInput sets."""
    return {
        "name": data.name,
        "account": data.account,
        "amount_cents": data.amount_cents,
        "stage_id": data.stage.id if data.stage else None,
        "status": data.status,
        "close_date": data.close_date,
    }


def differs(deal: Deal, values: dict) -> bool:
    """Whether writing ``values`` would change ``deal`` (an import or sync that changes
    nothing must not touch the row)."""
    return any(getattr(deal, name) != value for name, value in values.items())


EVENT_COLUMNS = ("name", "account", "amount_cents", "status", "close_date")


def event_data(
    deal_id: int,
    external_id: str | None,
    values: dict,
    stage_name: str | None,
    owner_email: str,
    source: str,
    change: str,
) -> dict:
    """The data of a ``deal.updated`` event from a deal's EVENT_COLUMNS, for a deal saved
    on a page or through the API as for a row of a CRM import."""
    return {
        "change": change,
        "deal": {
            "id": deal_id,
            "external_id": external_id,
            "name": values["name"],
            "account": values["account"],
            "amount": amount_number(values["amount_cents"]),
            "currency": current_app.config.get("CURRENCY", "USD"),
            "stage": stage_name,
            "status": values["status"],
            "close_date": values["close_date"],
            "owner_email": owner_email,
            "source": source,
            "url": events.link(f"/deals/{deal_id}"),
        },
    }


def publish_change(deal: Deal, change: str) -> None:
    """Publish ``deal.updated`` for a deal just created or changed (``change`` says which).
    The stage and the owner are read by id: their relationships may predate the change."""
    values = {name: getattr(deal, name) for name in EVENT_COLUMNS}
    stage = db.session.get(Stage, deal.stage_id) if deal.stage_id is not None else None
    owner = db.session.get(User, deal.owner_id)
    data = event_data(
        deal.id,
        deal.external_id,
        values,
        stage.name if stage is not None else None,
        owner.email if owner is not None else "",
        deal.source,
        change,
    )
    events.publish("deal.updated", data)


def _apply(deal: Deal, values: dict) -> bool:
    if not differs(deal, values):
        return False
    for name, value in values.items():
        setattr(deal, name, value)
    deal.updated_at = utcnow()
    return True


def create_deal(
    owner: User,
    data: DealInput,
    external_id: str | None = None,
    source: str = "manual",
    via: ChangeSource | None = None,
) -> Deal:
    """A new deal owned by the rep ``owner``; ``via`` is where its stage history says it
    came from (by default, its ``source``)."""
    if not can(owner, "track_deals"):
        raise PermissionDenied("Deals belong to reps; only a rep can own one.")
    validate(data)
    if external_id is not None:
        external_id = check_external_id(external_id)
        if find_external(external_id) is not None:
            message = "A deal with this CRM id exists already."
            raise Conflict(message, fields={"external_id": message})
    deal = Deal(owner=owner, external_id=external_id, source=source, **values_of(data))
    db.session.add(deal)
    db.session.flush()
    record_changes([deal.id], via or ChangeSource(source))
    publish_change(deal, "created")
    return deal


def update_deal(
    deal: Deal, actor: User, data: DealInput, via: ChangeSource = ChangeSource.MANUAL
) -> bool:
    """Save the rep's edit of their deal; returns whether anything changed."""
    if not can(actor, "view", deal):
        raise NotFound("No such deal.")
    if not can(actor, "edit", deal):
        raise PermissionDenied("Only the rep who owns this deal can change it.")
    changed = _apply(deal, values_of(validate(data)))
    db.session.flush()
    if changed:
        record_changes([deal.id], via)
        publish_change(deal, "updated")
    return changed


def find_external(external_id: str) -> Deal | None:
    return db.session.scalar(select(Deal).where(Deal.external_id == external_id))


def deal_owner(email: str | None) -> User:
    """The active rep with this email, who may own a deal; else a ValidationFailed."""
    if not email:
        message = "Give the owner: the email of the rep whose deal it is."
        raise ValidationFailed(message, {"owner": message})
    user = db.session.scalar(select(User).where(User.email == normalize_email(email or "")))
    if user is None or not user.active:
        message = f"No active user has the email “{email}”."
        raise ValidationFailed(message, {"owner": message})
    if not can(user, "track_deals"):
        message = f"{user.email} is a {user.role}; deals belong to reps."
        raise ValidationFailed(message, {"owner": message})
    return user


def upsert_external(
    actor: User,
    external_id,
    data: DealInput,
    owner_email: str | None = None,
    source: str = "api",
) -> tuple[Deal, str]:
    """Create or update the deal with this CRM id; returns (deal, "created" | "updated" |
    "unchanged"). Sending the same data twice changes nothing.

    Admins sync anyone's deals and name the owner by email (required for a new deal);
    a rep syncs only their own. A deal the actor may not know exists is NotFound.
    """
    external_id = check_external_id(external_id)
    integration = can(actor, "import_deals")
    if not integration and not can(actor, "track_deals"):
        raise PermissionDenied("Only reps and admins sync deals.")
    existing = find_external(external_id)
    if existing is not None and not (integration or can(actor, "edit", existing)):
        raise NotFound("No such deal.")
    if integration:
        owner = deal_owner(owner_email) if owner_email or existing is None else existing.owner
    else:
        if owner_email and normalize_email(owner_email) != actor.email:
            message = "You can only sync your own deals."
            raise ValidationFailed(message, {"owner": message})
        owner = actor
    validate(data)
    if existing is None:
        created = _insert_external(external_id, owner, data, source)
        if created is not None:
            record_changes([created.id], ChangeSource.API)
            publish_change(created, "created")
            return created, "created"
        existing = find_external(external_id)  # someone created it a moment ago
        assert existing is not None, "the insert above found it already there"
    values = values_of(data) | {"owner_id": owner.id}
    changed = _apply(existing, values)
    db.session.flush()
    if changed:
        record_changes([existing.id], ChangeSource.API)
        publish_change(existing, "updated")
    return existing, "updated" if changed else "unchanged"


def _insert_external(external_id: str, owner: User, data: DealInput, source: str) -> Deal | None:
    """Insert unless the CRM id exists; None when another request created it first."""
    now = utcnow()
    statement = (
        upsert_insert(Deal)
        .values(
            external_id=external_id,
            owner_id=owner.id,
            source=source,
            created_at=now,
            updated_at=now,
            **values_of(data),
        )
        .on_conflict_do_nothing(index_elements=[Deal.external_id])
        .returning(Deal.id)
    )
    deal_id = db.session.execute(statement).scalar()
    return db.session.get(Deal, deal_id) if deal_id is not None else None


def asset_title(asset: Asset) -> str:
    """The title a deal shows for content attached to it: the live revision's (an archived
    asset keeps it), else the latest."""
    revision = asset.live_revision or asset.latest_revision
    return revision.title if revision else ""


def get_visible_deal(user: User, deal_id: int) -> Deal:
    """The deal if this user may see it; otherwise NotFound (never a 403)."""
    return get_visible(user, Deal, deal_id, "No such deal.")


@template_filter("money")
def format_money(cents: int | None) -> str:
    """Cents in the portal's currency as people write it: "$12,500" or "$12,500.50"."""
    if cents is None:
        return "—"
    code = current_app.config.get("CURRENCY", "USD")
    symbol = CURRENCY_SYMBOLS.get(code)
    whole, rest = divmod(cents, 100)
    number = f"{whole:,}" + (f".{rest:02d}" if rest else "")
    return f"{symbol}{number}" if symbol else f"{code} {number}"


def amount_number(cents: int | None):
    """Cents as the JSON number the API shows (12500.5), never a float's rounding."""
    if cents is None:
        return None
    amount = Decimal(cents) / 100
    return int(amount) if amount == amount.to_integral_value() else float(amount)
