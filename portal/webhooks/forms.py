"""The form of a webhook endpoint."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from portal.kernel.events import EVENTS
from portal.kernel.forms import bounded_text
from portal.webhooks.models import DESCRIPTION_MAX, URL_MAX
from portal.webhooks.services import DESCRIPTION_TOO_LONG, URL_MISSING, URL_TOO_LONG


class EndpointForm(FlaskForm):
    url = bounded_text(
        StringField,
        "Endpoint address",
        max_length=URL_MAX,
        too_long=URL_TOO_LONG,
        required=InputRequired(message=URL_MISSING),
        description="An https:// address that accepts POST requests with a JSON body.",
    )
    description = bounded_text(
        StringField,
        "Description",
        max_length=DESCRIPTION_MAX,
        too_long=DESCRIPTION_TOO_LONG,
        description="Optional: what receives these events, for whoever reads this list later.",
    )
    # The service says what is wrong with the choice, in its own words.
    events = SelectMultipleField(
        "Events",
        choices=[SelectChoice(name, name) for name in EVENTS],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    active = BooleanField("Active (send events to this endpoint)", default=True)
