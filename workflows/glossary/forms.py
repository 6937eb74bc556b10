"""Forms for proposing, editing and signing glossary terms.

The rules live in workflows.glossary.services; the forms reuse its limits and messages so a field
error reads the same wherever it comes from.
"""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.kernel.forms import chosen_id
from workflows.glossary import services as glossary
from workflows.glossary.models import ALIASES_MAX, DEFINITION_MAX, NAME_MAX, NOTE_MAX


class TermForm(FlaskForm):
    name = StringField(
        "Term",
        description="The word or abbreviation both teams use, e.g. “MQL”.",
        validators=[
            InputRequired(message=glossary.NAME_MISSING),
            Length(max=NAME_MAX, message=glossary.NAME_TOO_LONG),
        ],
        render_kw={"maxlength": NAME_MAX},
    )
    aliases = StringField(
        "Other names",
        description="Optional, separated by commas: spelled-out forms, abbreviations.",
        validators=[Optional(), Length(max=ALIASES_MAX, message=glossary.ALIASES_TOO_LONG)],
        render_kw={"maxlength": ALIASES_MAX},
    )
    definition = TextAreaField(
        "Definition",
        description="Markdown. Say what counts and what does not, as both teams will use it.",
        validators=[
            InputRequired(message=glossary.DEFINITION_MISSING),
            Length(max=DEFINITION_MAX, message=glossary.DEFINITION_TOO_LONG),
        ],
        render_kw={"rows": 8, "maxlength": DEFINITION_MAX},
    )
    note = StringField(
        "What changed and why",
        description="Optional; kept in the term's history.",
        validators=[Optional(), Length(max=NOTE_MAX, message=glossary.NOTE_TOO_LONG)],
        render_kw={"maxlength": NOTE_MAX},
    )
    # The version the editor started from; a save based on an older one is refused.
    based_on = HiddenField(validators=[Optional()])

    def data_for_service(self) -> glossary.TermInput:
        return glossary.TermInput(
            name=self.name.data or "",
            aliases=self.aliases.data or "",
            definition=self.definition.data or "",
            note=self.note.data or "",
        )


class SignForm(FlaskForm):
    # The version the leader read: signing is refused if the term changed since.
    version = HiddenField(validators=[InputRequired(message="The form lost the version.")])

    def validate_version(self, field) -> None:
        if not chosen_id(field.data):
            raise ValidationError("The form lost the version; reload the page and sign again.")
