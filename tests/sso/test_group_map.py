"""OIDC_GROUP_MAP: the provider's groups to our roles, as an operator writes it."""

import pytest
from django.core.checks import run_checks

from portal.sso import map_groups, parse_group_map


def test_pairs_with_a_group_named_twice_give_it_both_roles():
    mapping = parse_group_map(
        "/Party Bus/MDO PMs=mdo_pm, /Party Bus/MDO PMs=classified_ops,/PB/Admins=superuser"
    )
    assert mapping == {
        "/Party Bus/MDO PMs": {"mdo_pm", "classified_ops"},
        "/PB/Admins": {"superuser"},
    }


def test_json_is_accepted_too():
    assert parse_group_map('{"cyber-team": ["cyber"], "ops": "devops"}') == {
        "cyber-team": {"cyber"},
        "ops": {"devops"},
    }


def test_a_group_name_with_an_equals_sign_keeps_it():
    assert parse_group_map("a=b=devops") == {"a=b": {"devops"}}


@pytest.mark.parametrize("raw", ["/PB/Pilots=pilot", "no-role-given", "=devops"])
def test_mistakes_are_refused(raw):
    with pytest.raises(ValueError):
        parse_group_map(raw)


def test_an_empty_map_maps_nothing(settings, db):
    settings.OIDC_GROUP_MAP = ""
    settings.OIDC_TEAM_GROUP_PREFIX = "/teams/"
    assert not map_groups(["/Party Bus/MDO PMs", "/teams/"])


def test_a_mistake_in_the_map_fails_the_system_check(settings):
    settings.OIDC_GROUP_MAP = "/PB/Pilots=pilot"
    assert [e.id for e in run_checks() if e.id.startswith("portal.")] == ["portal.E001"]


def test_sso_on_without_its_endpoints_fails_the_system_check(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "mdo-portal"
    settings.OIDC_RP_CLIENT_SECRET = "x"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://login.example.mil/auth"
    settings.OIDC_OP_USER_ENDPOINT = "https://login.example.mil/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://login.example.mil/certs"
    settings.OIDC_OP_TOKEN_ENDPOINT = ""
    settings.OIDC_GROUP_MAP = "g=devops"
    problems = [e for e in run_checks() if e.id.startswith("portal.")]
    assert [e.id for e in problems] == ["portal.E002"]
    assert "OIDC_OP_TOKEN_ENDPOINT" in problems[0].msg
