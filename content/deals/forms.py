"""Forms for a rep's deals and for attaching content to a deal.

The rules (required fields, lengths, amounts, statuses) live in content.deals.services and
content.usage.events; the forms reuse their limits and messages, so a field error reads the same
on the page as in the API.
"""

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from content.deals import services as deals
from content.deals.models import DEAL_STATUS_LABELS, DEAL_STATUSES
from content.library.browsing import taxonomy_choices
from content.usage import events as usage
from portal.kernel.errors import ValidationFailed
from portal.kernel.forms import (
    NONE_CHOSEN,
    bounded_text,
    chosen_id,
    id_choices,
    id_select,
    optional_date,
)


class AmountField(StringField):
    """An amount typed as text ("12,500.50", "$12,500"); ``data`` is cents or None.

    Text that is not an amount keeps what was typed on the page and carries the service's
    message as the field's error.
    """

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        try:
            self.data = deals.parse_amount(valuelist[0])
        except ValidationFailed as error:
            self.data = None
            raise ValueError(error.fields.get("amount", error.message)) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        whole, cents = divmod(self.data, 100)
        return f"{whole:,}" + (f".{cents:02d}" if cents else "")


class DealForm(FlaskForm):
    name = bounded_text(
        StringField,
        "Deal name",
        max_length=deals.NAME_MAX,
        too_long=deals.NAME_TOO_LONG,
        required=DataRequired(message=deals.NAME_MISSING),
        description="As it is called in your CRM, e.g. “Acme — 2025 renewal”.",
    )
    account = bounded_text(
        StringField,
        "Account",
        max_length=deals.ACCOUNT_MAX,
        too_long=deals.ACCOUNT_TOO_LONG,
        required=DataRequired(message=deals.ACCOUNT_MISSING),
        description="The company the deal is with.",
    )
    amount = AmountField("Amount", render_kw={"inputmode": "decimal"})
    # The service's messages, not WTForms' "Not a valid choice", for tampered values.
    stage = id_select("Buyer stage", missing=deals.STAGE_MISSING)
    status = SelectField("Status", default="open", validate_choice=False)
    close_date = optional_date("Close date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        currency = current_app.config.get("CURRENCY", "USD")
        self.amount.description = f"Optional, in {currency}: e.g. 12,500 or 12,500.50."
        self.stage.choices = id_choices(
            taxonomy_choices("stages")["stages"], none="Choose a stage…"
        )
        self.status.choices = [
            SelectChoice(status, DEAL_STATUS_LABELS[status]) for status in DEAL_STATUSES
        ]

    def validate_stage(self, field) -> None:
        if field.data == NONE_CHOSEN or field.data not in {c.value for c in field.choices}:
            raise ValidationError(deals.STAGE_MISSING)

    def validate_status(self, field) -> None:
        if field.data not in DEAL_STATUSES:
            raise ValidationError(deals.STATUS_INVALID)


class AttachForm(FlaskForm):
    """Record that an asset was used in a deal, with an optional note for the record."""

    note = bounded_text(
        TextAreaField,
        "Note",
        max_length=usage.NOTE_MAX,
        too_long=usage.NOTE_TOO_LONG,
        description="Optional: how it helped, e.g. “sent after the pricing call”.",
        rows=2,
    )


class DealAttachForm(AttachForm):
    """Attach from the deal page: the asset is chosen by the card the button sits on."""

    asset_id = HiddenField(filters=[chosen_id])


def attach_form_for(asset_id: int) -> DealAttachForm:
    """The attach form of one recommended card. Several cards share the deal page, so each
    note field gets an id (and a label pointing at it) of its own."""
    form = DealAttachForm(formdata=None, asset_id=asset_id)
    form.note.id = form.note.label.field_id = f"note-{asset_id}"
    return form
