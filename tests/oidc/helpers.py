"""The test suite's OpenID Connect provider: oidc-provider (from npm, see package.json) run
by Node on a loopback port, and the steps a browser takes through it.

The suite generates the provider's signing keys and hands them over at start, so a test
can sign an ID token with the provider's own key (a wrong audience, an expiry in the past)
while discovery and the key set still come from the running provider.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"
PACKAGE = HERE / "node_modules" / "oidc-provider"
HOW_TO_ENABLE = (
    "install Node.js and npm (Debian: apt-get install nodejs npm), then run "
    "`npm ci --prefix tests/oidc`"
)
CLIENT_ID = "tandem-tests"
CLIENT_SECRET = "a-test-client-secret"  # noqa: S105 - the test provider's own client
# In the order of the mapping's precedence rule: the test of it relies on it.
GROUPS = (
    "tandem-admins=admin;sales-leaders=leader:sales;reps=rep:sales;"
    "marketing=marketer:marketing;field-marketing=marketer:sales"
)
PROVIDER_NAME = "Test IdP"


def missing_requirement() -> str | None:
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "Node.js is not installed"
    if not PACKAGE.is_dir():
        return "tests/oidc/node_modules is missing"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Provider:
    """A running test provider."""

    issuer: str
    key: RSAKey

    def set_account(self, sub: str, **claims) -> None:
        """What the provider says about ``sub`` from now on (email, name, groups...)."""
        response = requests.post(
            f"{self.issuer}/test/accounts", json={"sub": sub, "claims": claims}, timeout=5
        )
        response.raise_for_status()

    def sign(self, claims: dict) -> str:
        """An ID token signed with the provider's own key."""
        header = {"alg": "RS256", "kid": self.key.kid}
        return jwt.encode(header, claims, self.key)

    def settings(self, mode: str = "both") -> dict:
        """The portal's settings for this provider."""
        return {
            "AUTH_MODE": mode,
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_SCOPES": "openid email profile groups",
            "OIDC_GROUPS_CLAIM": "groups",
            "OIDC_PROVIDER_NAME": PROVIDER_NAME,
            "OIDC_GROUPS": GROUPS,
        }


@contextmanager
def running_provider() -> Iterator[Provider]:
    """Start the provider on a free port, wait until it answers discovery, stop it after."""
    port = _free_port()
    key = RSAKey.generate_key(2048, parameters={"kid": f"test-{port}", "use": "sig"})
    environment = {
        **os.environ,
        "OIDC_JWKS": json.dumps(KeySet([key]).as_dict(private=True)),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "NODE_ENV": "test",
    }
    issuer = f"http://127.0.0.1:{port}"
    # A file, not a pipe: nobody reads the provider's warnings while it runs, and a full
    # pipe would stop it.
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(  # noqa: S603 - a fixed script run by the test suite
            ["node", str(SCRIPT), str(port)],  # noqa: S607 - node from the PATH
            cwd=HERE,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            # The script prints "ready" once it listens, or exits with the reason on stderr.
            line = process.stdout.readline() if process.stdout else ""
            if line.strip() != "ready":
                process.kill()
                process.wait(timeout=10)
                errors.seek(0)
                raise RuntimeError(
                    f"The test OpenID Connect provider did not start: {errors.read()}"
                )
            discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
            discovery.raise_for_status()
            yield Provider(issuer=issuer, key=key)
        finally:
            process.kill()
            process.wait(timeout=10)
            if process.stdout:
                process.stdout.close()


def through_provider(authorize_url: str, login: str) -> str:
    """Sign ``login`` in on the provider's own development login page, as a browser would;
    the address the provider sends the browser back to (the portal's callback)."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and 'name="login"' in response.text:
            response = browser.post(
                url,
                data={"prompt": "login", "login": login, "password": "any"},
                allow_redirects=False,
                timeout=10,
            )
        if response.status_code not in (302, 303):
            raise AssertionError(f"The provider answered {response.status_code}: {response.text}")
        url = urljoin(url, response.headers["Location"])
        if not url.startswith(authorize_url.split("/auth")[0]):
            return url
    raise AssertionError("The provider never sent the browser back")


def start(client, next_url: str | None = None) -> str:
    """Press "Sign in with ..." in the portal: the provider's authorization address."""
    path = "/signin/oidc" + (f"?next={next_url}" if next_url else "")
    response = client.get(path)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def callback_path(url: str) -> str:
    """The portal's callback address as a path the test client can open."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sign_in(client, login: str, next_url: str | None = None):
    """The whole journey for ``client``: the portal, the provider's login page, back."""
    returned = through_provider(start(client, next_url), login)
    return client.get(callback_path(returned))


def nonce_of(authorize_url: str) -> str:
    """The nonce the portal put in its authorization request."""
    return parse_qs(urlsplit(authorize_url).query)["nonce"][0]


def id_token_claims(provider: Provider, authorize_url: str, sub: str, **changes) -> dict:
    """Claims of a well-formed ID token for the portal's pending sign-in, with ``changes``."""
    now = int(time.time())
    claims = {
        "iss": provider.issuer,
        "sub": sub,
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 600,
        "nonce": nonce_of(authorize_url),
        "email": f"{sub}@example.com",
        "email_verified": True,
        "name": sub.title(),
        "groups": ["reps"],
    }
    claims.update(changes)
    return claims
