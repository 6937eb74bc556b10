"""Single sign-on through a company's OpenID Connect provider.

The provider proves who someone is; its groups say whether they may use Tandem and as
what. TANDEM_OIDC_GROUPS maps groups to a role and a department; someone in several mapped
groups gets the most privileged of their roles (admin, then leader, then marketer, then
rep), with the department the first of those groups (in the setting's order) names. The
first sign-in creates the account; each later one brings the name, role and department up
to date; someone in no mapped group any more is deactivated and signed out everywhere.
An existing account with a password is linked to the provider's identity only when the
provider says the email address is verified.
"""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from sqlalchemy import select

from portal.kernel.extensions import db
from portal.kernel.models import DEFAULT_DEPARTMENT, DEPARTMENTS, Role, User, find_user, utcnow

if TYPE_CHECKING:
    from authlib.integrations.flask_client.apps import FlaskOAuth2App

log = logging.getLogger(__name__)

# Most privileged first: who wins when someone is in several mapped groups.
ROLE_PRECEDENCE = (Role.ADMIN, Role.LEADER, Role.MARKETER, Role.REP)
AUTH_MODES = ("local", "oidc", "both")
_EXTENSION = "tandem.sso"


class SignInRefused(Exception):
    """The provider's answer does not let this person in; the message says why, for them."""


@dataclass(frozen=True)
class GroupRule:
    """Members of ``group`` may sign in with ``role`` in ``department``."""

    group: str
    role: Role
    department: str


def parse_group_mapping(text: str) -> tuple[GroupRule, ...]:
    """The rules of a TANDEM_OIDC_GROUPS value: ``group=role[:department]`` entries split
    by ``;``. ValueError says what is wrong with which entry."""
    rules: list[GroupRule] = []
    seen: set[str] = set()
    roles = ", ".join(role.value for role in ROLE_PRECEDENCE)
    for raw in (text or "").split(";"):
        entry = raw.strip()
        if not entry:
            continue
        group, equals, target = (part.strip() for part in entry.partition("="))
        if not equals or not group or not target:
            raise ValueError(f"{entry!r} is not group=role or group=role:department")
        role_name, _, department = (part.strip().lower() for part in target.partition(":"))
        if role_name not in {role.value for role in Role}:
            raise ValueError(f"{entry!r}: the role must be one of {roles}")
        role = Role(role_name)
        department = department or DEFAULT_DEPARTMENT[role]
        if department not in DEPARTMENTS:
            raise ValueError(f"{entry!r}: the department must be one of {', '.join(DEPARTMENTS)}")
        if group in seen:
            raise ValueError(f"the group {group!r} is mapped twice")
        seen.add(group)
        rules.append(GroupRule(group, role, department))
    return tuple(rules)


def resolve(rules: Iterable[GroupRule], groups: Iterable[str]) -> GroupRule | None:
    """The rule that decides for someone in ``groups``: the most privileged role among the
    mapped ones, the first such rule in the setting's order; None when no group is mapped."""
    member_of = set(groups)
    matching = [rule for rule in rules if rule.group in member_of]
    if not matching:
        return None
    return min(matching, key=lambda rule: ROLE_PRECEDENCE.index(rule.role))


def check_settings(app: Flask) -> None:
    """Refuse to start with a sign-in setting that cannot work, saying which and why."""
    config = app.config
    try:
        rules = parse_group_mapping(config.get("OIDC_GROUPS", ""))
    except ValueError as error:
        raise RuntimeError(
            f"TANDEM_OIDC_GROUPS is not valid: {error}. Write entries like "
            '"tandem-admins=admin;reps=rep:sales;marketing=marketer:marketing".'
        ) from None
    if config.get("AUTH_MODE", "local") == "local":
        return
    missing = [
        name
        for name, key in (
            ("TANDEM_OIDC_ISSUER", "OIDC_ISSUER"),
            ("TANDEM_OIDC_CLIENT_ID", "OIDC_CLIENT_ID"),
            ("TANDEM_OIDC_CLIENT_SECRET", "OIDC_CLIENT_SECRET"),
            ("TANDEM_OIDC_GROUPS", "OIDC_GROUPS"),
        )
        if not config.get(key)
    ]
    if missing:
        raise RuntimeError(
            f"TANDEM_AUTH={config['AUTH_MODE']} needs {', '.join(missing)} (see README, "
            '"Single sign-on").'
        )
    if not rules:
        raise RuntimeError("TANDEM_OIDC_GROUPS maps no group: nobody could sign in.")
    if "openid" not in config["OIDC_SCOPES"].split():
        raise RuntimeError('TANDEM_OIDC_SCOPES must include "openid".')


