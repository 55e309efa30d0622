"""Signing in with P1 SSO against a small OpenID Connect provider on loopback: the code flow
with PKCE and a nonce, RS256 ID tokens checked against the provider's JWKS, and the groups
claim deciding roles and teams."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from epics.models import Team
from portal.models import SsoIdentity
from tests.factories import PASSWORD, UserFactory
from tests.portal.pages import acknowledge_banner, text_of
from workflow.models import AuditEvent
from workflow.permissions import MDO_PM, PRODUCT_TEAM, roles_of

pytestmark = pytest.mark.django_db

User = get_user_model()


def person(sub="f3a1c0de-0001", username="jane.doe", groups=(), **claims):
    return {
        "sub": sub,
        "preferred_username": username,
        "email": f"{username}@example.mil",
        "given_name": "Jane",
        "family_name": "Doe",
        "groups": list(groups),
        **claims,
    }


def sso_sign_in(client, provider, claims, *, next_url="/"):
    """What a browser does: the portal sends it to the provider, the provider back with a
    code, the portal trades the code for tokens. Returns the portal's last answer."""
    provider.person = claims
    acknowledge_banner(client)
    start = client.get(reverse("oidc_authentication_init"), {"next": next_url})
    assert start.status_code == 302
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == reverse("oidc_authentication_callback")
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    return client.get(back.path, query)


def sign_out(client):
    assert client.post(reverse("logout")).status_code == 302
    # The emptied session cookie would otherwise keep the test client's next session unsaved.
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def sign_in_events(**filters):
    return AuditEvent.objects.filter(action__in=("sign_in", "sign_out"), **filters)


def test_the_sign_in_page_offers_sso_only_when_configured(client, settings, sso):
    acknowledge_banner(client)
    page = client.get(reverse("login"))
    assert "Sign in with P1 SSO" in text_of(page)
    assert reverse("oidc_authentication_init") in page.content.decode()
    settings.OIDC_ENABLED = False
    assert "Sign in with P1 SSO" not in text_of(client.get(reverse("login")))
    assert client.get(reverse("oidc_authentication_init")).status_code == 404


