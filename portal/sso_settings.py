"""Single sign-on with OpenID Connect (portal/sso.py): its settings, read from the
environment like the rest (portal/settings.py star-imports this module, after reading .env).
"""

import environ

env = environ.FileAwareEnv()

# Single sign-on with OpenID Connect (portal/sso.py), on when OIDC_RP_CLIENT_ID is set. For
# Keycloak (P1 SSO) OIDC_OP_ISSUER, the realm's address, gives every endpoint; each can be
# set on its own instead. ID tokens are RS256, checked against the provider's JWKS.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="").rstrip("/")
_keycloak = f"{OIDC_OP_ISSUER}/protocol/openid-connect" if OIDC_OP_ISSUER else ""
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str(
    "OIDC_OP_AUTHORIZATION_ENDPOINT", default=_keycloak and f"{_keycloak}/auth"
)
OIDC_OP_TOKEN_ENDPOINT = env.str(
    "OIDC_OP_TOKEN_ENDPOINT", default=_keycloak and f"{_keycloak}/token"
)
OIDC_OP_USER_ENDPOINT = env.str(
    "OIDC_OP_USER_ENDPOINT", default=_keycloak and f"{_keycloak}/userinfo"
)
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default=_keycloak and f"{_keycloak}/certs")
# RP-initiated logout: signing out of the portal ends the provider's session too (the ID
# token kept in the session is its hint). Empty: signing out ends the portal's session only.
OIDC_OP_LOGOUT_ENDPOINT = env.str(
    "OIDC_OP_LOGOUT_ENDPOINT", default=_keycloak and f"{_keycloak}/logout"
)
OIDC_STORE_ID_TOKEN = True
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)
# true, false, or the path of a CA bundle to trust for the provider.
_oidc_verify = env.str("OIDC_VERIFY_SSL", default="true")
OIDC_VERIFY_SSL = {"true": True, "false": False}.get(_oidc_verify.lower(), _oidc_verify)
OIDC_CLOCK_SKEW_SECONDS = env.int("OIDC_CLOCK_SKEW_SECONDS", default=30)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
# Groups claim → roles and teams: "group=role" pairs separated by commas (or a JSON object);
# roles are mdo_pm, devops, cyber, classified_ops, product_team, or superuser. A group under
# OIDC_TEAM_GROUP_PREFIX names a team ("/teams/Team Alpha"): membership and product_team.
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_GROUP_MAP = env.str("OIDC_GROUP_MAP", default="")
OIDC_TEAM_GROUP_PREFIX = env.str("OIDC_TEAM_GROUP_PREFIX", default="/teams/")
OIDC_BUTTON_LABEL = env.str("OIDC_BUTTON_LABEL", default="Sign in with P1 SSO")
