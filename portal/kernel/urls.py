"""Checks on addresses that come from the request, so redirects never leave the site."""

from urllib.parse import urlsplit

from flask import request


def safe_next(target: str | None) -> str | None:
    """Return ``target`` only if it is a path on this site; anything else is dropped."""
    if not target or len(target) > 2000:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def same_site_referrer() -> str | None:
    """The path of the page that sent this request, if it was a page of this site."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if parts.netloc != request.host:
        return None
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
