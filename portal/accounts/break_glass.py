"""Break-glass sign-in: a way in for an admin when the single sign-on provider is down or
misconfigured.

Someone with a shell on the server runs ``flask --app portal users break-glass EMAIL``; it
prints a link that signs that active admin in once, within BREAK_GLASS_MINUTES. Nothing is
stored: the link is signed with SECRET_KEY and carries a keyed fingerprint of the admin's
last sign-in time and session version, so any sign-in (this link's own use included) or
sign-out everywhere voids it. Making and using a link are both written to the log as
warnings under ``portal.audit``.
"""

import logging

from portal.accounts.signed_links import SignedLink
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User, find_user, utcnow

audit = logging.getLogger("portal.audit")

SALT = "tandem-break-glass"


def _sign_in_state(user: User) -> str:
    # Any sign-in (the link's own use included) or sign-out everywhere voids the link.
    last = user.last_login_at.isoformat() if user.last_login_at else "never"
    return f"{user.id}:{user.session_version}:{last}"


LINK = SignedLink(
    salt=SALT,
    minutes_setting="BREAK_GLASS_MINUTES",
    state=_sign_in_state,
    eligible=lambda user: user.active and user.is_admin,
    invalid="This sign-in link is not valid or has expired.",
    spent="This sign-in link has been used, or its admin signed in since.",
)


def make_link_token(email: str) -> tuple[User, str]:
    """A single-use sign-in token for the active admin with ``email``; ValidationFailed for
    anyone else."""
    user = find_user(email)
    if user is None or not user.active or not user.is_admin:
        raise ValidationFailed(f"{email} is not an active admin's email.")
    token = LINK.token(user)
    audit.warning("Break-glass sign-in link made for %s (user %s)", user.email, user.id)
    return user, token


def admin_for_token(token: str) -> User:
    """The active admin a still-valid ``token`` signs in; LinkInvalid otherwise."""
    return LINK.user(token)


def use(token: str) -> User:
    """Spend ``token``: the admin to sign in, whose sign-in time now voids the link."""
    user = admin_for_token(token)
    user.last_login_at = utcnow()
    db.session.flush()
    audit.warning("Break-glass sign-in used by %s (user %s)", user.email, user.id)
    return user
