"""Password reset: a signed link by email that sets a new password once.

Nothing is stored. The link carries the user's id and a keyed fingerprint of the current
password hash, signed with the app's SECRET_KEY and stamped with the time it was made: it
expires after PASSWORD_RESET_MINUTES, and any change of the password (this link's own use
included) voids it and every link made before. The email goes out from the
``accounts.password_reset_email`` job, so asking for an address with no account costs the
request exactly what asking for a real one does.
"""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from limits import parse

from portal.accounts.forms import PASSWORD_MIN
from portal.accounts.signed_links import SignedLink
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db, limiter
from portal.kernel.jobs import enqueue, job
from portal.kernel.models import User, find_user, normalize_email
from portal.kernel.notifications import absolute_link, connect_mail, machine_email, send_email

log = logging.getLogger(__name__)

SALT = "tandem-password-reset"
JOB = "accounts.password_reset_email"


LINK = SignedLink(
    salt=SALT,
    minutes_setting="PASSWORD_RESET_MINUTES",
    # Any change of the password voids the link and every one made before it.
    state=lambda user: user.password_hash,
    eligible=lambda user: user.active and user.has_password,
    invalid="This reset link is not valid.",
    spent="This reset link has been used or replaced.",
)


def make_token(user: User) -> str:
    """A reset token for ``user``, valid until it expires or the password changes."""
    return LINK.token(user)


def user_for_token(token: str) -> User:
    """The active user a still-valid ``token`` resets; LinkInvalid otherwise."""
    return LINK.user(token)


def reset_password(token: str, new: str) -> User:
    """Set a new password through ``token``; every session of the user ends and the link
    (and every other one made before) stops working. LinkInvalid or ValidationFailed
    change nothing."""
    user = user_for_token(token)
    if len(new or "") < PASSWORD_MIN:
        message = f"Use at least {PASSWORD_MIN} characters."
        raise ValidationFailed(message, {"new_password": message})
    user.set_password(new)
    user.end_sessions()
    db.session.flush()
    return user


def can_deliver() -> bool:
    """Whether a reset link can reach anyone: by email, or in development by the log."""
    config = current_app.config
    return bool(config.get("MAIL_SERVER")) or config.get("ENV_NAME") == "development"


def _within_address_limit(email: str) -> bool:
    # A keyed count per address in the limiter's storage, so a stranger cannot fill
    # someone's inbox from many client addresses.
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    limit = parse(current_app.config["PASSWORD_RESET_EMAIL_LIMIT"])
    return bool(limiter.limiter.hit(limit, "password-reset-email", email))


def request_reset(email: str) -> None:
    """Ask for a reset link for ``email``. The same work is done whether or not an account
    exists: the job looks the address up after the commit. Over the per-address limit,
    nothing is sent."""
    email = normalize_email(email or "")
    if not email or not can_deliver() or not _within_address_limit(email):
        return
    enqueue(JOB, email=email)


def send_reset_for(user: User) -> None:
    """Send ``user`` a reset link after the commit (for admins; no per-address limit)."""
    if not user.active:
        raise ValidationFailed("Deactivated users cannot reset their password.")
    if not user.has_password:
        raise ValidationFailed(f"{user.email} signs in with single sign-on only: no password.")
    if not can_deliver():
        raise ValidationFailed("Reset links need a mail server (TANDEM_MAIL_SERVER).")
    enqueue(JOB, email=user.email)


@job(JOB)
def send_reset_email(email: str) -> None:
    """Email the reset link to the active account with ``email``, if there is one. With no
    mail server, in development only, the link is logged for the developer instead."""
    user = find_user(email)
    if user is None or not user.active or not user.has_password:
        return
    config = current_app.config
    # A plain path: jobs run without a request to build URLs from (the token is URL-safe).
    link = absolute_link(f"/reset/{make_token(user)}", config["BASE_URL"])
    if not config.get("MAIL_SERVER"):
        if config.get("ENV_NAME") == "development":
            log.warning("No mail server: the password reset link for %s is %s", email, link)
        return
    message = _message(user, link, config)
    try:
        with connect_mail(config) as smtp:
            send_email(smtp, message)
    except (OSError, smtplib.SMTPException) as error:
        log.error("Could not send the password reset email (%s); the job is tried again", error)
        raise


def _message(user: User, link: str, config) -> EmailMessage:
    minutes = config["PASSWORD_RESET_MINUTES"]
    message = machine_email(config, user.email, "Reset your Tandem password")
    message.set_content(
        f"Someone asked to reset the password of the Tandem account {user.email}.\n\n"
        f"Set a new password here (the link works once, for {minutes} minutes):\n"
        f"{link}\n\n"
        f"If you did not ask for this, ignore this email: your password stays as it is.\n",
        cte="quoted-printable",
    )
    return message
