"""System checks for the settings an operator writes by hand (manage.py check)."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def sso_settings(app_configs, **kwargs):
    from portal.sso import parse_group_map

    problems = []
    try:
        mapping = parse_group_map(settings.OIDC_GROUP_MAP)
    except (ValueError, TypeError) as exc:
        problems.append(Error(str(exc), hint="See .env.example.", id="portal.E001"))
        mapping = {}
    if settings.OIDC_ENABLED:
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        ):
            if not getattr(settings, name):
                problems.append(
                    Error(
                        f"OIDC_RP_CLIENT_ID is set but {name} is not.",
                        hint="Set OIDC_OP_ISSUER to the realm's address, or each endpoint.",
                        id="portal.E002",
                    )
                )
        if not mapping and not settings.OIDC_TEAM_GROUP_PREFIX:
            problems.append(
                Warning(
                    "SSO is on but no group maps to a role or team: every SSO sign-in will "
                    "be refused.",
                    hint="Set OIDC_GROUP_MAP and/or OIDC_TEAM_GROUP_PREFIX.",
                    id="portal.W001",
                )
            )
    return problems
