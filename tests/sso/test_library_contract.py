"""What portal/sso.py relies on in mozilla-django-oidc, pinned.

Our backend and views override methods that the library calls by name from its own code. A
release that renamed one, changed its arguments, or stopped calling it would leave our
override in place but unused, and sign-in would go on working without our checks: the ID
token's audience and issuer unchecked (`_verify_jws`), people matched to accounts by e-mail
instead of by issuer and subject (`get_or_create_user`), sessions loaded without the
account's roles or its `is_active` (`get_user`). These tests name each seam, so an upgrade
fails here, saying which, rather than passing quietly. How the sign-in behaves end to end is
in test_oidc_flow.py (against a provider on loopback) and tests/portal/test_signed_in_user.py
(a switched-off account is signed out, whichever backend signed it in).

Moving the pin in pyproject.toml past VERIFIED fails the first test on purpose: read the
library's changes against OVERRIDES and the tests below, then move VERIFIED with it.
"""

from __future__ import annotations

import inspect
import time
import tomllib
from importlib.metadata import version
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from portal import auth, sso
from tests.portal.pages import acknowledge_banner

LIBRARY = "mozilla-django-oidc"
# The releases this file was checked against.
VERIFIED = SpecifierSet(">=5.0,<5.1")

# (library class, our class, method): each method we override that the library's own code
# calls, or that we call through super().
OVERRIDES = [
    (OIDCAuthenticationBackend, sso.PortalOIDCBackend, "authenticate"),
    (OIDCAuthenticationBackend, sso.PortalOIDCBackend, "get_or_create_user"),
    (OIDCAuthenticationBackend, sso.PortalOIDCBackend, "get_userinfo"),
    (OIDCAuthenticationBackend, sso.PortalOIDCBackend, "verify_claims"),
    (OIDCAuthenticationBackend, sso.PortalOIDCBackend, "create_user"),
    (OIDCAuthenticationBackend, sso.PortalOIDCBackend, "update_user"),
    (OIDCAuthenticationBackend, sso.PortalOIDCBackend, "_verify_jws"),
    (OIDCAuthenticationBackend, sso.PortalOIDCBackend, "get_user"),
    (OIDCAuthenticationRequestView, sso.SsoStartView, "get"),
    (OIDCAuthenticationCallbackView, sso.SsoCallbackView, "get"),
    (OIDCAuthenticationCallbackView, sso.SsoCallbackView, "login_failure"),
]

CLIENT_ID = "mdo-portal"
ISSUER = "https://sso.example.mil/realms/p1"


def declared_requirement(name: str) -> Requirement:
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    found = [Requirement(line) for line in dependencies if Requirement(line).name == name]
    assert len(found) == 1, f"pyproject.toml should declare {name} once: {found}"
    return found[0]


def test_the_pinned_and_installed_releases_are_the_ones_this_contract_was_checked_against():
    declared = declared_requirement(LIBRARY).specifier
    assert declared == VERIFIED, (
        f"pyproject.toml pins {LIBRARY}{declared}, this file was checked against {VERIFIED}: "
        "check every seam below against the new release, then move VERIFIED."
    )
    installed = version(LIBRARY)
    assert installed in VERIFIED, f"{LIBRARY} {installed} is installed, outside {VERIFIED}"


@pytest.mark.parametrize(
    ("library_class", "our_class", "name"),
    OVERRIDES,
    ids=[f"{ours.__name__}.{name}" for _, ours, name in OVERRIDES],
)
def test_each_method_we_override_is_still_in_the_library_with_the_same_arguments(
    library_class, our_class, name
):
    theirs = inspect.getattr_static(library_class, name, None)
    assert callable(theirs), f"{library_class.__qualname__}.{name} is gone: ours is never called"
    ours = getattr(our_class, name)
    assert ours is not getattr(library_class, name), f"{our_class.__name__}.{name} is theirs"
    assert inspect.signature(ours) == inspect.signature(theirs), (
        f"{library_class.__qualname__}.{name}{inspect.signature(theirs)} is not called the way "
        f"{our_class.__name__}.{name}{inspect.signature(ours)} expects"
    )


