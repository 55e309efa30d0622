"""Security settings: signing in, API tokens, passwords, proxies, /metrics, input limits.
Read from the environment like the rest (portal/settings.py star-imports this module, after
reading .env). Each setting is written once, whole, here.
"""

import environ

env = environ.FileAwareEnv()

# --- Passwords ----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Signing in ---------------------------------------------------------------------------
# Signing in (portal/auth.py): LOCKOUT_FAILURES wrong passwords within LOCKOUT_WINDOW_SECONDS
# lock the user name for LOCKOUT_SECONDS.
AUTHENTICATION_BACKENDS = ["portal.auth.LockoutModelBackend", "portal.sso.PortalOIDCBackend"]
LOCKOUT_FAILURES = env.int("LOCKOUT_FAILURES", default=3)
LOCKOUT_WINDOW_SECONDS = env.int("LOCKOUT_WINDOW_SECONDS", default=15 * 60)
LOCKOUT_SECONDS = env.int("LOCKOUT_SECONDS", default=15 * 60)

# --- Proxies and /metrics -----------------------------------------------------------------
# Behind this many reverse proxies, take the client's address from X-Forwarded-For (audit
# trail, sign-in lockout). 0: use the connection's address and ignore the header.
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0)
# /metrics (portal/ops.py): with METRICS_TOKEN set, only `Authorization: Bearer <token>`;
# without it, only clients on the loopback interface.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
