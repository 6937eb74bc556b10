"""Forms for accounts (sign-in, profile, API tokens, user administration), and the id
choice every package's selects share."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError

from portal.ids import NOT_AN_ID, text_id
from portal.models import DEPARTMENTS, ROLES

PASSWORD_MIN = 10
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


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[InputRequired()])
    new_password = PasswordField(
        "New password",
        validators=[
            InputRequired(),
            Length(min=PASSWORD_MIN, max=200, message=f"Use at least {PASSWORD_MIN} characters."),
        ],
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[InputRequired(), EqualTo("new_password", message="The passwords differ.")],
    )


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[InputRequired(message="Name the token, e.g. “CRM sync”."), Length(max=80)],
    )


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that post."""


def _role_choices():
    return [SelectChoice(role, role.capitalize()) for role in ROLES]


def _department_choices():
    return [SelectChoice(dept, dept.capitalize()) for dept in DEPARTMENTS]


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    role = SelectField("Role", choices=_role_choices())
    department = SelectField("Department", choices=_department_choices())
    password = PasswordField(
        "Password",
        description="Leave empty to keep the current password.",
        validators=[
            Optional(),
            Length(min=PASSWORD_MIN, max=200, message=f"Use at least {PASSWORD_MIN} characters."),
        ],
    )
    active = BooleanField("Active (may sign in and use API tokens)", default=True)
