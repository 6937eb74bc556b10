"""Who may read the metrics: a bearer token, allowed networks, or by default loopback.

Metrics name the routes and how busy the portal is; a refused scrape answers 404, as if
there were nothing there.
"""

import hashlib
import hmac
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from flask import Flask, request

Network = IPv4Network | IPv6Network
LOOPBACK: tuple[Network, ...] = (ip_network("127.0.0.0/8"), ip_network("::1/128"))


def parse_networks(setting: str) -> tuple[Network, ...] | None:
    """The networks of TANDEM_METRICS_ALLOW ("10.0.0.0/8,127.0.0.1/32"), or None when it
    is empty. A host address without a prefix is a network of one."""
    if not setting.strip():
        return None
    try:
        return tuple(
            ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip()
        )
    except ValueError as error:
        raise RuntimeError(
            f"TANDEM_METRICS_ALLOW must be comma-separated networks such as "
            f"10.0.0.0/8,127.0.0.1/32: {error}"
        ) from None


def may_scrape(app: Flask) -> bool:
    """Whether this request may read the metrics.

    With a token set, the request must send it; with networks set, it must come from one
    of them; with both, it needs both; with neither, it must come from this host.
    """
    token = app.config["METRICS_TOKEN"]
    networks = app.extensions["metrics_allow"]
    if token and not _sent_token(token):
        return False
    if networks is None:
        return bool(token) or _from(LOOPBACK)
    return _from(networks)


def _sent_token(token: str) -> bool:
    sent = request.headers.get("Authorization", "")
    scheme, _, value = sent.partition(" ")
    if scheme.lower() != "bearer":
        return False
    # Digests of equal length, compared in constant time: neither the token nor its
    # length leaks through how long a refusal takes.
    return hmac.compare_digest(_digest(value.strip()), _digest(token))


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


def _from(networks: tuple[Network, ...]) -> bool:
    try:
        address = ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)
