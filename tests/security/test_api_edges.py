"""What the fuzzing (test_api_fuzz.py) found, pinned down: ids too large for the database,
NUL characters, and fields the schema must say may be null."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api.tokens import issue
from tests.factories import UserFactory
from workflow.permissions import MDO_PM

TOO_LARGE = "9" * 25  # beyond a 64-bit id


@pytest.fixture
def pm_api(db):
    client = APIClient()
    pm = UserFactory(username="pat", roles=[MDO_PM])
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue(pm)}")
    return client


@pytest.mark.parametrize(
    "url", ["/api/v1/tickets/", "/api/v1/stories/", "/api/v1/documents/", "/api/v1/releases/"]
)
@pytest.mark.parametrize("name", ["team", "epic"])
def test_a_filter_id_too_large_is_a_field_error(pm_api, url, name):
    response = pm_api.get(url, {name: TOO_LARGE})

    assert response.status_code == 400
    assert response.json()[name]


@pytest.mark.parametrize("pk", [TOO_LARGE, "9" * 5000, "²"])
@pytest.mark.parametrize("resource", ["tickets", "epics", "teams", "stories", "access-requests"])
def test_an_object_id_too_large_is_no_such_object(pm_api, resource, pk):
    for suffix in ("", "history/"):
        response = pm_api.get(f"/api/v1/{resource}/{pk}/{suffix}")

        assert response.status_code == 404
        assert response.json()["detail"]


def test_naming_an_object_by_an_id_too_large_is_a_field_error(pm_api):
    response = pm_api.post("/api/v1/epics/", {"team": TOO_LARGE, "title": "x"}, format="json")

    assert response.status_code == 400
    assert response.json()["team"] == [f"No team {TOO_LARGE} that you can see."]


def test_a_username_with_a_nul_character_is_a_field_error(pm_api):
    response = pm_api.post(
        "/api/v1/teams/", {"name": "Team Nul", "members": ["pa\x00t"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["members"] == ["Null characters are not allowed."]


def test_the_schema_says_which_fields_may_be_null(db):
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    nullable = {
        "Epic": ["cyber_compliant_by", "cyber_compliant_at", "production_at"],
        "Document": ["decided_by", "decided_at", "expires_on"],
        "Story": ["assignee"],
        "Release": ["created_by"],
        "AccessRequest": ["decided_by", "decided_at"],
    }
    for component, fields in nullable.items():
        for name in fields:
            assert components[component]["properties"][name].get("nullable"), (component, name)
