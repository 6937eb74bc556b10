"""Forms for proposing, editing and signing glossary terms.

The rules live in workflows.glossary.services; the forms reuse its limits and messages so a field
error reads the same wherever it comes from.
"""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from portal.kernel.forms import bounded_text, chosen_id
from workflows.glossary import services as glossary
from workflows.glossary.models import ALIASES_MAX, DEFINITION_MAX, NAME_MAX, NOTE_MAX


class TermForm(FlaskForm):
    name = bounded_text(
        StringField,
        "Term",
        max_length=NAME_MAX,
        too_long=glossary.NAME_TOO_LONG,
        required=InputRequired(message=glossary.NAME_MISSING),
        description="The word or abbreviation both teams use, e.g. “MQL”.",
    )
    aliases = bounded_text(
        StringField,
        "Other names",
        max_length=ALIASES_MAX,
        too_long=glossary.ALIASES_TOO_LONG,
        description="Optional, separated by commas: spelled-out forms, abbreviations.",
    )
    definition = bounded_text(
        TextAreaField,
        "Definition",
        max_length=DEFINITION_MAX,
        too_long=glossary.DEFINITION_TOO_LONG,
        required=InputRequired(message=glossary.DEFINITION_MISSING),
        description="Markdown. Say what counts and what does not, as both teams will use it.",
        rows=8,
    )
    note = bounded_text(
        StringField,
        "What changed and why",
        max_length=NOTE_MAX,
        too_long=glossary.NOTE_TOO_LONG,
        description="Optional; kept in the term's history.",
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
