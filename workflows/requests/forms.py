"""Forms for asking for content and for accepting or declining a request.

The rules (required fields, lengths, due dates) live in workflows.requests.services; the forms
reuse its limits and messages so a field error reads the same wherever it comes from.
"""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from content.library.browsing import taxonomy_choices
from content.library.services import TITLE_MAX
from portal.kernel.forms import bounded_text, chosen_id, id_choices, optional_date
from workflows.requests import services as requests
from workflows.requests.models import DEAL_CONTEXT_MAX, REASON_MAX


class RequestForm(FlaskForm):
    need = bounded_text(
        TextAreaField,
        "What do you need, and why?",
        max_length=requests.NEED_MAX,
        too_long=requests.NEED_TOO_LONG,
        required=InputRequired(message=requests.NEED_MISSING),
        description="The content, the question it must answer and what happens without it.",
        rows=6,
    )
    stage = SelectField(
        "Buyer stage",
        coerce=chosen_id,
        validators=[InputRequired(message=requests.STAGE_MISSING)],
    )
    persona = SelectField("Persona", coerce=chosen_id, validators=[Optional()])
    deal_context = bounded_text(
        TextAreaField,
        "Deal context",
        max_length=DEAL_CONTEXT_MAX,
        too_long=requests.DEAL_CONTEXT_TOO_LONG,
        description="Optional: the account, the deal size, what the buyer asked for.",
        rows=3,
    )
    due_on = optional_date("Needed by", "Optional: the date of the call or meeting it is for.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        terms = taxonomy_choices("stages", "personas")
        self.stage.choices = id_choices(terms["stages"], none="Choose a stage…")
        self.persona.choices = id_choices(terms["personas"], none="Any persona")


class AcceptForm(FlaskForm):
    title = bounded_text(
        StringField,
        "Draft title",
        max_length=TITLE_MAX,
        too_long=requests.TITLE_TOO_LONG,
        description="Optional: leave empty to name the draft after the request.",
    )


class DeclineForm(FlaskForm):
    reason = bounded_text(
        TextAreaField,
        "Reason for declining",
        max_length=REASON_MAX,
        too_long=requests.REASON_TOO_LONG,
        required=InputRequired(message=requests.REASON_MISSING),
        description="The rep sees this.",
        rows=3,
    )
