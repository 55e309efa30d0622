"""Behind reverse proxies: X-Forwarded-For is believed only from the proxies named in
TRUSTED_PROXIES, and once a proxy is configured /metrics answers only to METRICS_TOKEN, never
to loopback (behind a proxy on the same host, every request comes from loopback)."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.checks import proxy_settings
from portal.security import client_address
from tests.factories import PASSWORD, UserFactory
from tests.portal.pages import acknowledge_banner
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def signed_in_from(**meta) -> str:
    """Sign alice in with these connection details; the address the audit trail recorded."""
    UserFactory(username="alice")
    client = Client()
    acknowledge_banner(client)
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, **meta)
    assert response.status_code == 302
    return AuditEvent.objects.get(action="sign_in").client_address


def test_forwarded_for_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_HOPS = ["10.0.0.2"], 1
    recorded = signed_in_from(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert recorded == "203.0.113.9"


def test_hops_alone_no_longer_believe_any_peer(settings):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_HOPS = [], 1
    recorded = signed_in_from(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert recorded == "203.0.113.9"


def test_forwarded_for_from_a_trusted_proxy_is_believed(settings):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_HOPS = ["10.0.0.2"], 1
    recorded = signed_in_from(
        REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.10"
    )
    assert recorded == "192.0.2.10"  # what the proxy saw, not what the client wrote


@pytest.mark.parametrize(
    ("proxies", "hops", "peer", "forwarded", "client"),
    [
        # Two proxies of ours: the walk passes both and stops at the client.
        (["10.0.0.0/24"], 0, "10.0.0.2", "192.0.2.10, 10.0.0.3", "192.0.2.10"),
        # The client wrote a header of its own: our proxy appended the real address.
        (["10.0.0.0/24"], 0, "10.0.0.2", "6.6.6.6, 192.0.2.10", "192.0.2.10"),
        # A network that holds clients too: the hops bound what is read.
        (["10.0.0.0/8"], 1, "10.0.0.2", "6.6.6.6, 10.9.9.9", "10.9.9.9"),
        (["10.0.0.0/8"], 0, "10.0.0.2", "6.6.6.6, 10.9.9.9", "6.6.6.6"),
        # Not an address: the last address believed stands.
        (["10.0.0.2"], 0, "10.0.0.2", "unknown", "10.0.0.2"),
        (["10.0.0.2"], 0, "10.0.0.2", "", "10.0.0.2"),
        # IPv6, and an IPv4 peer seen as IPv4-mapped IPv6.
        (["fd00::/8"], 0, "fd00::2", "2001:db8::7", "2001:db8::7"),
        (["127.0.0.1"], 0, "::ffff:127.0.0.1", "192.0.2.10", "192.0.2.10"),
        # Nobody trusted: the peer, whatever the header says.
        ([], 3, "10.0.0.2", "6.6.6.6, 192.0.2.10", "10.0.0.2"),
        (["10.0.0.2"], 0, "10.0.0.3", "6.6.6.6", "10.0.0.3"),
    ],
)
def test_the_client_address_read_from_the_right(settings, proxies, hops, peer, forwarded, client):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_HOPS = proxies, hops
    assert client_address(peer, forwarded) == client


# /metrics behind a proxy --------------------------------------------------------------------


@pytest.mark.parametrize(("proxies", "hops"), [(["127.0.0.1"], 0), ([], 1)])
def test_metrics_refuse_loopback_once_a_proxy_is_configured(client, settings, proxies, hops):
    settings.METRICS_TOKEN = ""
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_HOPS = proxies, hops
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 403
    assert "METRICS_TOKEN" in response.content.decode()
    assert b"mdo_" not in response.content


def test_metrics_behind_a_proxy_answer_the_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-scraper"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    bearer = {"HTTP_AUTHORIZATION": "Bearer s3cret-scraper"}
    forwarded = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert client.get("/metrics", **forwarded, **bearer).status_code == 200
    refused = client.get("/metrics", **forwarded)
    assert refused.status_code == 403 and "Authorization: Bearer" in refused.content.decode()


def test_metrics_without_a_proxy_still_answer_loopback(client, settings):
    settings.METRICS_TOKEN, settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_HOPS = "", [], 0
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    refused = client.get("/metrics", REMOTE_ADDR="192.0.2.10")
    assert refused.status_code == 403 and "loopback" in refused.content.decode()


# The system check ---------------------------------------------------------------------------


def ids(settings, **values) -> list[str]:
    for name, value in values.items():
        setattr(settings, name, value)
    return [problem.id for problem in proxy_settings(None)]


def test_a_proxy_without_a_metrics_token_is_warned_of(settings):
    assert ids(settings, TRUSTED_PROXIES=["127.0.0.1"], METRICS_TOKEN="") == ["portal.W002"]
    assert ids(settings, TRUSTED_PROXIES=["127.0.0.1"], METRICS_TOKEN="t") == []
    assert ids(settings, TRUSTED_PROXIES=[], TRUSTED_PROXY_HOPS=0, METRICS_TOKEN="") == []


def test_hops_without_trusted_proxies_are_warned_of(settings):
    found = ids(settings, TRUSTED_PROXIES=[], TRUSTED_PROXY_HOPS=1, METRICS_TOKEN="t")
    assert found == ["portal.W003"]


def test_a_trusted_proxy_that_is_not_an_address_is_an_error(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.300"]
    [problem] = proxy_settings(None)
    assert problem.id == "portal.E003" and "TRUSTED_PROXIES" in problem.msg
