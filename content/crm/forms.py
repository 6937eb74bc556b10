"""Forms for the CRM import: the upload, and a CRM stage's mapping to a buyer stage.

The rules (file checks, label lengths) live in the services; these forms only make sure
something was sent, so a refusal reads the same from the page and the command line.
"""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired

from content.crm.export_file import EXTENSIONS
from content.crm.models import CRM_STAGE_MAX
from content.library.models import Stage
from portal.kernel.extensions import db
from portal.kernel.forms import bounded_text, chosen_id, id_choices


class UploadForm(FlaskForm):
    file = FileField(
        "CRM export (CSV)",
        description="The opportunities exported from your CRM as a CSV file.",
        validators=[FileRequired(message="Choose the CSV file exported from your CRM.")],
        render_kw={"accept": ",".join([*EXTENSIONS, "text/csv"])},
    )


class StageMappingForm(FlaskForm):
    crm_stage = bounded_text(
        StringField,
        "CRM stage",
        max_length=CRM_STAGE_MAX,
        too_long=f"Keep it under {CRM_STAGE_MAX} characters.",
        required=InputRequired(message="Give the stage as your CRM writes it."),
        description="As your CRM writes it, e.g. “Needs Analysis”; case and spaces do not matter.",
    )
    stage = SelectField(
        "Buyer stage",
        coerce=chosen_id,
        validators=[InputRequired(message="Choose the buyer stage it means.")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stages = db.session.scalars(select(Stage).order_by(Stage.position, Stage.id))
        self.stage.choices = id_choices(stages, none="Choose a buyer stage…")
