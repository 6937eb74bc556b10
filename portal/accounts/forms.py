"""Forms for accounts: sign-in, the profile (password and API tokens) and user
administration."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from portal.kernel.models import DEPARTMENTS, ROLES

PASSWORD_MIN = 10


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")


class NewPasswordForm(FlaskForm):
    """A new password, typed twice; the rules every password change follows."""

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


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField("Current password", validators=[InputRequired()])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Email(), Length(max=254)])


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[InputRequired(message="Name the token, e.g. “CRM sync”."), Length(max=80)],
    )


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
