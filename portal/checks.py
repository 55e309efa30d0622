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


@register()
def proxy_settings(app_configs, **kwargs):
    """TRUSTED_PROXIES must parse; a proxy configured leaves /metrics to METRICS_TOKEN alone
    (portal/ops.py), and hops without TRUSTED_PROXIES believe no X-Forwarded-For."""
    from django.core.exceptions import ImproperlyConfigured

    from portal.security import trusted_networks

    try:
        networks = trusted_networks()
    except ImproperlyConfigured as exc:
        hint = "Addresses or networks, comma-separated: 127.0.0.1,10.0.4.0/24."
        return [Error(str(exc), hint=hint, id="portal.E003")]
    problems = []
    if (networks or settings.TRUSTED_PROXY_HOPS > 0) and not settings.METRICS_TOKEN:
        problems.append(
            Warning(
                "A reverse proxy is configured (TRUSTED_PROXIES or TRUSTED_PROXY_HOPS) but "
                "METRICS_TOKEN is not set: /metrics refuses everyone, loopback included.",
                hint="Set METRICS_TOKEN and have Prometheus send it as a bearer token.",
                id="portal.W002",
            )
        )
    if settings.TRUSTED_PROXY_HOPS > 0 and not networks:
        problems.append(
            Warning(
                "TRUSTED_PROXY_HOPS is set but TRUSTED_PROXIES is empty: X-Forwarded-For is "
                "ignored and the audit trail records the proxy's address.",
                hint="Set TRUSTED_PROXIES to the proxy's address (e.g. 127.0.0.1).",
                id="portal.W003",
            )
        )
    return problems
