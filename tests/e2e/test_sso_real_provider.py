"""Signing in with SSO against a real, certified OpenID provider (panva/node-oidc-provider,
tests/sso/op/server.mjs) on loopback, through its own sign-in pages in the browser: groups
mapped to roles and teams, an unmapped person refused, and signing out ending the
provider's session too (RP-initiated logout).

Needs Node.js and the provider's packages (`npm ci` in tests/sso/op: .ci/run does it);
skipped, saying so, without them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.pages import expect
from tests.portal.pages import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OP_DIR = Path(__file__).resolve().parents[1] / "sso" / "op"
CLIENT_ID, CLIENT_SECRET = "mdo-portal", "a-test-client-secret-of-some-length"
PEOPLE = {
    "pat.sso": {
        "preferred_username": "pat.sso",
        "email": "pat.sso@example.mil",
        "groups": ["/Party Bus/MDO PMs"],
    },
    "jane.doe": {
        "preferred_username": "jane.doe",
        "email": "jane.doe@example.mil",
        "groups": ["/teams/Team Alpha"],
    },
    "visitor": {"preferred_username": "visitor", "groups": ["/Elsewhere"]},
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _started(process, issuer: str) -> None:
    """Wait for the provider's discovery document (or the process to die)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the OpenID provider exited: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the OpenID provider did not start within 60 s")


@pytest.fixture
def real_provider(live_server, settings):
    node = shutil.which("node")
    if node is None or not (OP_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("needs Node.js and `npm ci` in tests/sso/op (the real OpenID provider)")
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [node, "server.mjs"],
        cwd=OP_DIR,
        env={
            **os.environ,
            "OP_PORT": str(port),
            "OP_CLIENT_ID": CLIENT_ID,
            "OP_CLIENT_SECRET": CLIENT_SECRET,
            "OP_REDIRECT_URI": f"{live_server.url}/oidc/callback/",
            "OP_POST_LOGOUT_REDIRECT_URI": f"{live_server.url}/accounts/login/",
            "OP_ACCOUNTS": json.dumps(PEOPLE),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _started(process, issuer)
        for name, value in {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_ISSUER": issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{issuer}/auth",
            "OIDC_OP_TOKEN_ENDPOINT": f"{issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{issuer}/me",
            "OIDC_OP_JWKS_ENDPOINT": f"{issuer}/jwks",
            "OIDC_OP_LOGOUT_ENDPOINT": f"{issuer}/session/end",
            "OIDC_GROUP_MAP": "/Party Bus/MDO PMs=mdo_pm",
            "OIDC_TEAM_GROUP_PREFIX": "/teams/",
        }.items():
            setattr(settings, name, value)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


def sign_in_at_the_provider(page, login: str) -> None:
    """From the portal's sign-in page, through the provider's own login and consent."""
    page.get_by_role("link", name="Sign in with P1 SSO").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password: the provider's test pages")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def signed_out_at_the_provider(page) -> None:
    """The provider asks to confirm; then the portal's sign-in page, after the banner."""
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.get_by_role("button", name="I acknowledge and consent").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_signing_in_and_out_with_a_real_openid_provider(page, real_provider, shot):
    world()
    page.goto("/")
    page.get_by_role("button", name="I acknowledge and consent").click()

    # An MDO PM by group: the provider's groups claim becomes the role.
    sign_in_at_the_provider(page, "pat.sso")
    expect(page.get_by_role("heading", name="Hello, pat.sso")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Triage")).to_be_visible()
    shot(page, "signed-in-as-a-pm")

    # Signing out ends the provider's session too: the next SSO sign-in asks who you are.
    page.get_by_role("button", name="Sign out").click()
    signed_out_at_the_provider(page)
    page.get_by_role("link", name="Sign in with P1 SSO").click()
    expect(page.locator("input[name=login]")).to_be_visible()

    # A team member by group: membership and the product team role.
    page.goto("/accounts/login/")
    sign_in_at_the_provider(page, "jane.doe")
    expect(page.get_by_role("heading", name="Hello, jane.doe")).to_be_visible()
    expect(page.get_by_text("Team Alpha").first).to_be_visible()
    expect(nav.get_by_role("link", name="Triage")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()
    signed_out_at_the_provider(page)

    # Someone in no group the portal knows is turned away, and told why.
    sign_in_at_the_provider(page, "visitor")
    expect(page.get_by_text("not in any group this portal knows")).to_be_visible()
    shot(page, "unmapped-person-refused")
