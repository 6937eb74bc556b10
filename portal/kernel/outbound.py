"""Calls to addresses people configure: webhook endpoints and chat tools' incoming webhooks.

An address typed into Tandem must not turn the server into a way to reach what only the
server can reach (a database on the private network, the cloud's metadata service). Every
call therefore:

- goes only to ``https`` addresses, or to ``http`` on loopback in development;
- resolves the host once, refuses it when any of its addresses is private, loopback,
  link-local, multicast or reserved, and then connects to the address it checked, so a
  second lookup cannot answer differently (DNS rebinding); TLS still checks the
  certificate against the host's name;
- follows no redirect, since a redirect could point anywhere;
- waits at most ``OUTBOUND_TIMEOUT_SECONDS`` and reads at most a few kilobytes of the answer.

``TANDEM_OUTBOUND_ALLOW_PRIVATE`` lets an admin allow private networks (10/8, 172.16/12,
192.168/16, fc00::/7) for a receiver inside the company's network. Link-local addresses,
where clouds serve their metadata and credentials, stay refused whatever the setting.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3
from flask import current_app

MAX_ANSWER_BYTES = 4096
USER_AGENT = "Tandem"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(ValueError):
    """The address may not be called; the message says why, in words for the admin."""


class Unreachable(OSError):
    """The call was allowed but did not get an answer (refused connection, timeout, TLS)."""


@dataclass(frozen=True)
class Answer:
    """What the receiver answered: its status and the start of its body."""

    status: int
    body: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Destination:
    """A checked address: where to connect, and the name the request and TLS use."""

    scheme: str
    host: str
    port: int
    target: str
    address: Address


def _development() -> bool:
    return current_app.config.get("ENV_NAME") == "development"


def _kind_refused(address: Address, allow_private: bool, development: bool) -> str | None:
    """Why ``address`` may not be called, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None if development else "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return "a reserved address"
    if address.is_private or not address.is_global:
        return None if allow_private else "a private network address"
    return None


def _resolve(host: str, port: int) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(f"The host {host} could not be found.") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def check(url: str) -> Destination:
    """Check ``url`` against the rules above and return where to connect; raise Refused.

    The host is resolved here: a form calls this to refuse an address when it is saved,
    and :func:`post` calls it again before each call, since names change what they point at.
    """
    development = _development()
    allow_private = bool(current_app.config.get("OUTBOUND_ALLOW_PRIVATE"))
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Refused("That is not a valid address.") from None
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise Refused("The address must start with https:// and name a host.")
    if parts.username or parts.password:
        raise Refused("The address may not carry a user name or password.")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _resolve(host, port)
    if not addresses:
        raise Refused(f"The host {host} could not be found.")
    for address in addresses:
        reason = _kind_refused(address, allow_private, development)
        if reason:
            raise Refused(f"The host {host} points at {reason}, which Tandem does not call.")
    if parts.scheme == "http" and not (
        development and all(_loopback(address) for address in addresses)
    ):
        raise Refused(
            "The address must use https:// (http:// only to this machine in development)."
        )
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return Destination(parts.scheme, host, port, target, addresses[0])


def _loopback(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _pool(destination: Destination, timeout: float) -> urllib3.HTTPConnectionPool:
    wait = urllib3.Timeout(connect=timeout, read=timeout)
    if destination.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            str(destination.address),
            port=destination.port,
            timeout=wait,
            retries=False,
            maxsize=1,
            server_hostname=destination.host,
            assert_hostname=destination.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    return urllib3.HTTPConnectionPool(
        str(destination.address), port=destination.port, timeout=wait, retries=False, maxsize=1
    )


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> Answer:
    """POST ``body`` to ``url`` under the rules above and return the answer.

    Raises Refused when the address may not be called and Unreachable when the call got
    no answer. A non-2xx answer is returned, not raised: the caller decides what it means.
    """
    destination = check(url)
    timeout = float(current_app.config.get("OUTBOUND_TIMEOUT_SECONDS", 10))
    default_port = 443 if destination.scheme == "https" else 80
    host_header = destination.host
    if ":" in host_header:
        host_header = f"[{host_header}]"
    if destination.port != default_port:
        host_header += f":{destination.port}"
    sent = {"User-Agent": USER_AGENT, **(headers or {}), "Host": host_header}
    pool = _pool(destination, timeout)
    try:
        response = pool.urlopen(
            "POST",
            destination.target,
            body=body,
            headers=sent,
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            start = response.read(MAX_ANSWER_BYTES, decode_content=True)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as error:
        raise Unreachable(f"{destination.host}: {error}") from None
    finally:
        pool.close()
    return Answer(response.status, start.decode("utf-8", "replace"))
