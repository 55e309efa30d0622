"""Settings, read from the environment (see .env.example).

With no environment at all the portal runs on SQLite under var/ and runs Celery tasks
in-process; DATABASE_URL switches to PostgreSQL and REDIS_URL to Celery on Redis.

Each setting is written once, whole, where it is declared (the lists of apps, middleware and
context processors included): a member that depends on the environment is decided inside
it, and no later section appends to it.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# FileAwareEnv: each variable may instead be given as NAME_FILE, a path to read it from (Docker
# and Kubernetes secrets), so secrets need not sit in the environment itself.
env = environ.FileAwareEnv()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="dev-only-insecure-key-change-me" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "epics",
    "requests_app",
    "workflow",
    "notifications",
    "api",
    "boards",
    "insights",
]

MIDDLEWARE = [
    # Operations first (portal/logging.py, portal/ops.py, portal/security.py): the request id
    # for every log line, /healthz /readyz /metrics before host checks and redirects, the
    # client's address behind a trusted proxy; then security headers and static files.
    "portal.logging.RequestIdMiddleware",
    "portal.security.TrustedProxyMiddleware",
    "portal.limits.RequestSizeMiddleware",  # a body over the limit: 413, never read
    "portal.ops.OpsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.security.SecurityHeadersMiddleware",
    "portal.input.RefuseMalformedParamsMiddleware",  # NUL in parameters: 400
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "workflow.audit.ClientAddressMiddleware",
    # The product team pages (portal/middleware.py): idle sessions end, every page asks for
    # the consent banner, and HTMX requests whose session ended sign in as a whole page.
    "portal.middleware.IdleSessionMiddleware",
    "portal.middleware.ConsentBannerMiddleware",
    "portal.middleware.HtmxLoginRedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # What the shared layout shows on every page: the user's teams and the
                # idle timeout, the notification bell's count, the boards' navigation.
                "portal.context_processors.portal",
                "notifications.context_processors.notifications",
                "portal.pages.navigation",
            ],
        },
    },
]

# SQLite by default: WAL, IMMEDIATE transactions (the audit chain's lock), a busy timeout.
_database = env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["ENGINE"] = "portal.sqlite"  # the trail's triggers survive a flush
    Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _database["OPTIONS"] = {
        **_database.get("OPTIONS", {}),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

# Documents: PDFs of at most this many bytes (checked by content in workflow/documents.py).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Let the upload reach our own check, which names the limit, instead of Django's bare 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = DOCUMENT_MAX_BYTES + 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # JSON bounded in depth and without NUL (api/parsers.py); forms as DRF reads them.
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MDO Portal API",
    "DESCRIPTION": "Party Bus pipeline and production-deployment requests (API v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Bodies are documented as JSON (documents: multipart, said by their view).
    "PARSER_WHITELIST": ["api.parsers.JSONParser"],
    # The docs page's assets are served from our static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    # Swagger UI would send the schema's address to validator.swagger.io otherwise.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: on Redis when REDIS_URL is set; else on a broker kept in files under
# CELERY_FILE_BROKER_DIR when that is set (`make run`: a real worker and beat beside the web
# server, no server to install: docs/operations.md); otherwise tasks run in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_FILE_BROKER_DIR = "" if REDIS_URL else env.str("CELERY_FILE_BROKER_DIR", default="")
CELERY_BROKER_URL = REDIS_URL or (
    "filesystem://" if CELERY_FILE_BROKER_DIR else "memory://localhost/"  # kombu wants a host
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL.startswith(("redis", "filesystem"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 60
CELERY_TASK_SOFT_TIME_LIMIT = 45
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="mdo-portal@localhost")
# Logs (portal/logging.py): one JSON object per line with the request id (LOG_FORMAT=json,
# the default with DEBUG off), or readable text. portal.request logs one line per request
# (method, path, status, duration, user id): on by default with DEBUG off, where gunicorn's
# own access log is not used.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "portal.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # In-process tasks would log every success into the dev server's output.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
        "portal.request": {
            "level": "INFO" if env.bool("REQUEST_LOG", default=not DEBUG) else "WARNING"
        },
    },
}
# The worker and beat log through the same configuration (JSON, with the request id of the
# request that queued the task) rather than Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Notifications (notifications/): e-mail through Django's mail (SMTP when EMAIL_HOST is set,
# EMAIL_BACKEND otherwise: by default the dev mailbox with DEBUG on, notifications/mailbox.py,
# the console with it off), Mattermost/Slack-compatible webhooks per team and per role (in
# the admin, or here as "key=url" pairs: a role or team name).
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else env.str(
        "EMAIL_BACKEND",
        default="notifications.mailbox.MailboxBackend"
        if DEBUG
        else "django.core.mail.backends.console.EmailBackend",
    )
)
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
WEBHOOK_URLS = env.dict("WEBHOOK_URLS", default={})
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5.0)
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# Delivery, retries, leases, the sweeper and the publish bound: docs/notifications.md.
NOTIFICATION_RETRY_AFTER_SECONDS = env.int("NOTIFICATION_RETRY_AFTER_SECONDS", default=30)
NOTIFICATION_BACKOFF_SECONDS = env.float("NOTIFICATION_BACKOFF_SECONDS", default=2.0)
NOTIFICATION_BACKOFF_MAX_SECONDS = env.float("NOTIFICATION_BACKOFF_MAX_SECONDS", default=300.0)
NOTIFICATION_GIVE_UP_AFTER = env.int("NOTIFICATION_GIVE_UP_AFTER", default=86400)
_LEASE = int(max(EMAIL_TIMEOUT, WEBHOOK_TIMEOUT)) + 50
NOTIFICATION_LEASE_SECONDS = env.int("NOTIFICATION_LEASE_SECONDS", default=_LEASE)
NOTIFICATION_PUBLISH_TIMEOUT = env.float("NOTIFICATION_PUBLISH_TIMEOUT", default=0.5)

# The MDO's working calendar, less US federal holidays and the closure days MDO PMs record
# (docs/service_levels.md): triage due times, reminders and insights count on it.
BUSINESS_TIME_ZONE = env.str("BUSINESS_TIME_ZONE", default="America/Chicago")
BUSINESS_OPEN_HOUR = env.int("BUSINESS_OPEN_HOUR", default=8)
BUSINESS_CLOSE_HOUR = env.int("BUSINESS_CLOSE_HOUR", default=18)
BUSINESS_DAYS = env.list("BUSINESS_DAYS", cast=int, default=[0, 1, 2, 3, 4])
TRIAGE_GOAL_BUSINESS_HOURS = env.float("TRIAGE_GOAL_BUSINESS_HOURS", default=8)
CTF_EXPIRY_WARNING_DAYS = env.int("CTF_EXPIRY_WARNING_DAYS", default=30)

# Celery beat (notifications/tasks.py, notifications/reminders.py, workflow/tasks.py).
CELERY_BEAT_SCHEDULE = {
    "sweep-undelivered-notifications": {
        "task": "notifications.tasks.sweep_undelivered",
        "schedule": float(NOTIFICATION_RETRY_AFTER_SECONDS),
    },
    "warn-expiring-ctf-letters": {
        "task": "notifications.reminders.warn_expiring_ctf_letters",
        "schedule": 24 * 3600.0,
    },
    "remind-overdue-triage": {
        "task": "notifications.reminders.remind_overdue_triage",
        "schedule": 3600.0,
    },
    "remind-unanswered": {"task": "notifications.reminders.remind_unanswered", "schedule": 3600.0},
    "expire-access": {"task": "workflow.tasks.expire_classified_access", "schedule": 3600.0},
}
# Beat records each tick (portal/scheduler.py), which /readyz reports as `last_tick`; a tick
# older than SCHEDULER_LATE_SECONDS says the scheduler is down.
CELERY_BEAT_SCHEDULER = "portal.scheduler:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 30
SCHEDULER_LATE_SECONDS = env.int("SCHEDULER_LATE_SECONDS", default=120)
# A broker outage must not hold up the request that filed a ticket: publishing gives up
# quickly and the sweeper queues the notification again later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # A task taken by a worker that died unacknowledged comes back after this long. It must
    # be longer than the longest countdown (a retry's backoff) and the longest task.
    "visibility_timeout": env.int(
        "CELERY_VISIBILITY_TIMEOUT", default=int(NOTIFICATION_BACKOFF_MAX_SECONDS) + 300
    ),
    # The broker in files: one folder of messages, one of broadcasts (kombu's filesystem
    # transport; portal/celery.py makes them).
    **(
        {
            "data_folder_in": f"{CELERY_FILE_BROKER_DIR}/messages",
            "data_folder_out": f"{CELERY_FILE_BROKER_DIR}/messages",
            "control_folder": f"{CELERY_FILE_BROKER_DIR}/control",
        }
        if CELERY_FILE_BROKER_DIR
        else {}
    ),
}
# Deliveries go to the queue of their channel ("email", "webhook"), each consumed by its
# own workers (docker-compose.yml, make worker); everything else to "celery".
CELERY_TASK_DEFAULT_QUEUE = "celery"

# --- Product team pages (portal/, requests_app/ and epics/ views) -----------------------
# The DoD Notice and Consent banner: every page asks for it (portal/middleware.py) until the
# session records that it was acknowledged. CONSENT_BANNER_TEXT replaces the standard text
# (write \n for a line break in the environment).
CONSENT_BANNER_TEXT = env.str(
    "CONSENT_BANNER_TEXT",
    multiline=True,
    default=(
        "You are accessing a U.S. Government (USG) Information System (IS) that is provided "
        "for USG-authorized use only.\n"
        "By using this IS (which includes any device attached to this IS), you consent to the "
        "following conditions:\n"
        "- The USG routinely intercepts and monitors communications on this IS for purposes "
        "including, but not limited to, penetration testing, COMSEC monitoring, network "
        "operations and defense, personnel misconduct (PM), law enforcement (LE), and "
        "counterintelligence (CI) investigations.\n"
        "- At any time, the USG may inspect and seize data stored on this IS.\n"
        "- Communications using, or data stored on, this IS are not private, are subject to "
        "routine monitoring, interception, and search, and may be disclosed or used for any "
        "USG-authorized purpose.\n"
        "- This IS includes security measures (e.g., authentication and access controls) to "
        "protect USG interests--not for your personal benefit or privacy.\n"
        "- Notwithstanding the above, using this IS does not constitute consent to PM, LE or CI "
        "investigative searching or monitoring of the content of privileged communications, or "
        "work product, related to personal representation or services by attorneys, "
        "psychotherapists, or clergy, and their assistants. Such communications and work "
        "product are private and confidential. See User Agreement for details."
    ),
)
# Idle sessions end after this many seconds without the person doing anything: each of their
# requests pushes the end forward (portal/middleware.py; background polling does not), and
# the cookie does not outlive the browser.
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=15 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_SECONDS
# Administrators (staff and superusers) idle out sooner.
ADMIN_SESSION_IDLE_TIMEOUT_SECONDS = env.int("ADMIN_SESSION_IDLE_TIMEOUT_SECONDS", default=10 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Requests per page of a team's request list.
PORTAL_PAGE_SIZE = env.int("PORTAL_PAGE_SIZE", default=25)
# Name the demo users and their password on the sign-in page (never with real accounts).
DEMO_LOGIN_HINT = env.bool("DEMO_LOGIN_HINT", default=DEBUG)

# --- Boards (boards/): triage queue, Product Team Epic Board, My work, Classified Ops board ---
# Cards per column page (the first page, and each "show more").
BOARD_PAGE_SIZE = env.int("BOARD_PAGE_SIZE", default=50)
# How often an open board asks whether anything changed (a 304 when nothing did).
BOARD_POLL_SECONDS = env.int("BOARD_POLL_SECONDS", default=4)
# Work-in-progress limits per column, as status=limit pairs separated by commas, shown in
# the column's header and highlighted when exceeded; a column not named has none.
BOARD_WIP_LIMITS = {
    status: int(limit)
    for status, limit in env.dict(
        "BOARD_WIP_LIMITS",
        default={
            "pipeline_in_progress": 10,
            "pipeline_being_built": 8,
            "prod_deploy_queued": 10,
            "prod_deploy_in_progress": 6,
        },
    ).items()
}
CLASSIFIED_BOARD_WIP_LIMITS = {
    status: int(limit)
    for status, limit in env.dict("CLASSIFIED_BOARD_WIP_LIMITS", default={"in_progress": 5}).items()
}
CLASSIFIED_ACCESS_DAYS = env.int("CLASSIFIED_ACCESS_DAYS", default=90)  # docs/access.md
# Who "ask your MDO PM" names (portal/contact.py): unset, the MDO PMs' own names.
MDO_PM_CONTACT = env.str("MDO_PM_CONTACT", default="")
GITLAB_WEBHOOK_SECRET = env.str("GITLAB_WEBHOOK_SECRET", default="")  # workflow/hooks.py

# --- Production: HTTPS, headers, static files, sign-in, SSO, operations -------------------
# With DEBUG off `manage.py check --deploy --fail-level WARNING` is clean once SECRET_KEY (50+
# random characters) and ALLOWED_HOSTS are set. Behind a proxy that terminates TLS, set
# SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https (only if the proxy always sets it).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if len(_proxy_ssl_header) == 2 else None
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = env.str("SECURE_REFERRER_POLICY", default="same-origin")
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (portal/security.py): this origin only, no inline script or style.
CSP_REPORT_ONLY = env.bool("CSP_REPORT_ONLY", default=False)
CSP_REPORT_URI = env.str("CSP_REPORT_URI", default="")
CSP_EXTRA_FORM_ACTION = env.list("CSP_EXTRA_FORM_ACTION", default=[])
PERMISSIONS_POLICY = env.str(
    "PERMISSIONS_POLICY",
    default=(
        "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
        "fullscreen=(self), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
        "midi=(), payment=(), publickey-credentials-get=(), screen-wake-lock=(), "
        "usb=(), xr-spatial-tracking=()"
    ),
)

# Static files through WhiteNoise (compressed, cache-busting names) with DEBUG off: run
# `manage.py collectstatic` first (the Docker image does it when it is built).
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG


# Signing in, tokens, passwords, proxies, /metrics, uploads: portal/security_settings.py's;
# single sign-on with OpenID Connect: portal/sso_settings.py's.
from portal.security_settings import *  # noqa: E402, F403
from portal.sso_settings import *  # noqa: E402, F403

# Where the dev mailbox (or EMAIL_BACKEND=...filebased.EmailBackend) writes each message
# (the smoke test of .ci/run reads them there).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
