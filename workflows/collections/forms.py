"""Forms for building collections and assigning them as onboarding paths.

The rules (lengths, live assets, active reps, due dates) live in workflows.collections.services and
workflows.collections.paths; the forms reuse their limits and messages so an error reads the same
wherever it comes from.
"""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from content.deals.services import asset_title
from portal.kernel.extensions import db
from portal.kernel.forms import NONE_CHOSEN, bounded_text, chosen_id
from workflows.collections import paths
from workflows.collections import services as collections
from workflows.collections.models import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX


def _note_field(label: str = "Note"):
    return bounded_text(
        TextAreaField,
        label,
        max_length=NOTE_MAX,
        too_long=collections.NOTE_TOO_LONG,
        description="Optional: why this item is here and what to take from it.",
        rows=2,
    )


class CollectionForm(FlaskForm):
    title = bounded_text(
        StringField,
        "Title",
        max_length=TITLE_MAX,
        too_long=collections.TITLE_TOO_LONG,
        required=InputRequired(message=collections.TITLE_MISSING),
        description="e.g. “New rep: first 30 days” or “Competitive play vs Acme”.",
    )
    description = bounded_text(
        TextAreaField,
        "Description",
        max_length=DESCRIPTION_MAX,
        too_long=collections.DESCRIPTION_TOO_LONG,
        description="Optional: who the collection is for and how to use it.",
        rows=4,
    )


class ItemForm(FlaskForm):
    asset = SelectField(
        "Asset",
        coerce=chosen_id,
        validators=[InputRequired(message=collections.ASSET_MISSING)],
        # The service says what is wrong with a chosen asset (not live, already in).
        validate_choice=False,
    )
    note = _note_field()

    def __init__(self, collection, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assets = db.session.scalars(collections.addable_assets(collection)).all()
        choices = sorted((asset_title(asset), asset.id) for asset in assets)
        self.asset.choices = [SelectChoice(NONE_CHOSEN, "Choose a published asset…")] + [
            SelectChoice(asset_id, title) for title, asset_id in choices
        ]


class NoteForm(FlaskForm):
    note = _note_field()


class AssignForm(FlaskForm):
    reps = SelectMultipleField(
        "Reps",
        description="Hold Ctrl (or ⌘) to choose several.",
        coerce=chosen_id,
        validators=[InputRequired(message=paths.REPS_MISSING)],
        validate_choice=False,
        render_kw={"size": 8},
    )
    due_on = DateField(
        "Due",
        description="Optional: when the rep should have finished the path.",
        validators=[Optional()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reps = db.session.scalars(paths.assignable_reps()).all()
        self.reps.choices = [SelectChoice(rep.id, f"{rep.name} ({rep.email})") for rep in reps]


class AddToCollectionForm(FlaskForm):
    """ "Add to collection" on an asset's page: the collection is chosen, the asset is fixed."""

    collection = SelectField(
        "Collection",
        coerce=chosen_id,
        validators=[InputRequired(message=collections.COLLECTION_MISSING)],
        validate_choice=False,
    )
    asset = HiddenField(validators=[InputRequired(message=collections.ASSET_MISSING)])
    note = _note_field()

    def __init__(self, choices=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.collection.choices = [SelectChoice(NONE_CHOSEN, "Choose a collection…")] + [
            SelectChoice(collection.id, collection.title) for collection in choices
        ]
