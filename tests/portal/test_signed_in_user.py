"""Each request reads the signed-in user with their roles in one query (portal.auth.LoadsRoles
and api.authentication): nothing is kept between requests, so a role taken away or an
account switched off counts from the very next request, however the person signed in."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.portal.pages import acknowledge_banner
from workflow.permissions import MDO_PM

pytestmark = pytest.mark.django_db

BACKENDS = ["portal.auth.LockoutModelBackend", "portal.sso.PortalOIDCBackend"]


def signed_in(client, user, backend):
    client.force_login(user, backend=backend)
    acknowledge_banner(client)
    return client


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_user_and_their_roles_are_one_query(client, backend):
    pat = UserFactory(username="pat", roles=[MDO_PM])
    signed_in(client, pat, backend)
    client.get(reverse("board_epics"))  # the session's activity stamp is written once
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("board_epics")).status_code == 200
    sql = [query["sql"] for query in captured]
    users = [query for query in sql if query.startswith('SELECT "auth_user"."id"')]
    groups = [query for query in sql if query.startswith('SELECT "auth_group"')]
    assert len(users) == 1 and not groups, sql


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_role_taken_away_counts_from_the_next_request(client, backend):
    pat = UserFactory(username="pat", roles=[MDO_PM])
    signed_in(client, pat, backend)
    assert client.get(reverse("board_epics")).status_code == 200
    pat.groups.remove(Group.objects.get(name=MDO_PM))
    assert client.get(reverse("board_epics")).status_code == 403


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_account_switched_off_is_signed_out_at_the_next_request(client, backend):
    pat = UserFactory(username="pat", roles=[MDO_PM])
    signed_in(client, pat, backend)
    pat.is_active = False
    pat.save()
    response = client.get(reverse("board_epics"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_api_token_s_roles_are_read_with_it_and_follow_changes():
    from api.tokens import issue

    pat = UserFactory(username="pat", roles=[MDO_PM])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue(pat)}")
    body = {"name": "Team Zulu"}
    assert client.post("/api/v1/teams/", body, format="json").status_code == 201
    pat.groups.remove(Group.objects.get(name=MDO_PM))
    refused = client.post("/api/v1/teams/", {"name": "Team Yankee"}, format="json")
    assert refused.status_code == 403, refused.json()