def enabled() -> bool:
    """Whether the sign-in page offers the provider."""
    return current_app.config.get("AUTH_MODE", "local") in ("oidc", "both")


def passwords_enabled() -> bool:
    """Whether anyone may sign in, or reset, with a password."""
    return current_app.config.get("AUTH_MODE", "local") in ("local", "both")


def rules() -> tuple[GroupRule, ...]:
    """The group mapping of the current application (checked at startup)."""
    return parse_group_mapping(current_app.config.get("OIDC_GROUPS", ""))


def client() -> "FlaskOAuth2App":
    """Authlib's client for the configured provider, made once per application and set of
    settings; it reads the provider's discovery document on first use."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    config = app.config
    key = (
        config["OIDC_ISSUER"],
        config["OIDC_CLIENT_ID"],
        config["OIDC_CLIENT_SECRET"],
        config["OIDC_SCOPES"],
    )
    cached = app.extensions.get(_EXTENSION)
    if cached is None or cached[0] != key:
        # Authlib's Flask client is loaded by the first sign-in, not by every process.
        from authlib.integrations.flask_client import OAuth

        oauth = OAuth(app)
        registered = oauth.register(
            name="oidc",
            client_id=config["OIDC_CLIENT_ID"],
            client_secret=config["OIDC_CLIENT_SECRET"],
            server_metadata_url=(
                config["OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration"
            ),
            client_kwargs={
                "scope": config["OIDC_SCOPES"],
                "code_challenge_method": "S256",
                "default_timeout": 10,
            },
        )
        cached = (key, registered)
        app.extensions[_EXTENSION] = cached
    return cached[1]


def groups_of(claims: Mapping[str, Any]) -> list[str]:
    """The groups a provider's claims list (a list, or one group as a string)."""
    value = claims.get(current_app.config.get("OIDC_GROUPS_CLAIM", "groups"))
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _verified(claims: Mapping[str, Any]) -> bool:
    # Some providers send the flag as a string.
    return claims.get("email_verified") in (True, "true")


def _find_linked(issuer: str, subject: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
    )


def sign_in(issuer: str, claims: Mapping[str, Any]) -> User:
    """The active account for a verified ID token's ``claims``, created, linked or brought
    up to date from them. SignInRefused when the person may not sign in; someone linked
    but in no mapped group any more is deactivated and signed out everywhere first (the
    caller commits that change before showing the refusal)."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SignInRefused("The provider did not say who you are.")
    rule = resolve(rules(), groups_of(claims))
    email = (claims.get("email") or "").strip().lower()
    name = (claims.get("name") or "").strip()[:120]
    user = _find_linked(issuer, subject)
    if user is None:
        user = _link_or_create(issuer, subject, email, name, rule, claims)
    elif rule is None:
        if user.active:
            user.active = False
            user.end_sessions()
            db.session.flush()
            log.info("Deactivated %s: no longer in any group mapped to a Tandem role", user.email)
        raise SignInRefused(_no_group_message())
    if not user.active:
        raise SignInRefused("Your Tandem account is deactivated. Ask an admin to turn it on.")
    assert rule is not None  # a new or linked account got past the group check
    if user.role != rule.role:
        # Other devices pick up the new rights at their next sign-in.
        user.end_sessions()
    user.role, user.department = rule.role, rule.department
    if name:
        user.name = name
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def _no_group_message() -> str:
    return (
        "Your company account is not in any group that may use Tandem. Ask your "
        "administrator to add you to one."
    )


def _link_or_create(
    issuer: str,
    subject: str,
    email: str,
    name: str,
    rule: GroupRule | None,
    claims: Mapping[str, Any],
) -> User:
    if rule is None:
        raise SignInRefused(_no_group_message())
    if "@" not in email or len(email) > 254:
        raise SignInRefused("The provider did not share your email address, which Tandem needs.")
    existing = find_user(email)
    if existing is not None:
        if existing.oidc_subject is not None:
            raise SignInRefused(
                "Another single sign-on identity is already linked to the Tandem account "
                f"{email}. Ask an admin."
            )
        if not _verified(claims):
            raise SignInRefused(
                f"A Tandem account for {email} exists, and the provider has not verified that "
                "this address is yours, so they cannot be linked. Ask an admin."
            )
        existing.oidc_issuer, existing.oidc_subject = issuer, subject
        log.info("Linked the account %s to its single sign-on identity", email)
        return existing
    user = User(
        email=email,
        name=name or email.split("@")[0],
        role=rule.role,
        department=rule.department,
        active=True,
        password_hash="",
        oidc_issuer=issuer,
        oidc_subject=subject,
    )
    db.session.add(user)
    return user
