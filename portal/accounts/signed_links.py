"""Single-use links that store nothing: password reset and break-glass sign-in.

A link carries a user's id and a keyed fingerprint of some state of that user, signed with
the app's SECRET_KEY and stamped with the time it was made. It expires after a number of
minutes, and any change of the fingerprinted state (the link's own use included) voids it
and every link made before it.
"""

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow


class LinkInvalid(Exception):
    """The link is expired, already used, voided by a change of its user, or forged."""


class _Signer(TimestampSigner):
    # The portal's clock, so tests can move time without touching the process's clock.
    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


@dataclass(frozen=True)
class SignedLink:
    """One kind of link: its salt, the setting holding its lifetime in minutes, the state
    of a user it is voided by, who may use it, and what a refused link says."""

    salt: str
    minutes_setting: str
    state: Callable[[User], str]
    eligible: Callable[[User], bool]
    invalid: str
    spent: str

    def _serializer(self) -> URLSafeTimedSerializer:
        secret = current_app.config["SECRET_KEY"]
        return URLSafeTimedSerializer(secret, salt=self.salt, signer=_Signer)

    def _fingerprint(self, user: User) -> str:
        # Keyed, so the link (readable by anyone who sees it) says nothing of the state.
        key = f"{current_app.config['SECRET_KEY']}:{self.salt}".encode()
        return hmac.new(key, self.state(user).encode(), hashlib.sha256).hexdigest()[:32]

    def token(self, user: User) -> str:
        """A token for ``user``, valid until it expires or the fingerprinted state changes."""
        return str(self._serializer().dumps({"u": user.id, "f": self._fingerprint(user)}))

    def user(self, token: str) -> User:
        """The eligible user a still-valid ``token`` is for; LinkInvalid otherwise."""
        max_age = current_app.config[self.minutes_setting] * 60
        try:
            data = self._serializer().loads(token, max_age=max_age)
        except BadData:
            raise LinkInvalid(self.invalid) from None
        user_id = data.get("u") if isinstance(data, dict) else None
        fingerprint = data.get("f") if isinstance(data, dict) else None
        if not isinstance(user_id, int) or not isinstance(fingerprint, str):
            raise LinkInvalid(self.invalid)
        user = db.session.get(User, user_id)
        if user is None or not self.eligible(user):
            raise LinkInvalid(self.invalid)
        if not hmac.compare_digest(self._fingerprint(user), fingerprint):
            raise LinkInvalid(self.spent)
        return user
