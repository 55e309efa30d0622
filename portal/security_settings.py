"""Security settings: signing in, API tokens, passwords, proxies, /metrics, input limits.
Read from the environment like the rest (portal/settings.py star-imports this module, after
reading .env). Each setting is written once, whole, here.
"""

import environ

env = environ.FileAwareEnv()

# --- Passwords ----------------------------------------------------------------------------
# Local accounts' passwords (the admin's forms, changepassword, createsuperuser): at least 15
# characters (the STIG's minimum), none of the 20,000 most common, not like the user's name.
# seed_demo sets the demo's password directly: it is the demo's alone, exempt.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Signing in ---------------------------------------------------------------------------
# Signing in (portal/auth.py): LOCKOUT_FAILURES wrong passwords within LOCKOUT_WINDOW_SECONDS
# lock the user name for LOCKOUT_SECONDS.
AUTHENTICATION_BACKENDS = ["portal.auth.LockoutModelBackend", "portal.sso.PortalOIDCBackend"]
LOCKOUT_FAILURES = env.int("LOCKOUT_FAILURES", default=3)
LOCKOUT_WINDOW_SECONDS = env.int("LOCKOUT_WINDOW_SECONDS", default=15 * 60)
LOCKOUT_SECONDS = env.int("LOCKOUT_SECONDS", default=15 * 60)
# ADDRESS_FAILURES wrong passwords from one client address (an IPv6 one by its /64) within
# LOCKOUT_WINDOW_SECONDS stop password checks from it for ADDRESS_THROTTLE_SECONDS, whatever
# the name: one client cannot lock every account. Needs TRUSTED_PROXY_HOPS right behind a proxy.
ADDRESS_FAILURES = env.int("ADDRESS_FAILURES", default=10)
ADDRESS_THROTTLE_SECONDS = env.int("ADDRESS_THROTTLE_SECONDS", default=15 * 60)

# --- API tokens ---------------------------------------------------------------------------
# API tokens (api/tokens.py): each lives API_TOKEN_TTL seconds (24 hours). The token endpoint
# answers at most API_TOKEN_RATE requests per client address ("20/min"; empty: no limit),
# counted in the default cache: per process unless CACHES names a shared one.
API_TOKEN_TTL = env.int("API_TOKEN_TTL", default=24 * 60 * 60)
API_TOKEN_RATE = env.str("API_TOKEN_RATE", default="20/min")

# --- Proxies and /metrics -----------------------------------------------------------------
# The reverse proxies whose X-Forwarded-For is believed (portal/security.py): addresses or
# networks, comma-separated (`127.0.0.1,10.0.4.0/24`). The client's address (audit trail,
# sign-in lockout) is then read from the header, right to left, while each hop is one of
# them. Empty (the default): the header is ignored, the connection's address is the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# At most this many entries of X-Forwarded-For are read (the proxies in front of the
# portal); 0: as many as TRUSTED_PROXIES allows. Set it when TRUSTED_PROXIES is a network
# that also holds clients.
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0)
# /metrics (portal/ops.py): with METRICS_TOKEN set, only `Authorization: Bearer <token>`;
# without it, only clients on the loopback interface, and never once a proxy is configured
# (TRUSTED_PROXIES or TRUSTED_PROXY_HOPS): behind a proxy on the same host, all is loopback.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Uploads ------------------------------------------------------------------------------
# A PDF's streams (workflow/documents.py) may unpack to at most PDF_MAX_STREAM_BYTES each and
# PDF_MAX_INFLATED_BYTES in all: more is a compression bomb (a 300 dpi page scan is 8-25 MB).
PDF_MAX_STREAM_BYTES = env.int("PDF_MAX_STREAM_BYTES", default=64 * 1024 * 1024)
PDF_MAX_INFLATED_BYTES = env.int("PDF_MAX_INFLATED_BYTES", default=256 * 1024 * 1024)
# Request bodies (portal/limits.py), refused with 413 before they are read. The URL names
# (namespace:name) that take files, and how many at most: such a request's body may be that
# many times DOCUMENT_MAX_BYTES, and UPLOAD_FORM_OVERHEAD_BYTES more; any other request's at
# most REQUEST_MAX_BYTES. (A comment's 5: workflow/attachments.py's MAX_ATTACHMENTS.)
UPLOAD_URL_NAMES = {
    "document_upload": 1,
    "api:document-list": 1,
    "ticket_comment": 5,
    "api:ticket-comments": 5,
}
UPLOAD_FORM_OVERHEAD_BYTES = env.int("UPLOAD_FORM_OVERHEAD_BYTES", default=1024 * 1024)
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=int(2.5 * 1024 * 1024))
