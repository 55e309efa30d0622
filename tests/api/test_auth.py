"""Signing in: tokens, and a browser session with CSRF."""

import pytest
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tokens import digest
from tests.api.helpers import url
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_for_right_credentials_then_used_on_every_call(member, epic):
    response = APIClient().post(
        url("auth/token"), {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.get(user=member).digest == digest(token)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = client.get(url("epics"))
    assert listed.status_code == 200
    assert [e["title"] for e in listed.json()["results"]] == ["Payments"]


def test_each_request_gets_a_new_token_and_both_work(member, epic):
    first = APIClient().post(url("auth/token"), {"username": "alice", "password": PASSWORD})
    second = APIClient().post(url("auth/token"), {"username": "alice", "password": PASSWORD})
    assert first.json()["token"] != second.json()["token"]
    for answer in (first, second):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
        assert client.get(url("epics")).status_code == 200
    assert ApiToken.objects.filter(user=member).count() == 2


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "alice", "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "alice"},
    ],
)
def test_wrong_credentials_answer_400_and_make_no_token(member, credentials):
    response = APIClient().post(url("auth/token"), credentials, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert not ApiToken.objects.exists()


def test_not_signed_in_answers_401_with_a_detail(api, epic):
    response = api().get(url("epics"))
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"


def test_an_unknown_token_answers_401(epic):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get(url("epics"))
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


def test_a_token_of_an_inactive_user_answers_401(api, member):
    client = api(member)
    member.is_active = False
    member.save()
    response = client.get(url("tickets"))
    assert response.status_code == 401
    assert response.json()["detail"] == "User inactive or deleted."


def test_a_browser_session_works_and_needs_csrf_to_change_anything(member, epic):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="alice", password=PASSWORD)
    assert client.get(url("epics")).status_code == 200

    body = {"justification": "IL6 deploys"}
    refused = client.post(url("access-requests"), body, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    # What a page's form does: send back, in the header, the secret of the CSRF cookie.
    secret = "s3cr3t" * 5 + "ok"  # 32 characters, as Django's CSRF secrets are
    client.cookies["csrftoken"] = secret
    accepted = client.post(url("access-requests"), body, format="json", HTTP_X_CSRFTOKEN=secret)
    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["user"] == "alice"
