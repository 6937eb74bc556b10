"""What every feature's forms share: the id choice of selects, and the empty form of
buttons that carry only a CSRF token."""

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

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


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that post."""
