"""Signing deliveries: each endpoint's secret, and the headers a receiver checks.

An endpoint's secret is ``whsec_`` and the hex HMAC-SHA256 of its random salt under the
app's SECRET_KEY: the database holds only the salt, and changing SECRET_KEY changes
every endpoint's secret (receivers must then be given the new ones). Rotating a secret
draws a new salt.

A delivery carries ``Tandem-Webhook-Timestamp`` (unix seconds of this attempt) and
``Tandem-Webhook-Signature: sha256=<hex>``, the HMAC-SHA256 under the secret (its text,
as UTF-8) of ``"<timestamp>.<body>"``; the receiver recomputes it over the raw body and
refuses an old timestamp, so a captured delivery cannot be replayed later.
"""

import hashlib
import hmac
import secrets

from flask import current_app

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix that says what the value is, not a secret


def new_salt() -> str:
    """A fresh random salt for an endpoint's secret."""
    return secrets.token_hex(32)


def endpoint_secret(salt: str) -> str:
    """The secret of the endpoint whose salt is ``salt``, as the admin copies it."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"webhook-secret:{salt}".encode(), hashlib.sha256).hexdigest()
    return SECRET_PREFIX + digest


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header for ``body`` sent at ``timestamp``."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def headers(secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Every header of a delivery."""
    return {
        "Content-Type": "application/json",
        "Tandem-Webhook-Id": event_id,
        "Tandem-Webhook-Timestamp": str(timestamp),
        "Tandem-Webhook-Signature": signature(secret, timestamp, body),
    }
