"""The form admins edit a taxonomy term with."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp


class TermForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=80)])
    slug = StringField(
        "Slug",
        description="Lower-case letters, digits and hyphens; used in links and the API.",
        validators=[
            Optional(),
            Length(max=60),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message="Use lower-case letters, digits, -."),
        ],
    )
    # No default: a stage added without a position goes after the existing ones.
    position = IntegerField("Position", validators=[Optional(), NumberRange(min=0, max=1000)])
    description = StringField("Description", validators=[Optional(), Length(max=300)])
    # Content types only: the audience a new asset of the type starts with.
    default_audience = SelectField(
        "New assets are",
        choices=[
            SelectChoice("", "—"),
            SelectChoice("external", "External"),
            SelectChoice("internal", "Internal only"),
        ],
        validators=[Optional()],
    )
