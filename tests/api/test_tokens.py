"""API tokens (API.md, "Authentication"): they expire, are kept only as hashes, end with a
DELETE or with signing out of the browser, and the token endpoint is throttled."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.urls import reverse
from rest_framework.test import APIClient

from api import authentication
from api.models import ApiToken
from api.tokens import digest, issue
from portal import auth
from tests.api.helpers import url
from tests.factories import PASSWORD, UserFactory
from tests.portal.pages import sign_in
from workflow.models import AuditEvent
from workflow.permissions import PRODUCT_TEAM, roles_of

pytestmark = pytest.mark.django_db

TOKEN = url("auth/token")


def with_token(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def ask_for_token(username="alice", password=PASSWORD, **extra):
    return APIClient().post(
        TOKEN, {"username": username, "password": password}, format="json", **extra
    )


def moved_back(by: dt.timedelta) -> None:
    """Every token as if it had been given `by` earlier (the clock moved, no waiting)."""
    ApiToken.objects.update(created_at=F("created_at") - by, expires_at=F("expires_at") - by)


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


# Expiry ---------------------------------------------------------------------------------------


def test_a_token_lives_24_hours_by_default(member):
    assert django_settings.API_TOKEN_TTL == 24 * 60 * 60
    issue(member)
    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at == dt.timedelta(hours=24)


def test_a_token_answers_401_once_api_token_ttl_has_passed(member, epic, settings):
    settings.API_TOKEN_TTL = 3600
    client = with_token(ask_for_token().json()["token"])
    moved_back(dt.timedelta(minutes=59))
    assert client.get(url("epics")).status_code == 200

    moved_back(dt.timedelta(minutes=1))
    response = client.get(url("epics"))

    assert response.status_code == 401
    assert response.json() == {"detail": authentication.EXPIRED}
    assert response["WWW-Authenticate"] == "Token"
    assert ApiToken.objects.get().state == "expired"


def test_a_new_token_is_given_to_a_client_still_sending_its_expired_one(member):
    expired = issue(member)
    moved_back(dt.timedelta(days=2))

    response = with_token(expired).post(
        TOKEN, {"username": "alice", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert with_token(response.json()["token"]).get(url("tickets")).status_code == 200


# Kept as a hash ---------------------------------------------------------------------------------


def test_the_secret_is_kept_nowhere_only_its_sha256(member):
    secret = ask_for_token().json()["token"]
    assert len(secret) >= 40  # 32 random bytes, base64url

    token = ApiToken.objects.get()
    assert token.digest == digest(secret) != secret
    assert secret.startswith(token.prefix) and len(token.prefix) == 8
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        row = cursor.fetchall()
    assert secret not in repr(row)
    everything = io.StringIO()
    call_command("dumpdata", stdout=everything)
    assert secret not in everything.getvalue()
    assert digest(secret) in everything.getvalue()  # the dump did hold the token's row


def test_a_token_is_checked_in_one_query_with_its_user_s_roles(
    member, django_assert_num_queries
):
    secret = issue(member)
    with django_assert_num_queries(1):
        user, token = authentication.TokenAuthentication().authenticate_credentials(secret)
        assert roles_of(user) == {PRODUCT_TEAM}
    assert user == member and token.pk == ApiToken.objects.get().pk


# Revoked: DELETE, signing out, the admin --------------------------------------------------------


def test_delete_revokes_the_token_it_is_made_with_and_no_other(member, epic):
    kept, ended = issue(member), issue(member)

    response = with_token(ended).delete(TOKEN)

    assert response.status_code == 204
    assert response.content == b""
    later = with_token(ended).get(url("epics"))
    assert later.status_code == 401
    assert later.json() == {"detail": authentication.REVOKED}
    assert with_token(ended).delete(TOKEN).status_code == 401
    assert with_token(kept).get(url("epics")).status_code == 200
    event = AuditEvent.objects.get(action=auth.SIGN_OUT)
    assert (event.actor, event.object_id, event.outcome) == (member, member.pk, "done")
    assert event.detail == {"method": "api_token"}


@pytest.mark.parametrize("how", ["nobody", "session"])
def test_delete_needs_a_token_and_revokes_nothing_without_one(member, how):
    issue(member)
    client = APIClient()
    if how == "session":
        client.force_login(member)

    response = client.delete(TOKEN)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert ApiToken.objects.get().revoked_at is None


def test_signing_out_of_the_browser_revokes_that_user_s_tokens(client, member, outsider, epic):
    mine, also_mine, theirs = issue(member), issue(member), issue(outsider)
    sign_in(client, member)

    assert client.post(reverse("logout")).status_code == 302

    for secret in (mine, also_mine):
        response = with_token(secret).get(url("epics"))
        assert response.status_code == 401
        assert response.json() == {"detail": authentication.REVOKED}
    assert with_token(theirs).get(url("epics")).status_code == 200
    event = AuditEvent.objects.get(action="revoke_token")
    assert (event.actor, event.object_id) == (member, member.pk)
    assert event.detail == {"via": "sign_out", "tokens": 2}


def test_the_admin_lists_tokens_but_never_their_secret(client, root, member):
    secret = issue(member)
    token = ApiToken.objects.get()
    sign_in(client, root)

    listed = client.get(reverse("admin:api_apitoken_changelist"))
    shown = client.get(reverse("admin:api_apitoken_change", args=[token.pk]))

    for page in (listed, shown):
        assert page.status_code == 200
        html = page.content.decode()
        assert secret not in html
        assert token.digest not in html
        assert token.prefix in html and "alice" in html
    assert b'name="_save"' not in shown.content  # read-only, for a superuser too
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403
    assert client.get(reverse("admin:api_apitoken_delete", args=[token.pk])).status_code == 403


def test_the_admin_revokes_the_chosen_tokens_audited(client, root, member, outsider, epic):
    chosen, other = issue(member), issue(outsider)
    token = ApiToken.objects.get(digest=digest(chosen))
    sign_in(client, root)

    response = client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )

    assert "1 token(s) revoked." in response.content.decode()
    assert with_token(chosen).get(url("epics")).status_code == 401
    assert with_token(other).get(url("epics")).status_code == 200
    event = AuditEvent.objects.get(action="revoke_token")
    assert (event.actor, event.object_id) == (root, member.pk)
    assert event.detail == {"via": "admin", "prefix": token.prefix}


# Refused: wrong credentials, a locked account, too many requests ------------------------------


def test_wrong_credentials_say_so_and_make_no_token(member):
    response = ask_for_token(password="wrong")
    assert response.status_code == 400
    assert response.json()["detail"] == auth.WRONG_CREDENTIALS
    assert not ApiToken.objects.exists()


def test_a_locked_account_is_answered_400_saying_so_even_with_the_right_password(member):
    for _ in range(django_settings.LOCKOUT_FAILURES):
        assert ask_for_token(password="wrong").status_code == 400

    response = ask_for_token()

    assert response.status_code == 400
    assert "locked" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_credentials_must_be_text_and_the_answer_names_the_field(member):
    response = APIClient().post(TOKEN, {"username": "alice", "password": 12345}, format="json")
    assert response.status_code == 400
    assert response.json()["password"] == ["Give text (a string), not int."]
    assert not ApiToken.objects.exists()


def test_an_address_throttled_by_the_sign_in_lockout_is_answered_429(member, outsider, settings):
    settings.ADDRESS_FAILURES = 2
    assert ask_for_token("bob", "wrong").status_code == 400
    ask_for_token("nobody", "wrong")  # the failure that throttles the address

    response = ask_for_token()

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.ADDRESS_THROTTLE_SECONDS
    assert "from this address" in response.json()["detail"]
    assert not ApiToken.objects.exists()
    assert auth.locked_until("alice") is None  # the address is throttled, not the account


def test_the_token_endpoint_answers_429_with_retry_after_past_its_rate(member, settings):
    settings.API_TOKEN_RATE = "3/min"
    assert [ask_for_token().status_code for _ in range(3)] == [200] * 3
    given = AuditEvent.objects.filter(action=auth.SIGN_IN).count()

    for forwarded in ("", "10.9.9.9"):  # a made-up X-Forwarded-For is no way around it
        response = ask_for_token(HTTP_X_FORWARDED_FOR=forwarded)
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 60
        assert response.json()["detail"].startswith("Too many requests for a token.")

    assert ApiToken.objects.count() == 3
    assert AuditEvent.objects.filter(action=auth.SIGN_IN).count() == given  # not even tried
    assert ask_for_token(REMOTE_ADDR="192.0.2.7").status_code == 200  # counted per address


# The schema -----------------------------------------------------------------------------------


def test_the_schema_describes_getting_and_revoking_a_token():
    response = APIClient().get(url("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    operations = response.json()["paths"]["/api/v1/auth/token/"]

    assert set(operations) == {"post", "delete"}
    post, delete = operations["post"], operations["delete"]
    assert post.get("security", []) in ([], [{}])  # no token needed to get one
    assert set(post["responses"]) == {"200", "400", "429"}
    assert "requestBody" not in delete
    assert set(delete["responses"]) == {"204", "401", "429"}
    assert delete["security"] == [{"tokenAuth": []}]
    for operation in (post, delete):
        assert "Retry-After" in operation["responses"]["429"]["headers"]