def test_a_session_s_user_is_loaded_by_our_get_user_not_the_library_s():
    # Django's auth calls get_user of the backend named in the session: ours must come first
    # in the method resolution order, before the library's plain `objects.get(pk=…)`.
    assert sso.PortalOIDCBackend.get_user is auth.LoadsRoles.get_user


def test_the_failure_url_we_override_is_a_property_of_the_library_s_callback_view():
    theirs = inspect.getattr_static(OIDCAuthenticationCallbackView, "failure_url", None)
    assert isinstance(theirs, property), "the callback view no longer reads self.failure_url"
    assert isinstance(inspect.getattr_static(sso.SsoCallbackView, "failure_url"), property)


@pytest.fixture
def signing_key(settings):
    """The provider's key given as OIDC_RP_IDP_SIGN_KEY, so no JWKS is fetched."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_OP_ISSUER = ISSUER
    settings.OIDC_RP_IDP_SIGN_KEY = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return key


def id_token(key, **claims) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "s-1", "iat": now, "exp": now + 60, **claims}
    return jwt.encode(claims, key, algorithm="RS256")


def test_the_library_checks_the_id_token_through_our_verify_jws(signing_key, monkeypatch):
    backend = sso.PortalOIDCBackend()
    # Read by our _verify_jws: set by the library's __init__ from our settings.
    assert (backend.OIDC_RP_SIGN_ALGO, backend.OIDC_RP_CLIENT_ID) == ("RS256", CLIENT_ID)
    seen = []
    ours = sso.PortalOIDCBackend._verify_jws

    def spy(self, payload, key):
        seen.append(payload)
        return ours(self, payload, key)

    monkeypatch.setattr(sso.PortalOIDCBackend, "_verify_jws", spy)
    token = id_token(signing_key, nonce="n-1")
    assert backend.verify_token(token, nonce="n-1")["sub"] == "s-1"
    assert seen == [token], "verify_token no longer checks the token through _verify_jws"


def test_the_library_hands_the_tokens_to_our_get_or_create_user_and_lets_refusals_through(
    rf, monkeypatch
):
    backend = sso.PortalOIDCBackend()
    sent = {}

    def get_token(payload):
        sent.update(payload)
        return {"id_token": "ID", "access_token": "AT"}

    monkeypatch.setattr(backend, "get_token", get_token)
    monkeypatch.setattr(backend, "verify_token", lambda token, **kwargs: {"sub": "s-1", **kwargs})
    monkeypatch.setattr(backend, "store_tokens", lambda access_token, id_token: None)
    asked = []

    def refuse(access_token, id_token, payload):
        asked.append((access_token, id_token, payload))
        raise sso.SsoRefused("No group.", reason="No configured group.", claims=payload)

    monkeypatch.setattr(backend, "get_or_create_user", refuse)
    request = rf.get("/oidc/callback/", {"code": "c-1", "state": "st-1"})
    # The library's own authenticate, which ours calls: our SsoRefused must come out of it,
    # so that ours records the refusal with the person's groups and tells them whom to ask.
    with pytest.raises(sso.SsoRefused):
        OIDCAuthenticationBackend.authenticate(backend, request, nonce="n-1", code_verifier="v-1")
    assert asked == [("AT", "ID", {"sub": "s-1", "nonce": "n-1"})]
    assert sent["code"] == "c-1" and sent["code_verifier"] == "v-1"


@pytest.mark.django_db
def test_the_callback_view_authenticates_with_the_nonce_and_fails_to_our_url(
    client, settings, monkeypatch
):
    # Our backend answers only calls that carry a nonce (password sign-ins ask it too).
    settings.OIDC_ENABLED = True
    acknowledge_banner(client)
    session = client.session
    session["oidc_states"] = {"st-1": {"nonce": "n-1", "code_verifier": "v-1"}}
    session.save()
    calls = []
    monkeypatch.setattr(
        "django.contrib.auth.authenticate", lambda **kwargs: calls.append(kwargs) or None
    )
    response = client.get(reverse("oidc_authentication_callback"), {"code": "c", "state": "st-1"})
    assert [(c["nonce"], c["code_verifier"]) for c in calls] == [("n-1", "v-1")]
    assert response.status_code == 302 and response["Location"] == reverse("login")
