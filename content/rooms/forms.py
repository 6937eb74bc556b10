"""Forms of the rep's room pages."""

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from content.rooms import services as rooms
from portal.kernel.forms import bounded_text, id_select


def _days_field() -> StringField:
    return StringField(
        "Expires in (days)",
        description=f"From 1 to {rooms.MAX_DAYS} days.",
        render_kw={"type": "number", "min": 1, "max": rooms.MAX_DAYS, "inputmode": "numeric"},
    )


class RoomForm(FlaskForm):
    """A new room for a deal: its title, note, assets and how long it works."""

    title = bounded_text(
        StringField,
        "Title",
        max_length=rooms.TITLE_MAX,
        too_long=rooms.TITLE_TOO_LONG,
        required=InputRequired(message=rooms.TITLE_MISSING),
        description="What the buyer sees at the top, e.g. “Acme: pricing and security”.",
    )
    note = bounded_text(
        TextAreaField,
        "Note to the buyer (optional)",
        max_length=rooms.NOTE_MAX,
        too_long=rooms.NOTE_TOO_LONG,
        description="Markdown: **bold**, lists and links.",
        rows=4,
    )
    assets = id_select("Assets", multiple=True)
    expires_in_days = _days_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.expires_in_days.data:
            self.expires_in_days.data = str(rooms.default_days())


class RoomEditForm(FlaskForm):
    title = RoomForm.title
    note = RoomForm.note


class ExpiryForm(FlaskForm):
    expires_in_days = _days_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.expires_in_days.data:
            self.expires_in_days.data = str(rooms.default_days())


class AddItemForm(FlaskForm):
    asset = id_select("Asset", missing="Choose an asset to add.")


class MoveForm(FlaskForm):
    direction = RadioField(
        "Move",
        choices=[SelectChoice("up", "Up"), SelectChoice("down", "Down")],
        validators=[InputRequired()],
    )


class AccessForm(FlaskForm):
    access = RadioField(
        "Buyers may",
        choices=[SelectChoice("view", "View only"), SelectChoice("download", "View and download")],
        validators=[InputRequired()],
    )
