"""Break-glass sign-in: a way in for an admin when the single sign-on provider is down or
misconfigured.

Someone with a shell on the server runs ``flask --app portal users break-glass EMAIL``; it
prints a link that signs that active admin in once, within BREAK_GLASS_MINUTES. Nothing is
stored: the link is signed with SECRET_KEY and carries a keyed fingerprint of the admin's
last sign-in time and session version, so any sign-in (this link's own use included) or
sign-out everywhere voids it. Making and using a link are both written to the log as
warnings under ``portal.audit``.
"""

import hashlib
import hmac
import logging

from flask import current_app
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User, find_user, utcnow

audit = logging.getLogger("portal.audit")

SALT = "tandem-break-glass"


class LinkInvalid(Exception):
    """The link is expired, used, voided by a later sign-in, forged, or its admin is not one
    any more."""


class _Signer(TimestampSigner):
    # The portal's clock, so tests can move time without touching the process's clock.
    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=_Signer)


def _fingerprint(user: User) -> str:
    last = user.last_login_at.isoformat() if user.last_login_at else "never"
    state = f"{user.id}:{user.session_version}:{last}".encode()
    key = f"{current_app.config['SECRET_KEY']}:{SALT}".encode()
    return hmac.new(key, state, hashlib.sha256).hexdigest()[:32]


def make_link_token(email: str) -> tuple[User, str]:
    """A single-use sign-in token for the active admin with ``email``; ValidationFailed for
    anyone else."""
    user = find_user(email)
    if user is None or not user.active or not user.is_admin:
        raise ValidationFailed(f"{email} is not an active admin's email.")
    token = str(_serializer().dumps({"u": user.id, "f": _fingerprint(user)}))
    audit.warning("Break-glass sign-in link made for %s (user %s)", user.email, user.id)
    return user, token


def admin_for_token(token: str) -> User:
    """The active admin a still-valid ``token`` signs in; LinkInvalid otherwise."""
    max_age = current_app.config["BREAK_GLASS_MINUTES"] * 60
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadData:
        raise LinkInvalid("This sign-in link is not valid or has expired.") from None
    user_id = data.get("u") if isinstance(data, dict) else None
    fingerprint = data.get("f") if isinstance(data, dict) else None
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        raise LinkInvalid("This sign-in link is not valid or has expired.")
    user = db.session.get(User, user_id)
    if user is None or not user.active or not user.is_admin:
        raise LinkInvalid("This sign-in link is not valid or has expired.")
    if not hmac.compare_digest(_fingerprint(user), fingerprint):
        raise LinkInvalid("This sign-in link has been used, or its admin signed in since.")
    return user


def use(token: str) -> User:
    """Spend ``token``: the admin to sign in, whose sign-in time now voids the link."""
    user = admin_for_token(token)
    user.last_login_at = utcnow()
    db.session.flush()
    audit.warning("Break-glass sign-in used by %s (user %s)", user.email, user.id)
    return user