def test_the_request_to_the_provider_uses_pkce_a_nonce_and_state(client, sso):
    acknowledge_banner(client)
    start = client.get(reverse("oidc_authentication_init"))
    url = urlsplit(start["Location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert (
        f"{url.scheme}://{url.netloc}{url.path}" == sso.settings()["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    )
    assert query["client_id"] == "mdo-portal" and query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and query["nonce"] and query["state"]
    assert query["redirect_uri"] == "http://testserver" + reverse("oidc_authentication_callback")


def test_the_keycloak_realm_address_gives_the_endpoints_discovery_names(sso):
    """OIDC_OP_ISSUER derives each endpoint the way Keycloak lays them out; the provider's
    own discovery document says the same."""
    discovery = requests.get(sso.issuer + "/.well-known/openid-configuration", timeout=5).json()
    derived = sso.settings()
    assert discovery["issuer"] == derived["OIDC_OP_ISSUER"]
    assert discovery["authorization_endpoint"] == derived["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    assert discovery["token_endpoint"] == derived["OIDC_OP_TOKEN_ENDPOINT"]
    assert discovery["userinfo_endpoint"] == derived["OIDC_OP_USER_ENDPOINT"]
    assert discovery["jwks_uri"] == derived["OIDC_OP_JWKS_ENDPOINT"]
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]


def test_a_team_member_signs_in_and_gets_their_team(client, sso):
    alpha = Team.objects.create(name="Team Alpha", funded=True, onboarded=True)
    Team.objects.create(name="Team Bravo")
    response = sso_sign_in(client, sso, person(groups=["/teams/Team Alpha", "/other/thing"]))
    assert response.status_code == 302 and response["Location"] == "/"
    user = signed_in_user(client)
    assert user.username == "jane.doe" and user.email == "jane.doe@example.mil"
    assert (user.first_name, user.last_name) == ("Jane", "Doe")
    assert not user.has_usable_password()
    assert list(user.teams.all()) == [alpha]
    assert roles_of(user) == {PRODUCT_TEAM}
    assert not user.is_staff and not user.is_superuser
    identity = SsoIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (sso.issuer, "f3a1c0de-0001")
    assert identity.groups == ["/teams/Team Alpha", "/other/thing"]
    # Home shows their team: they are in.
    assert "Team Alpha" in text_of(client.get("/"))
    event = sign_in_events(action="sign_in", outcome="done").get()
    assert event.actor == user
    assert event.detail["method"] == "sso"
    assert event.detail["roles"] == [PRODUCT_TEAM] and event.detail["teams"] == ["Team Alpha"]


def test_groups_map_to_roles_and_the_admin(client, sso):
    response = sso_sign_in(client, sso, person(groups=["/Party Bus/MDO PMs", "/Party Bus/Admins"]))
    assert response.status_code == 302
    user = signed_in_user(client)
    assert user.groups.filter(name=MDO_PM).exists()
    assert user.is_staff and user.is_superuser


def test_the_provider_stays_the_source_of_truth_at_each_sign_in(client, sso):
    Team.objects.create(name="Team Alpha")
    sso_sign_in(client, sso, person(groups=["/Party Bus/MDO PMs", "/Party Bus/Admins"]))
    user = signed_in_user(client)
    sign_out(client)
    # Moved from the PMs to a product team, no longer an admin.
    sso_sign_in(client, sso, person(groups=["/teams/Team Alpha"], email="new@example.mil"))
    again = signed_in_user(client)
    assert again.pk == user.pk
    assert set(again.groups.values_list("name", flat=True)) == {PRODUCT_TEAM}
    assert not again.is_superuser and not again.is_staff
    assert again.email == "new@example.mil"
    assert sign_in_events(action="sign_out", actor=user).count() == 1


def test_a_user_whose_groups_map_to_nothing_is_refused_and_told_why(client, sso):
    users_before = User.objects.count()
    response = sso_sign_in(client, sso, person(groups=["/Some/Other Program"]))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert User.objects.count() == users_before and not SsoIdentity.objects.exists()
    page = text_of(client.get(response["Location"]))
    assert "not in any group this portal knows" in page
    assert "/Some/Other Program" in page
    refused = sign_in_events(action="sign_in", outcome="refused").get()
    assert refused.detail == {
        "method": "sso",
        "subject": "f3a1c0de-0001",
        "groups": ["/Some/Other Program"],
    }
    assert refused.object_repr == "jane.doe" and refused.actor is None
    assert "/Some/Other Program" in refused.reason


def test_a_team_group_naming_no_team_of_ours_maps_to_nothing(client, sso):
    response = sso_sign_in(client, sso, person(groups=["/teams/Not Onboarded Yet"]))
    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert not User.objects.filter(username="jane.doe").exists()


def test_someone_who_lost_every_group_is_refused_and_loses_their_roles(client, sso):
    sso_sign_in(client, sso, person(groups=["/Party Bus/DevOps"]))
    user = signed_in_user(client)
    assert user.groups.exists()
    sign_out(client)
    sso_sign_in(client, sso, person(groups=[]))
    assert signed_in_user(client) is None
    user.refresh_from_db()
    assert not user.groups.exists() and not user.teams.exists()


def test_sso_never_takes_over_a_local_account_with_the_same_name(client, sso):
    local = UserFactory(username="jane.doe", email="jane.doe@example.mil", roles=[MDO_PM])
    local.is_superuser = True
    local.save()
    sso_sign_in(client, sso, person(groups=["/Party Bus/DevOps"]))
    user = signed_in_user(client)
    assert user.pk != local.pk
    assert user.username == "jane.doe-sso"
    assert not user.is_superuser


def test_a_disabled_account_is_refused(client, sso):
    sso_sign_in(client, sso, person(groups=["/Party Bus/DevOps"]))
    user = signed_in_user(client)
    sign_out(client)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = sso_sign_in(client, sso, person(groups=["/Party Bus/DevOps"]))
    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None


@pytest.mark.parametrize("tamper", ["other_key", "audience", "issuer", "expired", "nonce", "hs256"])
def test_an_id_token_that_is_not_right_is_refused(client, sso, tamper):
    sso.tamper = tamper
    response = sso_sign_in(client, sso, person(groups=["/Party Bus/MDO PMs"]))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert not User.objects.filter(username="jane.doe").exists()
    assert "Signing in with P1 SSO did not work" in text_of(client.get(reverse("login")))
    refused = sign_in_events(action="sign_in", outcome="refused").get()
    assert refused.detail["method"] == "sso"


def test_the_provider_saying_no_is_recorded(client, sso):
    acknowledge_banner(client)
    client.get(reverse("oidc_authentication_init"))
    state = next(iter(client.session["oidc_states"]))
    response = client.get(
        reverse("oidc_authentication_callback"),
        {"error": "access_denied", "error_description": "User cancelled", "state": state},
    )
    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    event = sign_in_events(action="sign_in", outcome="refused").get()
    assert "access_denied" in event.reason


def test_a_code_is_good_once(client, sso):
    provider = sso
    provider.person = person(groups=["/Party Bus/MDO PMs"])
    acknowledge_banner(client)
    start = client.get(reverse("oidc_authentication_init"))
    back = urlsplit(
        requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    )
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    assert client.get(back.path, query)["Location"] == "/"
    sign_out(client)
    acknowledge_banner(client)
    # The same answer again: its state was used up (the portal refuses it as suspicious).
    assert client.get(back.path, query).status_code in (302, 400)
    assert signed_in_user(client) is None


def test_password_sign_in_still_works_beside_sso(client, sso):
    from tests.factories import PASSWORD

    UserFactory(username="alice", roles=[PRODUCT_TEAM])
    acknowledge_banner(client)
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user(client).username == "alice"


def test_signing_out_after_sso_ends_the_providers_session_too(client, settings, sso):
    """RP-initiated logout: the sign-out goes by the provider's end-session endpoint with the
    ID token as its hint and the portal's sign-in page to come back to; the portal's session
    is over either way. A password sign-in signs out at the portal only."""
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{sso.issuer}/protocol/openid-connect/logout"
    sso_sign_in(client, sso, person(groups=["/teams/Team Alpha"]))
    id_token = client.session["oidc_id_token"]
    answer = client.post(reverse("logout"))
    where = urlsplit(answer["Location"])
    assert f"{where.scheme}://{where.netloc}{where.path}" == settings.OIDC_OP_LOGOUT_ENDPOINT
    assert parse_qs(where.query) == {
        "id_token_hint": [id_token],
        "client_id": [settings.OIDC_RP_CLIENT_ID],
        "post_logout_redirect_uri": ["http://testserver/accounts/login/"],
    }
    assert signed_in_user(client) is None
    # The policy lets the sign-out form's redirect go to the provider, and nowhere else.
    form_action = next(
        part for part in answer["Content-Security-Policy"].split("; ") if "form-action" in part
    )
    assert form_action == f"form-action 'self' {sso.base}"

    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    UserFactory(username="pw-user")
    acknowledge_banner(client)
    assert client.login(username="pw-user", password=PASSWORD)
    assert client.post(reverse("logout"))["Location"] == reverse("login")
