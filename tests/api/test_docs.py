"""The OpenAPI schema and the interactive docs page, which loads nothing from outside."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.api.helpers import url

pytestmark = pytest.mark.django_db

# The fields of API.md, "Resources" (more are welcome).
API_MD_FIELDS = {
    "Team": ["id", "name", "funded", "onboarded", "members"],
    "Epic": [
        *("id", "team", "title", "status", "status_display", "requires_new_ctf"),
        *("cyber_compliant", "has_production", "transitions"),
    ],
    "Document": [
        *("id", "epic", "kind", "status", "status_display", "signed_on", "expires_on"),
        *("impact_levels", "transitions"),
    ],
    "Ticket": [
        *("id", "team", "epic", "request_type", "impact_level", "title", "description"),
        *("application_name", "status", "status_display", "created_by", "created_at"),
        *("stories", "classified_story", "transitions"),
    ],
    "Story": [
        *("id", "epic", "ticket", "board", "status", "status_display", "assignee"),
        "transitions",
    ],
    "Release": ["id", "epic", "tag", "source", "created_by", "created_at"],
    "AccessRequest": [
        *("id", "user", "justification", "status", "status_display", "decided_by"),
        *("reason", "expires_on", "transitions"),
    ],
}


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    # --fail-on-warn makes any warning (an unresolvable field, an enum collision) an error.
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "s.yml"))
    schema = (tmp_path / "s.yml").read_text()
    for path in (
        "/api/v1/tickets/{id}/transitions/{name}/:",
        "/api/v1/tickets/{id}/history/:",
        "/api/v1/documents/{id}/file/:",
        "/api/v1/auth/token/:",
        "/api/v1/access-requests/:",
    ):
        assert path in schema


def test_the_schema_is_served(api):
    response = APIClient().get(url("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/tickets/" in schema["paths"]
    components = schema["components"]["schemas"]
    for component, fields in API_MD_FIELDS.items():
        assert set(fields) <= set(components[component]["properties"]), component


def test_the_docs_page_loads_its_assets_from_this_server():
    response = APIClient().get(url("docs"))
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert not re.match(r"(https?:)?//", asset), f"{asset} is loaded from outside"
        assert asset.startswith("/"), asset
    assert "cdn" not in page.lower()
    assert "<script>" not in page  # no inline script: it runs under the CSP
    script = APIClient().get(url("docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert '"validatorUrl": null' in script.content.decode()


def test_the_docs_assets_are_served_as_static_files():
    """Needs `drf_spectacular_sidecar` in INSTALLED_APPS (see the API report)."""
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        found = finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}")
        assert found, f"{asset}: install drf-spectacular-sidecar, add it to INSTALLED_APPS"
