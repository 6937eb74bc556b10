"""Forms for scheduling a meeting, recording a decision or an action item, and closing
an item. The rules live in portal.alignment.services; the forms reuse its limits and
messages so an error reads the same wherever it is found."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.alignment import calendar, links
from portal.alignment import services as alignment
from portal.alignment.models import CADENCES, DECISION_MAX, NAME_MAX, NOTE_MAX, TITLE_MAX
from portal.kernel.forms import bounded_text, id_choices, id_select, optional_date
from portal.kernel.models import User


def _person(user: User) -> str:
    return f"{user.name} ({user.department}, {user.role})"


class MeetingForm(FlaskForm):
    name = bounded_text(
        StringField,
        "Name",
        max_length=NAME_MAX,
        too_long=alignment.NAME_TOO_LONG,
        required=InputRequired(message=alignment.NAME_MISSING),
        description="E.g. “Weekly revenue sync”.",
    )
    cadence = SelectField(
        "How often",
        choices=[SelectChoice(value, label) for value, label in CADENCES.items()],
        validate_choice=False,
        validators=[InputRequired(message=alignment.CADENCE_INVALID)],
    )
    weekday = SelectField(
        "Day of the week",
        choices=[SelectChoice(str(n), name) for n, name in enumerate(calendar.WEEKDAYS)],
        validate_choice=False,
        validators=[InputRequired(message=alignment.WEEKDAY_INVALID)],
    )
    meets_at = TimeField(
        "Starts at",
        validators=[InputRequired(message=alignment.TIME_MISSING)],
        description="In the portal's time zone.",
    )
    starting = optional_date(
        "First meeting on or after",
        "Optional: today if empty. A monthly meeting keeps the week of the month it starts in.",
    )
    attendees = id_select(
        "Attendees",
        multiple=True,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="People from both sales and marketing. You attend as the organiser.",
    )
    active = BooleanField("Still held (the pack goes to its leaders the day before)", default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendees.choices = id_choices(alignment.people(), _person)

    @property
    def weekday_number(self) -> int | None:
        raw = self.weekday.data
        return int(raw) if isinstance(raw, str) and raw.isdigit() else None


class DecisionForm(FlaskForm):
    text = bounded_text(
        TextAreaField,
        "Decision",
        max_length=DECISION_MAX,
        too_long=alignment.DECISION_TOO_LONG,
        required=InputRequired(message=alignment.DECISION_MISSING),
        rows=2,
    )


class ActionItemForm(FlaskForm):
    title = bounded_text(
        StringField,
        "Action",
        max_length=TITLE_MAX,
        too_long=alignment.TITLE_TOO_LONG,
        required=InputRequired(message=alignment.TITLE_MISSING),
    )
    owner = id_select("Owner", missing=alignment.OWNER_INVALID)
    due_on = DateField("Due", validators=[Optional()])
    link = bounded_text(
        StringField,
        "About (optional)",
        max_length=links.LINK_MAX,
        description="Paste the address of one asset, content request, glossary term or "
        "feedback item, e.g. /assets/12.",
    )

    def set_owners(self, owners: list[User]) -> None:
        self.owner.choices = id_choices(owners, _person, none="Choose an owner…")


class CloseForm(FlaskForm):
    note = bounded_text(
        TextAreaField,
        "How was it done?",
        max_length=NOTE_MAX,
        too_long=alignment.NOTE_TOO_LONG,
        required=InputRequired(message=alignment.NOTE_MISSING),
        rows=3,
    )
