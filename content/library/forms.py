"""Forms for authoring assets and editing the taxonomy."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from content.files.uploads import ALLOWED_EXTENSIONS
from content.library.browsing import taxonomy_choices
from content.library.services import BODY_MAX, NOTE_MAX, SUMMARY_MAX, TITLE_MAX
from portal.kernel.forms import id_choices, optional_date


class AssetForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=TITLE_MAX)])
    summary = TextAreaField(
        "Summary",
        description="One or two sentences reps read on the card.",
        validators=[Optional(), Length(max=SUMMARY_MAX)],
    )
    body = TextAreaField(
        "Body (Markdown)", validators=[Optional(), Length(max=BODY_MAX)], render_kw={"rows": 14}
    )
    file = FileField(
        "File",
        description="PDF, PowerPoint, Word, PNG or JPEG.",
        render_kw={"accept": ",".join(ALLOWED_EXTENSIONS)},
    )
    remove_file = BooleanField("Remove the current file")
    content_type = SelectField("Content type", coerce=int, validators=[Optional()])
    stages = SelectMultipleField(
        "Buyer stages",
        coerce=int,
        validators=[InputRequired(message="Choose at least one buyer stage.")],
    )
    personas = SelectMultipleField("Personas", coerce=int, validators=[Optional()])
    industries = SelectMultipleField("Industries", coerce=int, validators=[Optional()])
    tags = SelectMultipleField("Tags", coerce=int, validators=[Optional()])
    # Left unchosen on a new asset, the content type's default applies (the service's).
    audience = RadioField(
        "Who may see it",
        choices=[
            SelectChoice("external", "Buyers may see it (external)"),
            SelectChoice("internal", "Internal only"),
        ],
        description="Internal assets are for reps and marketers only and cannot be shared "
        "with buyers; making an asset internal stops every link already sent, and making it "
        "external again does not bring them back.",
        validators=[Optional()],
    )
    review_by = optional_date("Review by")
    expires_on = optional_date("Expires on", "Optional: reps stop seeing the asset after this day.")
    note = StringField(
        "What changed",
        description="A short note for the revision history.",
        validators=[Optional(), Length(max=NOTE_MAX)],
    )
    base_revision = HiddenField()
    # The token of the file kept from a refused try (content.files.pending).
    pending_file = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        terms = taxonomy_choices()
        self.content_type.choices = id_choices(terms["content-types"], none="— none —")
        self.stages.choices = id_choices(terms["stages"])
        self.personas.choices = id_choices(terms["personas"])
        self.industries.choices = id_choices(terms["industries"])
        self.tags.choices = id_choices(terms["tags"])
