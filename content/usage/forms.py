"""Forms of the asset page's usage boxes: rate it, record a deal it was used in, share it.

The rules (star range, note and recipient lengths, expiry bounds) live in the services;
the forms only parse, so a bad value gets the service's own message whichever way it
arrives. Each field has an explicit id because the three forms share one page.
"""

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from content.deals.models import Deal
from content.usage import events as usage
from content.usage import ratings, share_links
from portal.kernel.forms import chosen_id, id_or_none

DEAL_MISSING = "Choose one of your open deals."


def _deal_choices(deals: list[Deal], empty: str) -> list[SelectChoice]:
    return [SelectChoice("", empty)] + [
        SelectChoice(deal.id, f"{deal.name} — {deal.account}") for deal in deals
    ]


class RatingForm(FlaskForm):
    # The service checks the value; the choices are what the page offers.
    stars = RadioField(
        "Your rating",
        choices=[
            SelectChoice(str(n), f"{n} star{'' if n == 1 else 's'}")
            for n in range(ratings.STARS_MAX, ratings.STARS_MIN - 1, -1)
        ],
        validate_choice=False,
        validators=[InputRequired(message=ratings.STARS_INVALID)],
    )
    comment = TextAreaField(
        "Comment for the authors (optional)",
        description="Only the people who wrote the asset and leaders read it.",
        id="rating-comment",
        render_kw={"rows": 3, "maxlength": ratings.COMMENT_MAX},
    )
    # A blank comment keeps the earlier one, so removing it is asked for in so many words.
    remove_comment = BooleanField("Remove my comment", id="rating-remove-comment")


class DealUsageForm(FlaskForm):
    deal = SelectField(
        "Your open deal",
        coerce=chosen_id,
        validate_choice=False,
        validators=[NumberRange(min=1, message=DEAL_MISSING)],
        id="used-deal",
    )
    note = TextAreaField(
        "Note (optional)",
        description="How it helped, e.g. “sent to the CFO before the pricing call”.",
        id="used-note",
        render_kw={"rows": 2, "maxlength": usage.NOTE_MAX},
    )

    def __init__(self, deals: list[Deal], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deal.choices = _deal_choices(deals, "Choose a deal…")


class ShareLinkForm(FlaskForm):
    recipient = StringField(
        "Recipient (optional)",
        description="Who the link is for, e.g. the buyer's name. Only you see it.",
        id="share-recipient",
        render_kw={"maxlength": share_links.RECIPIENT_MAX},
    )
    deal = SelectField(
        "For which deal (optional)",
        coerce=chosen_id,
        validate_choice=False,
        validators=[id_or_none],
        id="share-deal",
    )
    expires_in_days = StringField(
        "Expires in (days)",
        description=f"From 1 to {share_links.MAX_DAYS} days.",
        id="share-days",
        render_kw={
            "type": "number",
            "min": 1,
            "max": share_links.MAX_DAYS,
            "inputmode": "numeric",
        },
    )

    view_only = RadioField(
        "The buyer may",
        choices=[
            SelectChoice("1", "View only (no download)"),
            SelectChoice("0", "View and download the file"),
        ],
        validators=[Optional()],
        id="share-access",
    )

    def __init__(self, deals: list[Deal], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deal.choices = _deal_choices(deals, "No deal")
        if not self.expires_in_days.data:
            self.expires_in_days.data = str(share_links.default_days())


def chosen_view_only(form: ShareLinkForm) -> bool | None:
    """The sharer's choice, or None when the form did not say (the default applies)."""
    return {"1": True, "0": False}.get(form.view_only.data or "")
