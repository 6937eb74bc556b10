"""Forms for asking for content and for accepting or declining a request.

The rules (required fields, lengths, due dates) live in workflows.requests.services; the forms
reuse its limits and messages so a field error reads the same wherever it comes from.
"""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from content.library.browsing import taxonomy_choices
from content.library.services import TITLE_MAX
from portal.kernel.forms import chosen_id, id_choices, optional_date
from workflows.requests import services as requests
from workflows.requests.models import DEAL_CONTEXT_MAX, REASON_MAX


class RequestForm(FlaskForm):
    need = TextAreaField(
        "What do you need, and why?",
        description="The content, the question it must answer and what happens without it.",
        validators=[
            InputRequired(message=requests.NEED_MISSING),
            Length(max=requests.NEED_MAX, message=requests.NEED_TOO_LONG),
        ],
        render_kw={"rows": 6, "maxlength": requests.NEED_MAX},
    )
    stage = SelectField(
        "Buyer stage",
        coerce=chosen_id,
        validators=[InputRequired(message=requests.STAGE_MISSING)],
    )
    persona = SelectField("Persona", coerce=chosen_id, validators=[Optional()])
    deal_context = TextAreaField(
        "Deal context",
        description="Optional: the account, the deal size, what the buyer asked for.",
        validators=[
            Optional(),
            Length(max=DEAL_CONTEXT_MAX, message=requests.DEAL_CONTEXT_TOO_LONG),
        ],
        render_kw={"rows": 3, "maxlength": DEAL_CONTEXT_MAX},
    )
    due_on = optional_date("Needed by", "Optional: the date of the call or meeting it is for.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        terms = taxonomy_choices()
        self.stage.choices = id_choices(terms["stages"], none="Choose a stage…")
        self.persona.choices = id_choices(terms["personas"], none="Any persona")


class AcceptForm(FlaskForm):
    title = StringField(
        "Draft title",
        description="Optional: leave empty to name the draft after the request.",
        validators=[Optional(), Length(max=TITLE_MAX, message=requests.TITLE_TOO_LONG)],
        render_kw={"maxlength": TITLE_MAX},
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Reason for declining",
        description="The rep sees this.",
        validators=[
            InputRequired(message=requests.REASON_MISSING),
            Length(max=REASON_MAX, message=requests.REASON_TOO_LONG),
        ],
        render_kw={"rows": 3, "maxlength": REASON_MAX},
    )
