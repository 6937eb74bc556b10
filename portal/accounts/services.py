"""Account services: users, passwords, sign-in checks and API tokens."""

from sqlalchemy.exc import IntegrityError

from portal.accounts.forms import PASSWORD_MIN
from portal.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import (
    ADMINS,
    DEFAULT_DEPARTMENT,
    DEPARTMENTS,
    ROLES,
    ApiToken,
    Role,
    User,
    find_user,
    normalize_email,
    utcnow,
)
from portal.kernel.permissions import can
from portal.kernel.role_rules import roles_may

_dummy: User | None = None


def _dummy_user() -> User:
    """A user to check passwords against when an email is unknown, so a wrong email costs
    as much time as a wrong password and does not reveal which accounts exist."""
    global _dummy
    if _dummy is None:
        _dummy = User(password_hash="")
        _dummy.set_password("not a real password")
    return _dummy


_admins_may = roles_may(ADMINS, "manage_users")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = find_user(email)
    if user is None:
        _dummy_user().check_password(password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def _validate_user_fields(email: str, name: str, role: str, department: str) -> dict:
    errors = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = "Enter a valid email address."
    if not name or len(name) > 120:
        errors["name"] = "Enter a name of up to 120 characters."
    if role not in ROLES:
        errors["role"] = f"Role must be one of: {', '.join(ROLES)}."
    if department not in DEPARTMENTS:
        errors["department"] = f"Department must be one of: {', '.join(DEPARTMENTS)}."
    return errors


def create_user(
    email: str, name: str, role: str, password: str | None, department: str | None = None
) -> User:
    """Create an account; the email must be new (compared case-insensitively).

    ``password`` None makes an account with no password, for single sign-on only: it
    waits for its first sign-in through the provider."""
    email, name = normalize_email(email), (name or "").strip()
    department = department or DEFAULT_DEPARTMENT.get(role, "sales")
    errors = _validate_user_fields(email, name, role, department)
    if password is not None and len(password) < PASSWORD_MIN:
        errors["password"] = f"Use at least {PASSWORD_MIN} characters."
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    user = User(email=email, name=name, role=role, department=department, active=True)
    if password is None:
        user.password_hash = ""
    else:
        user.set_password(password)
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        raise ValidationFailed(
            "That email is already in use.", {"email": "That email is already in use."}
        ) from None
    return user


def update_user(
    admin: User,
    user: User,
    *,
    email: str,
    name: str,
    role: str,
    department: str,
    active: bool,
    password: str = "",
) -> User:
    """Change a user's details as an admin. Deactivating or a new password ends sessions."""
    if not can(admin, "manage_users"):
        raise PermissionDenied("Only admins manage users.")
    email, name = normalize_email(email), (name or "").strip()
    errors = _validate_user_fields(email, name, role, department)
    if admin.id == user.id and (not active or role != Role.ADMIN):
        errors["role"] = "You cannot remove your own admin rights or deactivate yourself."
    if password and len(password) < PASSWORD_MIN:
        errors["password"] = f"Use at least {PASSWORD_MIN} characters."
    other = find_user(email)
    if other is not None and other.id != user.id:
        errors["email"] = "That email is already in use."
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    if (user.active and not active) or password or role != user.role:
        user.end_sessions()
    user.email, user.name, user.role = email, name, role
    user.department, user.active = department, active
    if password:
        user.set_password(password)
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password; every other session of the user ends."""
    if not user.check_password(current or ""):
        raise ValidationFailed(
            "Your current password is not correct.",
            {"current_password": "Your current password is not correct."},
        )
    if len(new or "") < PASSWORD_MIN:
        raise ValidationFailed(
            f"Use at least {PASSWORD_MIN} characters.",
            {"new_password": f"Use at least {PASSWORD_MIN} characters."},
        )
    user.set_password(new)
    user.end_sessions()
    db.session.flush()


def issue_token(user: User, name: str) -> str:
    """Create an API token for ``user`` and return it in clear; only its hash is kept."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationFailed("Name the token (up to 80 characters).", {"name": "Required."})
    _token, clear = ApiToken.issue(user, name)
    db.session.flush()
    return clear


def revoke_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    db.session.flush()
    return token
