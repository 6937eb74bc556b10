"""Accounts: users with a role and department, and hashed API tokens."""

import enum
import hashlib
import secrets
from datetime import UTC, datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.kernel.extensions import Entity, db
from portal.kernel.sql import one_of


class Role(enum.StrEnum):
    """What a user does in the portal. A member equals its value, the string stored in
    ``users.role``, so a role read from the database compares equal to its member."""

    REP = "rep"
    MARKETER = "marketer"
    LEADER = "leader"
    ADMIN = "admin"


ROLES = tuple(Role)
# Who writes and owns content: marketers, and admins, who may do anything with it.
AUTHORS = frozenset({Role.MARKETER, Role.ADMIN})
# Who runs the portal itself: accounts, the taxonomy, imports from the CRM.
ADMINS = frozenset({Role.ADMIN})
# Who follows the whole field's work (reports, feedback, requests, paths, the glossary).
OVERSEERS = AUTHORS | {Role.LEADER}
DEPARTMENTS = ("sales", "marketing")
# A role's usual department, used when none is given.
DEFAULT_DEPARTMENT: dict[str, str] = {
    Role.REP: "sales",
    Role.MARKETER: "marketing",
    Role.LEADER: "sales",
    Role.ADMIN: "sales",
}
TOKEN_PREFIX = "tdm_"  # noqa: S105 - a public prefix, not a secret


def utcnow() -> datetime:
    """Current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def normalize_email(email: str) -> str:
    """Emails are compared case-insensitively; store them lower-cased and trimmed."""
    return (email or "").strip().lower()


class User(UserMixin, Entity):
    __tablename__ = "users"
    __table_args__ = (
        one_of("role", ROLES),
        UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc_identity"),
    )

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # Empty for an account that only signs in through single sign-on.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    department: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the session id: bumping it signs out every session of this user.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The single sign-on provider's own stable name for this person (its issuer and the
    # ID token's ``sub``); emails change, these do not.
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))

    tokens: Mapped[list["ApiToken"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiToken.id.desc()"
    )

    def set_password(self, password: str) -> None:
        # Tests lower the work factor through PASSWORD_HASH_METHOD; production keeps scrypt.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def has_password(self) -> bool:
        """Whether the account has a password at all (single sign-on accounts may not)."""
        return bool(self.password_hash)

    @property
    def uses_sso(self) -> bool:
        """Whether the account is linked to a single sign-on identity."""
        return self.oidc_subject is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users at login.
        return bool(self.active)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_rep(self) -> bool:
        return self.role == Role.REP

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Invalidate every session and remember-me cookie issued to this user so far."""
        self.session_version = (self.session_version or 0) + 1


def hash_token(token: str) -> str:
    """Tokens are long and random, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Entity):
    __tablename__ = "api_tokens"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, shown in the profile so a user can tell tokens apart.
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        """Create a token for ``user``; returns the row and the clear token (shown once)."""
        clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls(user=user, name=name, token_hash=hash_token(clear), hint=clear[:10])
        db.session.add(token)
        return token, clear

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def find_user(email: str) -> User | None:
    """The account with this email address (in any case), or None."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))
