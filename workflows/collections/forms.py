"""Forms for building collections and assigning them as onboarding paths.

The rules (lengths, live assets, active reps, due dates) live in workflows.collections.services and
workflows.collections.paths; the forms reuse their limits and messages so an error reads the same
wherever it comes from.
"""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired

from content.deals.services import asset_title
from portal.kernel.extensions import db
from portal.kernel.forms import bounded_text, id_choices, id_select, optional_date
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
    # The service says what is wrong with a chosen asset (not live, already in).
    asset = id_select("Asset", missing=collections.ASSET_MISSING)
    note = _note_field()

    def __init__(self, collection, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assets = db.session.scalars(collections.addable_assets(collection)).all()
        by_title = sorted(assets, key=lambda asset: (asset_title(asset), asset.id))
        self.asset.choices = id_choices(by_title, asset_title, none="Choose a published asset…")


class NoteForm(FlaskForm):
    note = _note_field()


class AssignForm(FlaskForm):
    reps = id_select(
        "Reps",
        missing=paths.REPS_MISSING,
        multiple=True,
        render_kw={"size": 8},
    )
    due_on = optional_date("Due", "Optional: when the rep should have finished the path.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reps = db.session.scalars(paths.assignable_reps()).all()
        self.reps.choices = id_choices(reps, lambda rep: f"{rep.name} ({rep.email})")


class AddToCollectionForm(FlaskForm):
    """ "Add to collection" on an asset's page: the collection is chosen, the asset is fixed."""

    collection = id_select("Collection", missing=collections.COLLECTION_MISSING)
    asset = HiddenField(validators=[InputRequired(message=collections.ASSET_MISSING)])
    note = _note_field()

    def __init__(self, choices=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.collection.choices = id_choices(
            choices, lambda collection: collection.title, none="Choose a collection…"
        )
