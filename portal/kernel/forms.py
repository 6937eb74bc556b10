"""What every feature's forms share: selects of ids and their choices, text fields bounded
in the browser and on the server alike, optional dates, and the empty form of buttons that
carry only a CSRF token."""

from collections.abc import Callable, Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.kernel.ids import NOT_AN_ID, text_id

NONE_CHOSEN = NOT_AN_ID


def chosen_id(value) -> int:
    """The id picked in a select (a coerce function); anything that is not an id, out of
    range or negative included, reads as NONE_CHOSEN, so a tampered value gets the field's
    own message rather than a coercion error or a database error."""
    return text_id(value)


def id_or_none(form, field) -> None:
    """A validator for an optional select of ids: a value that is sent but is not an id
    (out of range, negative, tampered) is the field's error, not a silent "none"."""
    sent = (field.raw_data or [""])[0]
    if str(sent).strip() and field.data == NONE_CHOSEN:
        raise ValidationError("Choose one of the listed options.")


def id_select(
    label: str, *, missing: str | None = None, multiple: bool = False, **options: Any
) -> SelectField:
    """A select of ids (``multiple``: of several) that accepts any id sent, so the service,
    not WTForms' "Not a valid choice", says what is wrong with one, in its own words.
    ``missing`` makes a choice required, with that message."""
    if missing is not None:
        options["validators"] = [InputRequired(message=missing)]
    field_class = SelectMultipleField if multiple else SelectField
    return field_class(label, coerce=chosen_id, validate_choice=False, **options)


def id_choices(
    rows: Iterable[Any], label: Callable[[Any], str] = lambda row: row.name, none: str | None = None
) -> list[SelectChoice]:
    """The choices of a select of ids: each row by its id, shown as ``label(row)`` (its name
    by default), after a first choice of none reading ``none`` when given."""
    first = [] if none is None else [SelectChoice(NONE_CHOSEN, none)]
    return first + [SelectChoice(row.id, label(row)) for row in rows]


def optional_date(label: str, description: str = "") -> DateField:
    """A date the form may leave empty."""
    return DateField(label, description=description, validators=[Optional()])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that post."""


def bounded_text(
    field_class: type[StringField],
    label: str,
    *,
    max_length: int,
    too_long: str | None = None,
    required: InputRequired | DataRequired | None = None,
    description: str = "",
    rows: int | None = None,
) -> StringField:
    """A text field (``StringField`` or ``TextAreaField``) of at most ``max_length``
    characters: the browser's ``maxlength`` and the server's check are the same number.
    Empty is allowed unless ``required`` says how it is refused."""
    render_kw: dict[str, int] = {"maxlength": max_length}
    if rows is not None:
        render_kw["rows"] = rows
    return field_class(
        label,
        description=description,
        validators=[required or Optional(), Length(max=max_length, message=too_long)],
        render_kw=render_kw,
    )
