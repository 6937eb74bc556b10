"""Calls to configured addresses: only https (http to loopback in development), never to
private, link-local or reserved addresses unless allowed, no redirects followed."""

import json

import pytest

from portal.kernel import outbound
from tests.factories import SQLITE_ONLY
from tests.portal.helpers import receiving_posts

pytestmark = SQLITE_ONLY


@pytest.fixture
def development(app):
    app.config.update(ENV_NAME="development", OUTBOUND_ALLOW_PRIVATE=False)
    with app.app_context():
        yield app


def test_posts_to_a_loopback_receiver_in_development(development):
    with receiving_posts([200]) as receiver:
        answer = outbound.post(
            receiver.url("/in?x=1"), b'{"a": 1}', {"Content-Type": "application/json"}
        )
    assert answer.ok
    assert answer.status == 200
    assert answer.body == "ok"
    [request] = receiver.received
    assert request.path == "/in?x=1"
    assert json.loads(request.body) == {"a": 1}
    assert request.headers["Host"] == f"127.0.0.1:{receiver.port}"
    assert request.headers["User-Agent"] == "Tandem"


def test_a_redirect_is_answered_not_followed(development):
    with receiving_posts([302]) as receiver:
        answer = outbound.post(receiver.url(), b"{}")
    assert answer.status == 302
    assert not answer.ok
    assert len(receiver.received) == 1


def test_loopback_is_refused_outside_development(development):
    development.config["ENV_NAME"] = "production"
    with receiving_posts() as receiver:
        with pytest.raises(outbound.Refused, match="loopback"):
            outbound.post(receiver.url(), b"{}")
        assert receiver.received == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.1.2.3/hook", "private network"),
        ("https://192.168.0.10/hook", "private network"),
        ("https://[fd00::1]/hook", "private network"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://[::ffff:169.254.169.254]/hook", "link-local"),
        ("https://0.0.0.0/hook", "reserved"),
        ("https://224.0.0.1/hook", "reserved"),
        ("ftp://example.com/hook", "https://"),
        ("https://user:secret@example.com/hook", "user name"),
        ("not an address", "https://"),
        ("https://host.invalid/hook", "could not be found"),
    ],
)
def test_addresses_that_are_refused(development, url, reason):
    with pytest.raises(outbound.Refused, match=reason):
        outbound.check(url)


def test_the_admin_setting_allows_private_networks_but_never_link_local(development):
    development.config["OUTBOUND_ALLOW_PRIVATE"] = True
    assert str(outbound.check("https://10.1.2.3:8443/hook").address) == "10.1.2.3"
    with pytest.raises(outbound.Refused, match="link-local"):
        outbound.check("https://169.254.169.254/")
    # Plain http stays refused off loopback, whatever the setting.
    with pytest.raises(outbound.Refused, match="https://"):
        outbound.check("http://10.1.2.3/hook")


def test_a_receiver_that_is_down_is_unreachable(development):
    with receiving_posts() as receiver:
        url = receiver.url()
    with pytest.raises(outbound.Unreachable):
        outbound.post(url, b"{}")
